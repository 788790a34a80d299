"""The workshop's rules, without HTTP: cohorts, enrolment, attendance, quizzes, drafts, certificates.

One :class:`Workshop` serves the API and the command line alike, on the service's own store.
Every change is written with an audit event in the same transaction.  Completion is one
rule set, applied the same way for the progress page and for issuing a certificate:

- attendance: at least ``ceil(min_attendance x sessions)`` sessions attended;
- quiz: every module taught in the cohort's sessions passed (best attempt >= ``quiz_pass``);
- drafts: ``drafts_required`` *different* drafts about the topic that pass the check (no flag).
"""

from __future__ import annotations

import math
import re
import secrets
import time
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from ruangaman.privacy import Hasher
from ruangaman.store import ApiKey, Store, cli_actor
from ruangaman.store.schema import audit_events
from ruangaman.workshop import certificate as cert
from ruangaman.workshop.quiz import QuizBank, default_bank
from ruangaman.workshop.schema import attendance, certificates, cohorts, creators, drafts, quiz_attempts, sessions

__all__ = ["FOLLOWER_BANDS", "PLATFORMS", "Conflict", "NotComplete", "NotFound", "Workshop", "WorkshopError"]

PLATFORMS = ("tiktok", "instagram", "youtube", "x", "facebook", "threads", "other")
# Influencer tiers by followers: nano < 10k, micro 10k-100k, mid 100k-500k, macro 500k-1M, mega > 1M.
FOLLOWER_BANDS = ("nano", "micro", "mid", "macro", "mega")
DRAFT_SURFACES = ("caption", "transcript")
_HANDLE = re.compile(r"^[a-z0-9._-]{1,64}$")
_REGION = re.compile(r"^\d{2}(\.\d{2})?$")
_ID = re.compile(r"^(co|se|cr)-[0-9a-f]{10}$")


