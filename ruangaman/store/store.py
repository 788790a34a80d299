"""The store: every acknowledged item durable, every repeated id answered from the first result.

Writes go through one writer thread that commits whatever is waiting in one transaction
(group commit): a request is acknowledged only after its transaction has committed, yet
a thousand concurrent requests cost a handful of fsyncs, not a thousand.  SQLite runs in
WAL mode with ``synchronous=FULL``; PostgreSQL with its defaults (fsync on commit).
"""

from __future__ import annotations

import functools
import getpass
import hashlib
import hmac
import logging
import operator
import queue
import secrets
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import orjson
from sqlalchemy import Engine, create_engine, delete, event, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url

from ruangaman.store.schema import api_keys, audit_events, items

__all__ = ["ROLES", "ApiKey", "ItemRecord", "Stored", "Store", "StoreError", "connect", "cli_actor",
           "upgrade", "current_revision", "head_revision"]

log = logging.getLogger("ruangaman.store")
ROLES = ("platform", "reviewer", "analyst", "admin", "staff", "creator")
_MIGRATIONS = Path(__file__).with_name("migrations")
_ROWS_PER_STATEMENT = 500


class StoreError(RuntimeError):
    """The store cannot serve: not reachable, or its schema is not the one this code needs."""


@dataclass(frozen=True)
class ApiKey:
    key_id: str
    name: str
    client: str
    role: str
    created_at: float
    revoked_at: float | None = None


@dataclass
class ItemRecord:
    """One row to store; ``result`` is exactly what the client is answered."""

    kind: str
    item_id: str
    text_hash: str
    text: str | None
    evidence: list[dict[str, Any]] | None
    surface: str
    language: str
    self_harm: str
    labels: list[str]
    result: dict[str, Any]
    review_priority: str | None = None
    degraded: bool = False
    subject_hash: str | None = None
    author_age_band: str = "unknown"


@dataclass(frozen=True)
class Stored:
    item_id: str
    result: dict[str, Any] | None
    replayed: bool = False
    conflict: bool = False


def cli_actor() -> ApiKey:
    """Who a command-line action is recorded as in the audit log."""
    try:
        user = getpass.getuser()
    except Exception:  # no passwd entry in some containers
        user = "unknown"
    return ApiKey(key_id=f"cli:{user}"[:32], name="command line", client="*", role="admin", created_at=time.time())


def _normalize_url(url: str) -> str:
    u = make_url(url)
    if u.drivername in ("postgresql", "postgres"):
        u = u.set(drivername="postgresql+psycopg")
    return u.render_as_string(hide_password=False)


def connect(url: str) -> Engine:
    """An engine for ``url`` (sqlite:///path or postgresql://...), with durable SQLite settings."""
    try:
        u = make_url(_normalize_url(url))
    except Exception as e:
        raise StoreError(f"database URL must look like sqlite:///path/to.db or postgresql://user@host/db. "
                         f"Got {url!r} instead.") from e
    if u.get_backend_name() not in ("sqlite", "postgresql"):
        raise StoreError(f"database must be sqlite or postgresql. Got {u.get_backend_name()!r} instead.")
    kwargs: dict[str, Any] = {"json_serializer": lambda o: orjson.dumps(o).decode(), "json_deserializer": orjson.loads}
    if u.get_backend_name() == "sqlite":
        if u.database in (None, "", ":memory:"):
            raise StoreError("database must be a file (the store outlives the process). Got an in-memory SQLite URL.")
        Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs.update(pool_size=8, max_overflow=8, pool_pre_ping=True)
    engine = create_engine(u, **kwargs)
    if u.get_backend_name() == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:  # noqa: ANN001
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # an acknowledged decision survives power loss
            cur.execute("PRAGMA secure_delete=ON")  # purged text is overwritten, not just unlinked
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()
    return engine