class WorkshopError(ValueError):
    """A request the workshop refuses; ``status`` and ``code`` are what the API answers."""

    status = 422
    code = "invalid_request"

    def __init__(self, message: str, code: str | None = None, details: Any = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details = details


class NotFound(WorkshopError):
    status = 404
    code = "not_found"


class Conflict(WorkshopError):
    status = 409
    code = "conflict"


class NotComplete(WorkshopError):
    """The completion rules are not met yet; ``details`` lists each unmet rule."""

    status = 409
    code = "not_complete"


def _text(value: Any, name: str, max_len: int = 200) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > max_len:
        got = f"{len(value.strip())} characters" if isinstance(value, str) else type(value).__name__
        raise WorkshopError(f"{name} must be a string of 1-{max_len} characters. Got {got} instead.",
                            f"invalid_{name}")
    return value.strip()


def _choice(value: Any, name: str, choices: Iterable[str]) -> str:
    choices = tuple(choices)
    if value not in choices:
        raise WorkshopError(f"{name} must be one of {list(choices)}. Got {value!r} instead.", f"invalid_{name}")
    return value


def _date(value: Any, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise WorkshopError(f"{name} must be a date like 2026-03-01. Got {value!r} instead.",
                            f"invalid_{name}") from None


def _datetime(value: Any, name: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise WorkshopError(f"{name} must be a date and time like 2026-03-07T19:00. Got {value!r} instead.",
                            f"invalid_{name}") from None


def _share(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1:
        raise WorkshopError(f"{name} must be a number in (0, 1]. Got {value!r} instead.", f"invalid_{name}")
    return float(value)


def _id(value: Any, kind: str) -> str:
    """An id of the right kind, or not found (a malformed id cannot exist)."""
    if not isinstance(value, str) or not _ID.match(value) or not value.startswith(kind):
        raise NotFound(f"{_KINDS[kind]} id must be an existing {kind}-... id. Got {value!r} instead.")
    return value


_KINDS = {"co": "cohort", "se": "session", "cr": "creator"}


def _new_id(kind: str) -> str:
    return f"{kind}-{secrets.token_hex(5)}"


def _audit(conn: Connection, actor: ApiKey, action: str, target: str | None, detail: dict | None = None) -> None:
    conn.execute(insert(audit_events).values(at=time.time(), key_id=actor.key_id, role=actor.role, action=action,
                                             target=target, detail=detail))


def _row(r: Any) -> dict[str, Any]:
    return {str(k): v for k, v in r.items()}


def _trend(counts: list[int]) -> dict[str, Any]:
    """Flags per draft over time: least-squares slope (negative = fewer flags with each draft)."""
    out: dict[str, Any] = {"first": counts[0] if counts else None, "last": counts[-1] if counts else None,
                           "slope": None, "falling": None}
    n = len(counts)
    if n >= 2:
        mean_x, mean_y = (n - 1) / 2, sum(counts) / n
        sxx = sum((i - mean_x) ** 2 for i in range(n))
        slope = sum((i - mean_x) * (y - mean_y) for i, y in enumerate(counts)) / sxx
        out.update(slope=round(slope, 4), falling=slope < 0)
    return out


def completion_reasons(cohort: Mapping[str, Any], session_rows: list[Mapping[str, Any]], attended: int,
                       best_scores: Mapping[str, float], passing_drafts: int) -> list[dict[str, str]]:
    """Every unmet completion rule, each with a message saying what is needed; empty means complete."""
    reasons: list[dict[str, str]] = []
    n = len(session_rows)
    if n == 0:
        reasons.append({"rule": "sessions", "message": "the cohort must have at least 1 session. Got 0 instead."})
    required = math.ceil(cohort["min_attendance"] * n - 1e-9)
    if attended < required:
        reasons.append({"rule": "attendance", "message": f"sessions attended must be at least {required} of {n}. "
                                                         f"Got {attended} instead."})
    for module in sorted({s["module"] for s in session_rows}):
        best = best_scores.get(module)
        if best is None:
            reasons.append({"rule": "quiz", "module": module, "message": f"quiz of module {module!r} must be passed "
                            f"(score at least {cohort['quiz_pass']:g}). Got no attempt instead."})
        elif best < cohort["quiz_pass"]:
            reasons.append({"rule": "quiz", "module": module, "message": f"quiz of module {module!r} must be passed "
                            f"(score at least {cohort['quiz_pass']:g}). Got a best score of {best:g} instead."})
    if passing_drafts < cohort["drafts_required"]:
        reasons.append({"rule": "drafts", "message": f"different drafts that pass the check must be at least "
                        f"{cohort['drafts_required']}. Got {passing_drafts} instead."})
    return reasons


class Workshop:
    """Mindful Makers on a :class:`~ruangaman.store.Store`.

    Parameters
    ----------
    store : the service's store (its engine, its audit log, its API keys).
    hasher : the deployment's keyed hasher; drafts are told apart by a keyed hash, never kept.
    checker : a ``DraftChecker``, or a function that makes one on first use (the service
        shares its own); default: one on ``engine``.
    engine : the assessment engine that says whether a draft is about the topic at all;
        default: the process-wide engine on the bundled model.
    bank : the quiz question bank; default: the bundled one.
    """

    def __init__(self, store: Store, hasher: Hasher, *, checker: Any = None, engine: Any = None,
                 bank: QuizBank | None = None):
        self.store = store
        self.hasher = hasher
        self._checker = checker
        self._engine = engine
        self.bank = bank or default_bank()

    # -- helpers ------------------------------------------------------------------------
    @property
    def engine(self):
        if self._engine is None:
            from ruangaman.pipeline import default_engine

            self._engine = default_engine()
        return self._engine

    @property
    def checker(self):
        from ruangaman.creators import DraftChecker

        if self._checker is None:
            self._checker = DraftChecker(engine=self.engine)
        elif not isinstance(self._checker, DraftChecker) and callable(self._checker):
            self._checker = self._checker()
        return self._checker

    def _cohort(self, conn: Connection, cohort_id: Any) -> dict[str, Any]:
        row = conn.execute(select(cohorts).where(cohorts.c.id == _id(cohort_id, "co"))).mappings().first()
        if row is None:
            raise NotFound(f"cohort id must be an existing cohort. Got {cohort_id!r} instead.")
        return _row(row)

    def _creator(self, conn: Connection, creator_id: Any) -> dict[str, Any]:
        row = conn.execute(select(creators).where(creators.c.id == _id(creator_id, "cr"))).mappings().first()
        if row is None:
            raise NotFound(f"creator id must be an enrolled creator. Got {creator_id!r} instead.")
        return _row(row)

    def _sessions(self, conn: Connection, cohort_id: str) -> list[dict[str, Any]]:
        q = select(sessions).where(sessions.c.cohort_id == cohort_id).order_by(sessions.c.starts_at, sessions.c.id)
        return [_row(r) for r in conn.execute(q).mappings()]

    @staticmethod
    def _public_cohort(c: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": c["id"], "name": c["name"], "starts_on": c["starts_on"], "ends_on": c["ends_on"],
                "rules": {"min_attendance": c["min_attendance"], "quiz_pass": c["quiz_pass"],
                          "drafts_required": c["drafts_required"]}, "created_at": c["created_at"]}

    @staticmethod
    def _public_session(s: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": s["id"], "cohort_id": s["cohort_id"], "title": s["title"], "module": s["module"],
                "starts_at": s["starts_at"]}

    @staticmethod
    def _public_creator(c: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": c["id"], "cohort_id": c["cohort_id"], "handle": c["handle"], "platform": c["platform"],
                "follower_band": c["follower_band"], "region": c["region"], "enrolled_at": c["enrolled_at"]}

    # -- cohorts and sessions (staff) ------------------------------------------------------
    def create_cohort(self, name: Any, starts_on: Any, ends_on: Any, *, min_attendance: Any = 0.8,
                      quiz_pass: Any = 0.8, drafts_required: Any = 3, actor: ApiKey | None = None) -> dict[str, Any]:
        """A new cohort with its completion rules (kept with the cohort: later cohorts may differ)."""
        name = _text(name, "name")
        start, end = _date(starts_on, "starts_on"), _date(ends_on, "ends_on")
        if end < start:
            raise WorkshopError(f"ends_on must be on or after starts_on ({start}). Got {end} instead.", "invalid_ends_on")
        if isinstance(drafts_required, bool) or not isinstance(drafts_required, int) or not 1 <= drafts_required <= 20:
            raise WorkshopError(f"drafts_required must be an integer in [1, 20]. Got {drafts_required!r} instead.",
                                "invalid_drafts_required")
        row = {"id": _new_id("co"), "name": name, "starts_on": start.isoformat(), "ends_on": end.isoformat(),
               "min_attendance": _share(min_attendance, "min_attendance"), "quiz_pass": _share(quiz_pass, "quiz_pass"),
               "drafts_required": drafts_required, "created_at": time.time()}
        with self.store.engine.begin() as conn:
            conn.execute(insert(cohorts).values(**row))
            _audit(conn, actor or cli_actor(), "workshop.cohort.create", f"cohort:{row['id']}")
        return self._public_cohort(row)

    def list_cohorts(self) -> list[dict[str, Any]]:
        with self.store.engine.connect() as conn:
            rows = [_row(r) for r in conn.execute(select(cohorts).order_by(cohorts.c.starts_on, cohorts.c.id)).mappings()]
            n_sessions = dict(conn.execute(select(sessions.c.cohort_id, func.count()).group_by(sessions.c.cohort_id)).all())
            n_creators = dict(conn.execute(select(creators.c.cohort_id, func.count()).group_by(creators.c.cohort_id)).all())
            n_certs = dict(conn.execute(select(certificates.c.cohort_id, func.count())
                                        .where(certificates.c.revoked_at.is_(None))
                                        .group_by(certificates.c.cohort_id)).all())
        return [dict(self._public_cohort(c), sessions=int(n_sessions.get(c["id"], 0)),
                     creators=int(n_creators.get(c["id"], 0)), certificates=int(n_certs.get(c["id"], 0)))
                for c in rows]

    def cohort(self, cohort_id: Any) -> dict[str, Any]:
        """A cohort with its schedule and its enrolled creators."""
        with self.store.engine.connect() as conn:
            c = self._cohort(conn, cohort_id)
            ss = self._sessions(conn, c["id"])
            cs = conn.execute(select(creators).where(creators.c.cohort_id == c["id"])
                              .order_by(creators.c.enrolled_at, creators.c.id)).mappings()
            return dict(self._public_cohort(c), sessions=[self._public_session(s) for s in ss],
                        creators=[self._public_creator(x) for x in cs])

    def add_session(self, cohort_id: Any, title: Any, module: Any, starts_at: Any,
                    actor: ApiKey | None = None) -> dict[str, Any]:
        """A session of the schedule; ``module`` is the quiz module it teaches (it becomes required)."""
        title = _text(title, "title")
        module = _choice(module, "module", self.bank.modules)
        when = _datetime(starts_at, "starts_at")
        with self.store.engine.begin() as conn:
            c = self._cohort(conn, cohort_id)
            if not c["starts_on"] <= when.date().isoformat() <= c["ends_on"]:
                raise WorkshopError(f"starts_at must fall within the cohort's dates ({c['starts_on']} to "
                                    f"{c['ends_on']}). Got {when.date()} instead.", "invalid_starts_at")
            row = {"id": _new_id("se"), "cohort_id": c["id"], "title": title, "module": module,
                   "starts_at": when.isoformat(timespec="minutes"), "created_at": time.time()}
            conn.execute(insert(sessions).values(**row))
            _audit(conn, actor or cli_actor(), "workshop.session.add", f"cohort:{c['id']}/session:{row['id']}")
        return self._public_session(row)

    # -- creators (staff) ------------------------------------------------------------------
    def enrol(self, cohort_id: Any, handle: Any, platform: Any, follower_band: Any, region: Any,
              actor: ApiKey | None = None) -> dict[str, Any]:
        """Enrol a creator by public handle (stored lower case, without '@')."""
        h = _text(handle, "handle", 65).lstrip("@").lower()
        if not _HANDLE.match(h):
            raise WorkshopError(f"handle must be 1-64 letters, digits, '.', '_' or '-' (an optional '@' first). "
                                f"Got {handle!r} instead.", "invalid_handle")
        platform = _choice(platform, "platform", PLATFORMS)
        follower_band = _choice(follower_band, "follower_band", FOLLOWER_BANDS)
        if not isinstance(region, str) or not _REGION.match(region):
            raise WorkshopError(f"region must be a BPS code such as '31' or '32.73'. Got {region!r} instead.",
                                "invalid_region")
        row = {"id": _new_id("cr"), "handle": h, "platform": platform, "follower_band": follower_band,
               "region": region, "enrolled_at": time.time()}
        try:
            with self.store.engine.begin() as conn:
                c = self._cohort(conn, cohort_id)
                row["cohort_id"] = c["id"]
                taken = conn.execute(select(creators.c.id).where(creators.c.cohort_id == c["id"],
                                                                 creators.c.platform == platform,
                                                                 creators.c.handle == h)).first()
                if taken is not None:
                    raise Conflict(f"@{h} on {platform} must be enrolled once per cohort. Got a second enrolment "
                                   f"instead (creator {taken[0]}).", "already_enrolled")
                conn.execute(insert(creators).values(**row))
                _audit(conn, actor or cli_actor(), "workshop.enrol", f"cohort:{c['id']}/creator:{row['id']}")
        except IntegrityError:  # a concurrent enrolment of the same handle won the race
            raise Conflict(f"@{h} on {platform} must be enrolled once per cohort. Got a second enrolment instead.",
                           "already_enrolled") from None
        return self._public_creator(row)

    def creator(self, creator_id: Any) -> dict[str, Any]:
        with self.store.engine.connect() as conn:
            return self._public_creator(self._creator(conn, creator_id))

    def creator_for_key(self, key: ApiKey) -> str:
        """The creator a creator key speaks for (the key's client is the creator's id)."""
        if key.role != "creator":
            err = WorkshopError(f"key role must be 'creator'. Got {key.role!r} instead.", "forbidden")
            err.status = 403
            raise err
        with self.store.engine.connect() as conn:
            row = None
            if _ID.match(key.client or "") and key.client.startswith("cr-"):
                row = conn.execute(select(creators.c.id).where(creators.c.id == key.client)).first()
        if row is None:
            raise NotFound(f"this creator key must be linked to an enrolled creator (create it with `ruangaman "
                           f"workshop creator-key`). Got client {key.client!r} instead.", "not_enrolled")
        return row[0]

    def creator_key(self, creator_id: Any, actor: ApiKey | None = None) -> tuple[str, ApiKey]:
        """A new API key with role ``creator`` for one enrolled creator; the secret is returned once."""
        c = self.creator(creator_id)
        return self.store.create_key(f"creator @{c['handle']} ({c['platform']})", "creator", c["id"],
                                     actor=actor or cli_actor())

    def record_attendance(self, session_id: Any, present: Iterable[Any] = (), absent: Iterable[Any] = (),
                          actor: ApiKey | None = None) -> dict[str, Any]:
        """Mark creators present or absent at a session (recording again corrects the mark)."""
        present, absent = list(present), list(absent)
        both = set(map(str, present)) & set(map(str, absent))
        if both:
            raise WorkshopError(f"a creator must be either present or absent. Got both for {sorted(both)} instead.",
                                "invalid_attendance")
        if not present and not absent:
            raise WorkshopError("attendance must name at least one creator. Got none instead.", "invalid_attendance")
        actor = actor or cli_actor()
        sid = _id(session_id, "se")
        with self.store.engine.begin() as conn:
            s = conn.execute(select(sessions).where(sessions.c.id == sid)).mappings().first()
            if s is None:
                raise NotFound(f"session id must be an existing session. Got {session_id!r} instead.")
            marks = [(cid, 1) for cid in present] + [(cid, 0) for cid in absent]
            now = time.time()
            ins = (postgresql.insert if self.store.dialect == "postgresql" else sqlite.insert)(attendance)
            for cid, mark in marks:
                c = self._creator(conn, cid)
                if c["cohort_id"] != s["cohort_id"]:
                    raise WorkshopError(f"creator {c['id']} must be enrolled in the session's cohort "
                                        f"{s['cohort_id']}. Got cohort {c['cohort_id']} instead.", "wrong_cohort")
                values = {"session_id": sid, "creator_id": c["id"], "present": mark, "recorded_at": now,
                          "recorded_by": actor.key_id}
                conn.execute(ins.values(**values).on_conflict_do_update(
                    index_elements=["session_id", "creator_id"],
                    set_={"present": mark, "recorded_at": now, "recorded_by": actor.key_id}))
            _audit(conn, actor, "workshop.attendance", f"session:{sid}",
                   {"present": len(present), "absent": len(absent)})
        return {"session_id": sid, "present": sorted(map(str, present)), "absent": sorted(map(str, absent))}

    # -- quiz (creator) --------------------------------------------------------------------
    def quiz(self, module: Any, lang: Any = "id") -> dict[str, Any]:
        """A module's questions as a creator sees them (no answers)."""
        try:
            return self.bank.quiz(module, lang)
        except ValueError as e:
            raise WorkshopError(str(e), "invalid_quiz") from None

    def submit_quiz(self, creator_id: Any, module: Any, answers: Any, lang: Any = "id",
                    actor: ApiKey | None = None) -> dict[str, Any]:
        """Score and store one attempt; the answer is shown with its explanation (retakes allowed, best counts)."""
        with self.store.engine.begin() as conn:
            c = self._creator(conn, creator_id)
            cohort = self._cohort(conn, c["cohort_id"])
            try:
                result = self.bank.score(module, answers, cohort["quiz_pass"], lang)
            except ValueError as e:
                raise WorkshopError(str(e), "invalid_quiz") from None
            conn.execute(insert(quiz_attempts).values(
                creator_id=c["id"], module=result.module, lang=lang, answers=result.answers, correct=result.correct,
                total=result.total, score=result.score, passed=int(result.passed), taken_at=time.time()))
            attempt = conn.execute(select(func.count()).select_from(quiz_attempts).where(
                quiz_attempts.c.creator_id == c["id"], quiz_attempts.c.module == result.module)).scalar_one()
            _audit(conn, actor or cli_actor(), "workshop.quiz", f"creator:{c['id']}",
                   {"module": result.module, "score": result.score})
        return dict(result.to_dict(), attempt=int(attempt))

    # -- drafts (creator) ------------------------------------------------------------------
    def submit_draft(self, creator_id: Any, text: Any, surface: Any = "caption",
                     actor: ApiKey | None = None) -> dict[str, Any]:
        """Check a draft and keep what the check said (not the text).

        A draft passes when it is about suicide, self-harm or mental health and raises no flag;
        the same text again (up to spacing and case) is checked but is not a new passing draft.
        Raises ``InputError`` for a text or surface the checker refuses.
        """
        with self.store.engine.connect() as conn:
            c = self._creator(conn, creator_id)
            cohort = self._cohort(conn, c["cohort_id"])
        report = self.checker.check(text, surface)  # InputError on a bad text or surface
        a = self.engine.assess(text, "caption")
        on_topic = a.self_harm != "none" or bool(a.labels)
        passed = on_topic and not report.flags
        flags = [f.flag for f in report.flags]
        digest = self.hasher.text(f"workshop-draft\x00{c['id']}\x00" + " ".join(text.split()).casefold())
        now = time.time()
        with self.store.engine.begin() as conn:
            repeat = conn.execute(select(func.count()).select_from(drafts).where(
                drafts.c.creator_id == c["id"], drafts.c.text_hash == digest)).scalar_one() > 0
            conn.execute(insert(drafts).values(creator_id=c["id"], text_hash=digest, surface=surface,
                                               language=report.language, flags=flags, n_flags=len(flags),
                                               score=report.score, on_topic=int(on_topic), passed=int(passed),
                                               checked_at=now))
            n = conn.execute(select(func.count()).select_from(drafts).where(drafts.c.creator_id == c["id"])).scalar_one()
            passing = conn.execute(select(func.count(func.distinct(drafts.c.text_hash))).where(
                drafts.c.creator_id == c["id"], drafts.c.passed == 1)).scalar_one()
            _audit(conn, actor or cli_actor(), "workshop.draft", f"creator:{c['id']}",
                   {"flags": len(flags), "passed": passed})
        out = report.to_dict()
        out["draft"] = {"n": int(n), "on_topic": on_topic, "passed": passed, "repeat": repeat, "checked_at": now}
        out["drafts"] = {"passing": int(passing), "required": cohort["drafts_required"]}
        return out

    # -- progress and completion -------------------------------------------------------------
    def progress(self, creator_id: Any) -> dict[str, Any]:
        """Where a creator stands: attendance, quizzes, drafts over time, completion, certificate."""
        with self.store.engine.connect() as conn:
            return self._progress(conn, self._creator(conn, creator_id))

    def _progress(self, conn: Connection, c: Mapping[str, Any]) -> dict[str, Any]:
        cohort = self._cohort(conn, c["cohort_id"])
        ss = self._sessions(conn, cohort["id"])
        marks = dict(conn.execute(select(attendance.c.session_id, attendance.c.present)
                                  .where(attendance.c.creator_id == c["id"])).all())
        attended = sum(1 for s in ss if marks.get(s["id"]) == 1)
        quiz_rows = conn.execute(select(quiz_attempts.c.module, func.max(quiz_attempts.c.score), func.count())
                                 .where(quiz_attempts.c.creator_id == c["id"]).group_by(quiz_attempts.c.module)).all()
        best = {m: float(s) for m, s, _ in quiz_rows}
        tries = {m: int(n) for m, _, n in quiz_rows}
        draft_rows = [_row(r) for r in conn.execute(select(drafts).where(drafts.c.creator_id == c["id"])
                                                     .order_by(drafts.c.id)).mappings()]
        passing = len({d["text_hash"] for d in draft_rows if d["passed"]})
        reasons = completion_reasons(cohort, ss, attended, best, passing)
        cert_row = conn.execute(select(certificates).where(certificates.c.creator_id == c["id"])).mappings().first()
        required_modules = sorted({s["module"] for s in ss})
        checked = [{"n": i + 1, "flags": d["flags"], "n_flags": d["n_flags"], "score": d["score"],
                    "on_topic": bool(d["on_topic"]), "passed": bool(d["passed"]), "checked_at": d["checked_at"]}
                   for i, d in enumerate(draft_rows)]
        on_topic_counts = [d["n_flags"] for d in draft_rows if d["on_topic"]]
        return {
            "creator": self._public_creator(c),
            "cohort": {"id": cohort["id"], "name": cohort["name"], "starts_on": cohort["starts_on"],
                       "ends_on": cohort["ends_on"]},
            "attendance": {"attended": attended, "sessions": len(ss),
                           "required": math.ceil(cohort["min_attendance"] * len(ss) - 1e-9),
                           "schedule": [dict(self._public_session(s), present=None if s["id"] not in marks
                                             else bool(marks[s["id"]])) for s in ss]},
            "quiz": {"pass_score": cohort["quiz_pass"], "required_modules": required_modules,
                     "modules": {m: {"title": dict(self.bank.modules[m]) if m in self.bank.modules else None,
                                     "best": best.get(m), "attempts": tries.get(m, 0),
                                     "passed": best.get(m, -1.0) >= cohort["quiz_pass"]}
                                 for m in sorted(set(required_modules) | set(best))}},
            "drafts": {"required": cohort["drafts_required"], "passing": passing, "checked": checked,
                       "flags_per_draft": on_topic_counts, "trend": _trend(on_topic_counts)},
            "completion": {"complete": not reasons, "reasons": reasons},
            "certificate": None if cert_row is None else self._public_certificate(cert_row),
        }

    def complete(self, creator_id: Any, actor: ApiKey | None = None) -> dict[str, Any]:
        """Check the completion rules and issue the certificate (once: asking again returns it).

        Raises :class:`NotComplete` with every unmet rule in ``details``.
        """
        actor = actor or cli_actor()
        try:
            return self._complete(creator_id, actor)
        except IntegrityError:  # a concurrent request issued it first: answer with that one
            return dict(self.certificate_of(creator_id), issued_now=False)

    def _complete(self, creator_id: Any, actor: ApiKey) -> dict[str, Any]:
        with self.store.engine.begin() as conn:
            c = self._creator(conn, creator_id)
            existing = conn.execute(select(certificates).where(certificates.c.creator_id == c["id"])).mappings().first()
            if existing is not None:
                return dict(self._public_certificate(existing), issued_now=False)
            p = self._progress(conn, c)
            if not p["completion"]["complete"]:
                reasons = p["completion"]["reasons"]
                raise NotComplete(f"the completion rules must all be met. Got {len(reasons)} unmet: "
                                  + "; ".join(r["message"] for r in reasons), details=reasons)
            cohort = p["cohort"]
            details = {"handle": c["handle"], "platform": c["platform"], "cohort": cohort,
                       "attendance": {"attended": p["attendance"]["attended"], "sessions": p["attendance"]["sessions"]},
                       "quiz": {m: p["quiz"]["modules"][m]["best"] for m in p["quiz"]["required_modules"]},
                       "drafts": {"passing": p["drafts"]["passing"]}}
            row = {"code": cert.new_code(), "creator_id": c["id"], "cohort_id": cohort["id"], "details": details,
                   "issued_at": time.time(), "issued_by": actor.key_id, "revoked_at": None, "revoked_reason": None}
            conn.execute(insert(certificates).values(**row))
            _audit(conn, actor, "workshop.certificate.issue", f"creator:{c['id']}", {"cohort": cohort["id"]})
        return dict(self._public_certificate(row), issued_now=True)

    @staticmethod
    def _public_certificate(row: Mapping[str, Any]) -> dict[str, Any]:
        d = row["details"]
        return {"code": row["code"], "valid": row["revoked_at"] is None,
                "status": "valid" if row["revoked_at"] is None else "revoked",
                "handle": d["handle"], "platform": d["platform"], "cohort": d["cohort"],
                "completed": {"attendance": d["attendance"], "quiz": d["quiz"], "drafts": d["drafts"]},
                "issued_at": row["issued_at"], "issued_on": cert.issued_on(row["issued_at"]),
                "revoked_at": row["revoked_at"], "html": f"/certificates/{row['code']}",
                "pdf": f"/certificates/{row['code']}.pdf", "verify": f"/v1/certificates/{row['code']}"}

    def certificate_of(self, creator_id: Any) -> dict[str, Any]:
        with self.store.engine.connect() as conn:
            c = self._creator(conn, creator_id)
            row = conn.execute(select(certificates).where(certificates.c.creator_id == c["id"])).mappings().first()
        if row is None:
            raise NotFound(f"creator {c['id']} must have completed the workshop to have a certificate. "
                           "Got no certificate instead.", "no_certificate")
        return self._public_certificate(row)

    def _certificate_row(self, code: Any) -> dict[str, Any] | None:
        canonical = cert.normalize_code(code)
        if canonical is None:
            return None
        with self.store.engine.connect() as conn:
            row = conn.execute(select(certificates).where(certificates.c.code == canonical)).mappings().first()
        return None if row is None else _row(row)

    def verify(self, code: Any) -> dict[str, Any] | None:
        """Who completed what and when, for anyone holding the code; None for an unknown or altered code."""
        row = self._certificate_row(code)
        return None if row is None else self._public_certificate(row)

    def certificate_html(self, code: Any) -> str | None:
        row = self._certificate_row(code)
        return None if row is None else cert.render_html(row)

    def certificate_pdf(self, code: Any) -> bytes | None:
        row = self._certificate_row(code)
        return None if row is None else cert.render_pdf(row)

    def revoke_certificate(self, code: Any, reason: Any, actor: ApiKey | None = None) -> dict[str, Any]:
        """Withdraw a certificate (it still verifies, as revoked, so a holder cannot pass it off)."""
        reason = _text(reason, "reason", 300)
        row = self._certificate_row(code)
        if row is None:
            raise NotFound(f"code must be an issued certificate's code. Got {code!r} instead.")
        with self.store.engine.begin() as conn:
            conn.execute(update(certificates).where(certificates.c.code == row["code"], certificates.c.revoked_at.is_(None))
                         .values(revoked_at=time.time(), revoked_reason=reason))
            _audit(conn, actor or cli_actor(), "workshop.certificate.revoke", f"creator:{row['creator_id']}", None)
        return self.verify(row["code"])  # type: ignore[return-value]

    # -- the program report (staff) --------------------------------------------------------------
    def report(self, cohort_id: Any) -> dict[str, Any]:
        """A cohort's outcomes: completion, and flags per draft falling over the drafts each creator checked."""
        with self.store.engine.connect() as conn:
            cohort = self._cohort(conn, cohort_id)
            rows = [_row(r) for r in conn.execute(select(creators).where(creators.c.cohort_id == cohort["id"])
                                                  .order_by(creators.c.enrolled_at, creators.c.id)).mappings()]
            progress = [self._progress(conn, c) for c in rows]
        by_draft: dict[int, list[int]] = {}
        flag_totals: dict[str, int] = {}
        people = []
        for p in progress:
            counts = p["drafts"]["flags_per_draft"]
            for i, n in enumerate(counts):
                by_draft.setdefault(i + 1, []).append(n)
            for d in p["drafts"]["checked"]:
                for f in d["flags"]:
                    flag_totals[f] = flag_totals.get(f, 0) + 1
            people.append({"creator": p["creator"], "attended": p["attendance"]["attended"],
                           "quiz": {m: v["best"] for m, v in p["quiz"]["modules"].items()},
                           "drafts_checked": len(p["drafts"]["checked"]), "drafts_passing": p["drafts"]["passing"],
                           "flags_per_draft": counts, "trend": p["drafts"]["trend"],
                           "complete": p["completion"]["complete"],
                           "certificate": None if p["certificate"] is None else p["certificate"]["code"]})
        trends = [p["trend"] for p in people if p["trend"]["slope"] is not None]
        return {
            "cohort": self._public_cohort(cohort),
            "creators": len(people), "complete": sum(p["complete"] for p in people),
            "certificates": sum(p["certificate"] is not None for p in people),
            "flags_by_draft": [{"draft": k, "creators": len(v), "mean_flags": round(sum(v) / len(v), 3)}
                               for k, v in sorted(by_draft.items())],
            "falling": {"creators": sum(t["falling"] for t in trends), "of": len(trends)},
            "flag_totals": dict(sorted(flag_totals.items())),
            "people": people,
        }