def _alembic_config(engine: Engine, connection: Connection | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    return ScriptDirectory.from_config(cfg).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> str | None:
    """Run the Alembic migrations up to ``revision``; returns the revision now current."""
    from alembic import command

    with engine.begin() as conn:
        command.upgrade(_alembic_config(engine, conn), revision)
    return current_revision(engine)


@dataclass(frozen=True)
class _PutOp:
    client: str
    key: ApiKey
    records: Sequence[ItemRecord]
    action: str
    now: float


class _Writer(threading.Thread):
    """One thread, one transaction for everything waiting: group commit."""

    def __init__(self, engine: Engine, max_ops: int):
        super().__init__(name="ruangaman-writer", daemon=True)
        self.engine = engine
        self.max_ops = max_ops
        self.q: queue.SimpleQueue = queue.SimpleQueue()
        self.commits = 0

    def submit(self, fn: Callable[[Connection], Any]) -> Future:
        fut: Future = Future()
        self.q.put((fn, fut))
        return fut

    def stop(self) -> None:
        self.q.put(None)
        self.join(timeout=30)

    def run(self) -> None:
        stopping = False
        while not stopping:
            first = self.q.get()
            if first is None:
                return
            ops = [first]
            while len(ops) < self.max_ops:
                try:
                    nxt = self.q.get_nowait()
                except queue.Empty:
                    break
                if nxt is None:
                    stopping = True
                    break
                ops.append(nxt)
            self._commit(ops)

    def _commit(self, ops: list[tuple[Callable[[Connection], Any], Future]]) -> None:
        try:
            with self.engine.begin() as conn:
                results = [fn(conn) for fn, _ in ops]
        except Exception:
            if len(ops) == 1:
                ops[0][1].set_exception(_sys_exc())
                return
            for op in ops:  # one bad operation must not fail the others: retry each alone
                self._commit([op])
            return
        self.commits += 1
        for (_, fut), result in zip(ops, results):
            fut.set_result(result)


def _sys_exc() -> BaseException:
    import sys

    return sys.exc_info()[1]  # type: ignore[return-value]


class Store:
    """Items, keys and the audit log in one database (SQLite file or PostgreSQL)."""

    def __init__(self, url: str, *, group_max: int = 256, key_cache_s: float = 5.0):
        self.url = url
        self.engine = connect(url)
        self.dialect = self.engine.dialect.name
        self.key_cache_s = key_cache_s
        self._keys: dict[str, tuple[ApiKey | None, float]] = {}
        self._writer = _Writer(self.engine, group_max)
        self._put_conn: Connection | None = None
        self._writer.start()

    # -- lifecycle ------------------------------------------------------------------
    def check_schema(self) -> None:
        """Refuse to run on a database whose schema is not at this code's head."""
        try:
            current = current_revision(self.engine)
        except Exception as e:
            raise StoreError(f"database must be reachable. Got {type(e).__name__}: {e}") from e
        head = head_revision()
        if current != head:
            raise StoreError(f"database schema must be at revision {head}. Got {current or 'an empty database'} "
                             f"instead: run `ruangaman db upgrade`.")

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        self._writer.stop()
        if self._put_conn is not None:
            self._put_conn.close()
        self.engine.dispose()

    @property
    def commits(self) -> int:
        return self._writer.commits

    @property
    def _insert_stmt(self):
        stmt = getattr(self, "_stmt", None)
        if stmt is None:
            ins = (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(items)
            stmt = self._stmt = (ins.on_conflict_do_nothing(index_elements=["client", "kind", "item_id"])
                                 .returning(items.c.client, items.c.kind, items.c.item_id))
        return stmt

    # -- items ----------------------------------------------------------------------
    def put_items(self, client: str, key: ApiKey, records: Sequence[ItemRecord], action: str) -> Future:
        """Store new items, answer repeated ids from the first result; resolves to one Stored per record."""
        op = _PutOp(client, key, records, action, time.time())
        return self._writer.submit(lambda conn: self._put_many(conn, [op])[0])

    def put_prepared(self, batches: Sequence[tuple[str, ApiKey, Sequence[ItemRecord], str]]
                     ) -> tuple[list[list[Stored]], Callable[[], None], Callable[[], None]]:
        """Write several requests' items in one open transaction; return the answers with the
        transaction's commit and rollback.  The caller may commit in another thread (the fsync
        is the slow part and releases the GIL) and must answer only after the commit returned."""
        now = time.time()
        ops = [_PutOp(c, k, r, a, now) for c, k, r, a in batches]
        if self._put_conn is None or self._put_conn.closed:
            self._put_conn = self.engine.connect()  # kept open: no pool check-out per group
        conn = self._put_conn
        trans = conn.begin()
        try:
            results = self._put_many(conn, ops)
        except BaseException:
            trans.rollback()
            raise

        def commit() -> None:
            try:
                trans.commit()
            except BaseException:
                conn.invalidate()  # a failed commit leaves the connection unusable: start afresh
                raise

        return results, commit, trans.rollback

    def put_now(self, batches: Sequence[tuple[str, ApiKey, Sequence[ItemRecord], str]]) -> list[list[Stored] | Exception]:
        """Store several requests' items in one transaction, in the calling thread (group commit
        driven by the caller, e.g. the server's event loop).  A request that fails alone gets its exception."""
        now = time.time()
        ops = [_PutOp(c, k, r, a, now) for c, k, r, a in batches]
        try:
            with self.engine.begin() as conn:
                return list(self._put_many(conn, ops))
        except Exception:
            if len(ops) == 1:
                return [_sys_exc()]  # type: ignore[list-item]
        out: list[list[Stored] | Exception] = []
        for op in ops:  # isolate the bad one
            try:
                with self.engine.begin() as conn:
                    out.append(self._put_many(conn, [op])[0])
            except Exception as e:  # noqa: BLE001
                out.append(e)
        return out

    def _insert_rows(self, conn: Connection, rows: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
        """INSERT ... ON CONFLICT DO NOTHING RETURNING the keys that went in; conflicting rows return nothing."""
        if self.dialect != "sqlite":
            # executemany with RETURNING: SQLAlchemy batches it into multi-row INSERTs ("insertmanyvalues")
            return {tuple(r) for r in conn.execute(self._insert_stmt, rows)}  # type: ignore[misc]
        # SQLite hot path: one hand-built multi-row statement per 500 rows, JSON encoded once with orjson.
        out: set[tuple[str, str, str]] = set()
        dumps = orjson.dumps
        for i in range(0, len(rows), _ROWS_PER_STATEMENT):
            chunk = rows[i:i + _ROWS_PER_STATEMENT]
            params: list[Any] = []
            for r in chunk:
                values = list(_ROW_VALUES(r))
                for j in _JSON_AT:
                    if values[j] is not None:
                        values[j] = dumps(values[j]).decode()
                params.extend(values)
            sql = _sqlite_insert_sql(len(chunk))
            out.update(tuple(r) for r in conn.exec_driver_sql(sql, tuple(params)))  # type: ignore[misc]
        return out

    def _put_many(self, conn: Connection, ops: list[_PutOp]) -> list[list[Stored]]:
        """Every waiting request's items in one INSERT (the first of each id wins), one audit row each."""
        rows: list[dict[str, Any]] = []
        for op in ops:
            for r in op.records:
                rows.append({"client": op.client, "kind": r.kind, "item_id": r.item_id, "text_hash": r.text_hash,
                             "text": r.text, "evidence": r.evidence, "surface": r.surface, "language": r.language,
                             "self_harm": r.self_harm, "labels": r.labels, "result": r.result,
                             "review_priority": r.review_priority, "degraded": int(r.degraded),
                             "subject_hash": r.subject_hash, "author_age_band": r.author_age_band,
                             "key_id": op.key.key_id, "created_at": op.now})
        inserted = self._insert_rows(conn, rows) if rows else set()
        claimed: set[tuple[str, str, str]] = set()
        mine: list[list[bool]] = []
        for op in ops:
            flags = []
            for r in op.records:
                k = (op.client, r.kind, r.item_id)
                flags.append(k in inserted and k not in claimed)
                if flags[-1]:
                    claimed.add(k)
            mine.append(flags)
        wanted = {(op.client, r.kind, r.item_id) for op, flags in zip(ops, mine)
                  for r, m in zip(op.records, flags) if not m}
        existing: dict[tuple[str, str, str], tuple[str, Any]] = {}
        by_scope: dict[tuple[str, str], list[str]] = {}
        for client, kind, item_id in wanted:
            by_scope.setdefault((client, kind), []).append(item_id)
        for (client, kind), ids in by_scope.items():
            for j in range(0, len(ids), _ROWS_PER_STATEMENT):
                q = select(items.c.item_id, items.c.text_hash, items.c.result).where(
                    items.c.client == client, items.c.kind == kind, items.c.item_id.in_(ids[j:j + _ROWS_PER_STATEMENT]))
                existing.update(((client, kind, i_), (h, res)) for i_, h, res in conn.execute(q))
        out: list[list[Stored]] = []
        audit_rows = []
        for op, flags in zip(ops, mine):
            stored = []
            for r, m in zip(op.records, flags):
                if m:
                    stored.append(Stored(r.item_id, r.result))
                    continue
                stored_hash, stored_result = existing[(op.client, r.kind, r.item_id)]
                if stored_hash != r.text_hash:
                    stored.append(Stored(r.item_id, None, conflict=True))
                else:
                    stored.append(Stored(r.item_id, stored_result, replayed=True))
            n_new = sum(flags)
            audit_rows.append({"at": op.now, "key_id": op.key.key_id, "role": op.key.role, "action": op.action,
                               "target": f"client:{op.client}", "detail": {"new": n_new, "replayed": len(flags) - n_new}})
            out.append(stored)
        if audit_rows:
            conn.execute(insert(audit_events), audit_rows)
        return out

    def get_item(self, client: str, kind: str, item_id: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(items).where(items.c.client == client, items.c.kind == kind,
                                                   items.c.item_id == item_id)).mappings().first()
        return _public(row) if row else None

    def count_items(self, client: str | None = None) -> int:
        q = select(func.count()).select_from(items)
        if client is not None:
            q = q.where(items.c.client == client)
        with self.engine.connect() as conn:
            return int(conn.execute(q).scalar_one())

    # -- data-subject requests ------------------------------------------------------
    def subject_items(self, client: str, subject_hash: str) -> list[dict[str, Any]]:
        q = select(items).where(items.c.client == client, items.c.subject_hash == subject_hash).order_by(items.c.id)
        with self.engine.connect() as conn:
            return [_public(r) for r in conn.execute(q).mappings()]

    def erase_subject(self, client: str, subject_hash: str, key: ApiKey) -> int:
        def op(conn: Connection) -> int:
            n = conn.execute(delete(items).where(items.c.client == client, items.c.subject_hash == subject_hash)).rowcount
            self._audit(conn, key, "subject.erase", f"client:{client}/subject:{subject_hash[:12]}", {"items": n},
                        time.time())
            return n

        n = self._writer.submit(op).result()
        self.compact(vacuum=False)
        return n

    def subject_has_minor_items(self, client: str, subject_hash: str) -> bool:
        q = select(func.count()).select_from(items).where(
            items.c.client == client, items.c.subject_hash == subject_hash, items.c.author_age_band == "minor")
        with self.engine.connect() as conn:
            return bool(conn.execute(q).scalar_one())

    def subject_profile(self, client: str, subject_hash: str, since: float) -> dict[str, int]:
        q = (select(items.c.self_harm, func.count()).where(
            items.c.client == client, items.c.subject_hash == subject_hash, items.c.created_at >= since,
            items.c.author_age_band != "minor").group_by(items.c.self_harm))
        with self.engine.connect() as conn:
            return {level: int(n) for level, n in conn.execute(q)}

    # -- retention --------------------------------------------------------------------
    def purge(self, before: float, key: ApiKey, vacuum: bool = True) -> int:
        """Drop the stored text and its evidence of items created before ``before``; compact the files."""
        def op(conn: Connection) -> int:
            n = conn.execute(update(items).where(items.c.created_at < before, items.c.purged_at.is_(None))
                             .values(text=None, evidence=None, purged_at=time.time())).rowcount
            self._audit(conn, key, "items.purge", None, {"items": n, "before": before}, time.time())
            return n

        n = self._writer.submit(op).result()
        self.compact(vacuum=vacuum)
        return n

    def compact(self, vacuum: bool = True) -> None:
        """Make deleted bytes leave the files: checkpoint and truncate the WAL (SQLite), vacuum."""
        if self.dialect == "sqlite":
            self._writer.submit(lambda conn: None).result()  # wait for queued writes
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
                if vacuum:
                    conn.exec_driver_sql("VACUUM")
                    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        elif vacuum:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM FULL items")

    # -- review and reports -------------------------------------------------------------
    def review_queue(self, limit: int = 50) -> list[dict[str, Any]]:
        q = (select(items).where(items.c.review_priority.is_not(None))
             .order_by(items.c.review_priority, items.c.created_at).limit(limit))
        with self.engine.connect() as conn:
            return [_public(r) for r in conn.execute(q).mappings()]

    def stats(self, since: float) -> dict[str, Any]:
        """Counts only: levels, labels, review tiers, degraded answers.  No texts, no subjects."""
        out: dict[str, Any] = {"since": since}
        with self.engine.connect() as conn:
            base = items.c.created_at >= since
            out["items"] = int(conn.execute(select(func.count()).select_from(items).where(base)).scalar_one())
            out["self_harm"] = {k: int(n) for k, n in conn.execute(
                select(items.c.self_harm, func.count()).where(base).group_by(items.c.self_harm))}
            out["review_priority"] = {k: int(n) for k, n in conn.execute(
                select(items.c.review_priority, func.count()).where(base, items.c.review_priority.is_not(None))
                .group_by(items.c.review_priority))}
            out["degraded"] = int(conn.execute(select(func.count()).select_from(items)
                                               .where(base, items.c.degraded == 1)).scalar_one())
            labels: dict[str, int] = {}
            for (ls,) in conn.execute(select(items.c.labels).where(base)):
                for label in ls or ():
                    labels[label] = labels.get(label, 0) + 1
            out["labels"] = labels
        return out

    # -- audit ---------------------------------------------------------------------------
    def _audit(self, conn: Connection, key: ApiKey, action: str, target: str | None, detail: dict | None,
               at: float) -> None:
        conn.execute(insert(audit_events).values(at=at, key_id=key.key_id, role=key.role, action=action,
                                                 target=target, detail=detail))

    def audit(self, key: ApiKey, action: str, target: str | None = None, detail: dict | None = None) -> None:
        """Append one event (who, what, which) and wait until it is committed."""
        now = time.time()
        self._writer.submit(lambda conn: self._audit(conn, key, action, target, detail, now)).result()

    def audit_events(self, after_id: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        q = select(audit_events).where(audit_events.c.id > after_id).order_by(audit_events.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [{str(k): v for k, v in r.items()} for r in conn.execute(q).mappings()]

    # -- API keys ------------------------------------------------------------------------
    def create_key(self, name: str, role: str, client: str | None = None, actor: ApiKey | None = None) -> tuple[str, ApiKey]:
        """A new key; the secret is returned once and only its hash is stored."""
        if role not in ROLES:
            raise ValueError(f"role must be one of {list(ROLES)}. Got {role!r} instead.")
        if not name.strip():
            raise ValueError("name must not be empty.")
        key_id = secrets.token_hex(6)
        secret = f"ra_{key_id}_{secrets.token_urlsafe(32)}"
        info = ApiKey(key_id=key_id, name=name, client=client or name, role=role, created_at=time.time())

        def op(conn: Connection) -> None:
            conn.execute(insert(api_keys).values(key_id=key_id, secret_hash=_sha256(secret), name=name,
                                                 client=info.client, role=role, created_at=info.created_at))
            self._audit(conn, actor or cli_actor(), "keys.create", f"key:{key_id}", {"role": role, "client": info.client},
                        info.created_at)

        self._writer.submit(op).result()
        return secret, info

    def revoke_key(self, key_id: str, actor: ApiKey | None = None) -> bool:
        def op(conn: Connection) -> bool:
            n = conn.execute(update(api_keys).where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
                             .values(revoked_at=time.time())).rowcount
            self._audit(conn, actor or cli_actor(), "keys.revoke", f"key:{key_id}", {"revoked": bool(n)}, time.time())
            return bool(n)

        done = self._writer.submit(op).result()
        self._keys.clear()
        return done

    def list_keys(self) -> list[ApiKey]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(api_keys).order_by(api_keys.c.id)).mappings()
            return [_key(r) for r in rows]

    def lookup_key(self, secret: str) -> ApiKey | None:
        """The live key for a presented secret, or None (unknown, malformed or revoked)."""
        now = time.monotonic()
        hit = self._keys.get(secret)
        if hit is not None and hit[1] > now:
            return hit[0]
        found: ApiKey | None = None
        parts = secret.split("_", 2)
        if len(parts) == 3 and parts[0] == "ra" and len(parts[1]) == 12:
            with self.engine.connect() as conn:
                row = conn.execute(select(api_keys).where(api_keys.c.key_id == parts[1])).mappings().first()
            if row is not None and hmac.compare_digest(row["secret_hash"], _sha256(secret)) and row["revoked_at"] is None:
                found = _key(row)
        if len(self._keys) > 10_000:
            self._keys.clear()
        self._keys[secret] = (found, now + self.key_cache_s)
        return found


_ITEM_COLUMNS = ("client", "kind", "item_id", "text_hash", "text", "evidence", "surface", "language", "self_harm",
                 "labels", "result", "review_priority", "degraded", "subject_hash", "author_age_band", "key_id",
                 "created_at")
_ROW_VALUES = operator.itemgetter(*_ITEM_COLUMNS)
_JSON_AT = tuple(i for i, c in enumerate(_ITEM_COLUMNS) if c in ("evidence", "labels", "result"))  # stored as JSON


@functools.lru_cache(maxsize=64)
def _sqlite_insert_sql(n_rows: int) -> str:
    row = "(" + ", ".join("?" * len(_ITEM_COLUMNS)) + ")"
    return (f"INSERT INTO items ({', '.join(_ITEM_COLUMNS)}) VALUES {', '.join([row] * n_rows)} "
            "ON CONFLICT (client, kind, item_id) DO NOTHING RETURNING client, kind, item_id")


def _sha256(secret: str) -> str:
    # Keys are 256-bit random: a fast hash is enough (no dictionary to try), unlike passwords.
    return hashlib.sha256(secret.encode()).hexdigest()


def _key(row: Any) -> ApiKey:
    return ApiKey(key_id=row["key_id"], name=row["name"], client=row["client"], role=row["role"],
                  created_at=row["created_at"], revoked_at=row["revoked_at"])


def _public(row: Any) -> dict[str, Any]:
    """A stored item as it leaves the store: no hashes."""
    return {"id": row["item_id"], "kind": row["kind"], "text": row["text"], "evidence": row["evidence"],
            "surface": row["surface"], "language": row["language"], "self_harm": row["self_harm"],
            "labels": row["labels"], "result": row["result"], "review_priority": row["review_priority"],
            "degraded": bool(row["degraded"]), "author_age_band": row["author_age_band"],
            "created_at": row["created_at"], "purged_at": row["purged_at"]}
