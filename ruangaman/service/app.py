"""The HTTP API: thin routes over the engine, the policy and the store.

Every route declares the roles that may call it; every answer that is not a success has the
one error shape of :mod:`ruangaman.service.errors`; paths never carry texts or user ids (they
end up in access logs), so data-subject requests send the user id in the body.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from fastapi import Depends, FastAPI, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ruangaman import __version__
from ruangaman.assess import AssessmentEngine, InputError
from ruangaman.model import ModelError
from ruangaman.privacy import Hasher
from ruangaman.service import schemas as S
from ruangaman.service.core import ASSESS_FIELDS, DECIDE_FIELDS, Core
from ruangaman.service.errors import ApiError, install_handlers
from ruangaman.service.http import body_doc as _body_doc
from ruangaman.service.http import error_responses as _errors
from ruangaman.service.http import input_error as _input_error
from ruangaman.service.http import json_response as _json
from ruangaman.service.http import read_json as _body
from ruangaman.service.middleware import BodyLimit, Metrics
from ruangaman.service.settings import Settings
from ruangaman.store import ApiKey, ItemRecord, Store, Stored

__all__ = ["create_app", "app_from_env", "PUBLIC_PATHS"]

log = logging.getLogger("ruangaman.service")
PUBLIC_PATHS = ("/healthz", "/readyz", "/metrics", "/openapi.json")
ANY_ROLE = ("platform", "reviewer", "analyst", "admin", "staff", "creator")
DRAFT_ROLES = ("platform", "creator", "staff")
_STATIC = Path(__file__).with_name("static")


@dataclass
class Runtime:
    settings: Settings
    store: Store
    core: Core
    metrics: Metrics
    model_error: str | None


def create_app(settings: Settings | None = None, *, store: Store | None = None,
               engine: AssessmentEngine | None = None, load_model: bool = True) -> FastAPI:
    """The app on ``settings`` (default: from RUANGAMAN_* variables); refuses a store not at schema head."""
    settings = settings or Settings.load()
    own_store = store is None
    store = store or Store(settings.database_url, key_cache_s=settings.key_cache_seconds)
    store.check_schema()
    model_error = None
    if engine is None and load_model:
        try:
            engine = AssessmentEngine(max_chars=settings.max_text_chars)
            engine.warm_up()
        except ModelError as e:  # serve from the rule safety net, marked degraded, and say so in /readyz
            log.error("model unavailable; answers come from the rule safety net: %s", e)
            model_error = str(e)
    elif engine is None:
        model_error = "model not loaded"
    rt = Runtime(settings, store, Core(settings, engine, Hasher(settings.secret_key)), Metrics(), model_error)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        if own_store:
            store.close()

    app = FastAPI(title="Ruang Aman", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Mental-health safety for social and short-video platforms. Authenticate with "
                              "`Authorization: Bearer <key>` (keys from `ruangaman keys create`).")
    app.state.runtime = rt
    install_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(_MetricsMiddleware, metrics=rt.metrics)

    def role(*roles: str) -> Callable:
        async def dependency(request: Request) -> ApiKey:
            header = request.headers.get("authorization", "")
            secret = header[7:].strip() if header[:7].lower() == "bearer " else request.headers.get("x-api-key", "")
            if not secret:
                raise ApiError(401, "unauthenticated", "an API key is required: send Authorization: Bearer <key>.",
                               headers={"WWW-Authenticate": "Bearer"})
            key = rt.store.lookup_key(secret)
            if key is None:
                raise ApiError(401, "unauthenticated", "API key must be a live key. Got an unknown or revoked key "
                               "instead.", headers={"WWW-Authenticate": "Bearer"})
            if key.role not in roles:
                raise ApiError(403, "forbidden", f"key role must be one of {list(roles)} for this endpoint. "
                               f"Got {key.role!r} instead.")
            return key

        return dependency

    def roles_doc(*roles: str) -> dict[str, Any]:
        return {"x-roles": list(roles), "security": [{"bearer": []}]}

    committer = _LoopCommitter(rt.store)
    batcher = _LoopBatcher(rt.core.assess, rt.settings.max_batch_items, rt.metrics.batch_group.observe)

    async def store_items(key: ApiKey, records: list[ItemRecord], answers: list[dict[str, Any]]) -> list[Stored]:
        try:
            return await committer.put(key.client, key, records, "items.create")
        except Exception as e:  # noqa: BLE001 - answer anyway (safety first) but say it is not stored
            log.error("store failed: %s", type(e).__name__)
            raise ApiError(503, "store_unavailable", "the result could not be stored; act on it and retry later "
                           "with the same id.", extra={"results": answers}) from None

    def answer_one(stored: Stored) -> Response:
        if stored.conflict:
            raise ApiError(409, "id_conflict", f"id {stored.item_id!r} is already stored with a different text; "
                           "use a new id for a new text.")
        if stored.replayed:
            rt.metrics.replayed.inc()
        return _json(stored.result, headers={"Idempotent-Replayed": "true" if stored.replayed else "false"})

    def count(*results: dict[str, Any]) -> None:
        levels = Counter(r["self_harm"] for r in results)
        for level, n in levels.items():
            rt.metrics.assessed.labels(level).inc(n)
        degraded = sum(1 for r in results if r.get("degraded"))
        if degraded:
            rt.metrics.degraded.inc(degraded)

    # -- probes ----------------------------------------------------------------------------
    @app.get("/healthz", tags=["probes"], summary="Liveness: the process answers.")
    async def healthz() -> Response:
        return _json({"status": "ok"})

    @app.get("/readyz", tags=["probes"], summary="Readiness: the store answers and the model is loaded.",
             responses=_errors(503))
    async def readyz() -> Response:
        checks = {"model": "ok" if rt.model_error is None else "degraded"}
        try:
            await run_in_threadpool(rt.store.ping)
            checks["store"] = "ok"
        except Exception as e:  # noqa: BLE001
            checks["store"] = f"error: {type(e).__name__}"
        if checks["store"] != "ok":
            raise ApiError(503, "not_ready", "the store does not answer.", details=checks)
        return _json({"status": "ok" if rt.model_error is None else "degraded", "checks": checks})

    @app.get("/metrics", tags=["probes"], summary="Prometheus metrics (counts and latencies, never texts).")
    async def metrics() -> Response:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        return Response(generate_latest(rt.metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/creators/check", tags=["creators"], include_in_schema=False)
    async def draft_page() -> Response:
        """The draft page: paste, check, see it highlighted (the check itself needs a key)."""
        return Response((_STATIC / "draft.html").read_bytes(), media_type="text/html; charset=utf-8",
                        headers=_PAGE_HEADERS)

    @app.get("/creators/check.js", tags=["creators"], include_in_schema=False)
    async def draft_script() -> Response:
        return Response((_STATIC / "draft.js").read_bytes(), media_type="text/javascript; charset=utf-8",
                        headers=_PAGE_HEADERS)

    @app.get("/v1/ping", tags=["probes"], response_model=S.PingOut, openapi_extra=roles_doc(*ANY_ROLE),
             summary="A constant answer behind the same key check: the baseline for load benchmarks.",
             responses=_errors(401, 403))
    async def ping(key: ApiKey = Depends(role(*ANY_ROLE))) -> Response:
        return _json({"ok": True})

    # -- assess and decide ------------------------------------------------------------------
    @app.post("/v1/assess", tags=["assess"], response_model=S.AssessOut, openapi_extra=_body_doc(S.AssessIn, "platform"),
              summary="Assess one text and store the result (idempotent on the client's id).",
              responses=_errors(400, 401, 403, 409, 413, 422, 503))
    async def assess_one(request: Request, key: ApiKey = Depends(role("platform"))) -> Response:
        try:
            item = rt.core.check(await _body(request), ASSESS_FIELDS)
        except InputError as e:
            raise _input_error(e) from None
        result = rt.core.assess([item])[0].to_dict()
        count(result)
        stored = await store_items(key, [rt.core.record("assess", key.client, item, result, result["evidence"])], [result])
        return answer_one(stored[0])

    @app.post("/v1/assess/batch", tags=["assess"], response_model=S.BatchOut,
              openapi_extra=_body_doc(S.BatchIn, "platform"),
              summary="Assess many texts; a bad item gets an error record and the others go on.",
              responses=_errors(400, 401, 403, 413, 422, 503))
    async def assess_batch(request: Request, key: ApiKey = Depends(role("platform"))) -> Response:
        raw_items = _batch_items(await _body(request), rt.settings.max_batch_items)
        out: list[dict[str, Any] | None] = [None] * len(raw_items)
        valid: list[tuple[int, dict[str, Any]]] = []
        for i, obj in enumerate(raw_items):
            try:
                valid.append((i, rt.core.check(obj, ASSESS_FIELDS)))
            except InputError as e:
                out[i] = {"id": getattr(e, "id", None), "index": i, "error": {"code": e.code, "message": str(e)}}
        results: list[dict[str, Any]] = []
        if valid:
            assessments = await batcher.put([it for _, it in valid])
            results = [a.to_dict() for a in assessments]
            records = [rt.core.record("assess", key.client, it, r, r["evidence"]) for (_, it), r in zip(valid, results)]
            stored = await store_items(key, records, results)
            for (i, it), s, r in zip(valid, stored, results):
                if s.conflict:
                    out[i] = {"id": it["id"], "index": i, "error": {"code": "id_conflict", "message":
                              f"id {it['id']!r} is already stored with a different text."}}
                else:
                    out[i] = dict(s.result or r, replayed=s.replayed)
            count(*(r for s, r in zip(stored, results) if not s.conflict))
        failed = sum(1 for o in out if o is not None and "error" in o)
        return _json({"results": out, "ok": len(out) - failed, "failed": failed})

    @app.post("/v1/decide", tags=["assess"], response_model=S.DecideOut,
              openapi_extra=_body_doc(S.DecideIn, "platform"),
              summary="What to do about one text in its context (helpline card, review, reach...); stored.",
              responses=_errors(400, 401, 403, 409, 413, 422, 503))
    async def decide(request: Request, key: ApiKey = Depends(role("platform"))) -> Response:
        try:
            item = rt.core.check(await _body(request), DECIDE_FIELDS)
            result, evidence = await run_in_threadpool(rt.core.decide, item)
        except InputError as e:
            raise _input_error(e) from None
        count(result)
        stored = await store_items(key, [rt.core.record("decide", key.client, item, result, evidence)], [result])
        return answer_one(stored[0])

    @app.get("/v1/items/{kind}/{item_id}", tags=["items"], response_model=S.ItemOut,
             openapi_extra=roles_doc("platform"), responses=_errors(401, 403, 404, 422),
             summary="A stored item of the calling client (redacted text, evidence, result). Audited.")
    async def get_item(kind: str, item_id: str, key: ApiKey = Depends(role("platform"))) -> Response:
        if kind not in ("assess", "decide"):
            raise ApiError(422, "invalid_kind", f"kind must be 'assess' or 'decide'. Got {kind!r} instead.")
        row = await run_in_threadpool(rt.store.get_item, key.client, kind, item_id)
        await run_in_threadpool(rt.store.audit, key, "items.read", f"client:{key.client}/{kind}:{item_id}",
                                {"found": row is not None})
        if row is None:
            raise ApiError(404, "not_found", f"no {kind} item with id {item_id!r} for this client.")
        return _json(row)

    # -- data-subject requests (UU 27/2022) -------------------------------------------------
    def subject(body: Any, key: ApiKey) -> str:
        if not isinstance(body, dict) or set(body) != {"author_id"} or not isinstance(body["author_id"], str) \
                or not 0 < len(body["author_id"]) <= 200:
            raise ApiError(422, "invalid_request", 'body must be {"author_id": "<platform user id>"}.')
        return rt.core.hasher.subject(key.client, body["author_id"])

    subject_doc = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["author_id"], "additionalProperties": False,
        "properties": {"author_id": {"type": "string", "maxLength": 200}}}}}}}

    @app.post("/v1/subjects/export", tags=["subjects"], response_model=S.SubjectExportOut,
              openapi_extra=dict(subject_doc, **roles_doc("platform")), responses=_errors(401, 403, 422),
              summary="Everything stored for one of the client's users (data-subject access). Audited.")
    async def subject_export(request: Request, key: ApiKey = Depends(role("platform"))) -> Response:
        h = subject(await _body(request), key)
        rows = await run_in_threadpool(rt.store.subject_items, key.client, h)
        await run_in_threadpool(rt.store.audit, key, "subject.export", f"client:{key.client}/subject:{h[:12]}",
                                {"items": len(rows)})
        return _json({"items": rows})

    @app.post("/v1/subjects/erase", tags=["subjects"], response_model=S.ErasedOut,
              openapi_extra=dict(subject_doc, **roles_doc("platform")), responses=_errors(401, 403, 422),
              summary="Erase everything stored for one of the client's users (right to erasure). Audited.")
    async def subject_erase(request: Request, key: ApiKey = Depends(role("platform"))) -> Response:
        h = subject(await _body(request), key)
        n = await run_in_threadpool(rt.store.erase_subject, key.client, h, key)
        return _json({"erased": n})

    @app.post("/v1/subjects/profile", tags=["subjects"], response_model=S.ProfileOut,
              openapi_extra=dict(subject_doc, **roles_doc("platform")), responses=_errors(401, 403, 422),
              summary="Levels of an adult user's recent items. Never built for minors: each of their texts "
                      "stands alone.")
    async def subject_profile(request: Request, days: int = Query(30, ge=1, le=365),
                              key: ApiKey = Depends(role("platform"))) -> Response:
        h = subject(await _body(request), key)
        if await run_in_threadpool(rt.store.subject_has_minor_items, key.client, h):
            raise ApiError(422, "minor_no_profile", "no risk profile is built for a user marked as a minor.")
        levels = await run_in_threadpool(rt.store.subject_profile, key.client, h, time.time() - days * 86400)
        await run_in_threadpool(rt.store.audit, key, "subject.profile", f"client:{key.client}/subject:{h[:12]}", None)
        return _json({"days": days, "self_harm": levels})

    # -- people: review, reports, audit ---------------------------------------------------------
    @app.get("/v1/review/queue", tags=["review"], response_model=S.ReviewQueueOut,
             openapi_extra=roles_doc("reviewer"), responses=_errors(401, 403),
             summary="Items the policy sent to people, most urgent first (redacted texts). Audited.")
    async def review_queue(limit: int = Query(50, ge=1, le=500), key: ApiKey = Depends(role("reviewer"))) -> Response:
        rows = await run_in_threadpool(rt.store.review_queue, limit)
        await run_in_threadpool(rt.store.audit, key, "review.queue.read", None, {"items": len(rows)})
        return _json({"items": rows})

    @app.get("/v1/stats", tags=["reports"], response_model=S.StatsOut, openapi_extra=roles_doc("analyst", "admin"),
             responses=_errors(401, 403), summary="Counts by level, label, review tier: no texts, no users.")
    async def stats(days: int = Query(30, ge=1, le=3650), key: ApiKey = Depends(role("analyst", "admin"))) -> Response:
        return _json(await run_in_threadpool(rt.store.stats, time.time() - days * 86400))

    @app.get("/v1/audit", tags=["admin"], response_model=S.AuditOut, openapi_extra=roles_doc("admin"),
             responses=_errors(401, 403), summary="The append-only audit log: who read or changed what.")
    async def audit(after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000),
                    key: ApiKey = Depends(role("admin"))) -> Response:
        return _json({"events": await run_in_threadpool(rt.store.audit_events, after, limit)})

    # -- information, helplines, drafts -----------------------------------------------------------
    @app.get("/v1/info/search", tags=["inform"], response_model=S.InfoOut, openapi_extra=roles_doc(*ANY_ROLE),
             responses=_errors(401, 403, 422), summary="Sourced mental-health cards (myth vs fact) for a query.")
    async def info_search(q: str = Query(..., min_length=1, max_length=500), lang: str = Query("id", pattern="^(id|en)$"),
                          k: int = Query(3, ge=1, le=20), key: ApiKey = Depends(role(*ANY_ROLE))) -> Response:
        from ruangaman.info import search_info

        return _json({"results": await run_in_threadpool(search_info, q, lang, k)})

    @app.get("/v1/helplines", tags=["inform"], response_model=S.HelplinesOut, openapi_extra=roles_doc(*ANY_ROLE),
             responses=_errors(401, 403, 422), summary="The verified helpline registry, for a region and audience.")
    async def helplines(region: str | None = Query(None, pattern=r"^\d{2}(\.\d{2})?$"), minor: bool = False,
                        lang: str = Query("id", pattern="^(id|en)$"), key: ApiKey = Depends(role(*ANY_ROLE))) -> Response:
        from ruangaman.act import default_registry

        reg = default_registry()
        kinds = sorted({s.kind for s in reg.services})
        services = [dict(s.to_card_entry(lang), kind=s.kind, coverage=s.coverage, verified_from=s.verified_from,
                         verified_on=s.verified_on) for s in reg.select(kinds, region, minor)]
        return _json({"services": services})

    @app.post("/v1/drafts/check", tags=["creators"], openapi_extra=_body_doc(S.DraftIn, *DRAFT_ROLES),
              responses=_errors(400, 401, 403, 413, 422),
              summary="Check a creator's draft against safe-messaging guidelines (not stored).")
    async def check_draft(request: Request, key: ApiKey = Depends(role(*DRAFT_ROLES))) -> Response:
        body = await _body(request)
        if not isinstance(body, dict) or set(body) - {"id", "text", "surface"}:
            raise ApiError(422, "unknown_field", "fields must be among ['id', 'surface', 'text'].")
        try:
            report = await run_in_threadpool(rt.core.draft_checker().check, body.get("text"),
                                             body.get("surface") or "caption", body.get("id"))
        except InputError as e:
            raise _input_error(e) from None
        return _json(report.to_dict())

    from ruangaman.service.workshop_api import workshop_routes  # Mindful Makers: staff, creators, certificates

    workshop_routes(app, rt, role, roles_doc)
    return app


class _LoopBatcher:
    """Dynamic batching on the event loop: the items of every batch request that is waiting when
    the loop gets to them are assessed in one engine call (at most ``max_items`` texts).

    The engine's batch path has a fixed cost per call (array set-up, about a millisecond), so
    concurrent requests of 100 texts cost less together than one by one; the answers are the
    same, since a text's assessment never depends on its neighbours.  Assessment is CPU-bound
    and runs on the loop's own thread: a worker thread would only add GIL hand-overs.
    """

    def __init__(self, assess: Callable[[list[dict[str, Any]]], list[Any]], max_items: int,
                 observe: Callable[[int], None] = lambda n: None):
        self.assess = assess
        self.max_items = max_items
        self.observe = observe  # texts per engine call, for /metrics
        self.pending: deque[tuple[list[dict[str, Any]], asyncio.Future]] = deque()
        self.scheduled = False

    def put(self, items: list[dict[str, Any]]) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self.pending.append((items, fut))
        if not self.scheduled:
            self.scheduled = True
            loop.call_soon(self._flush, loop)
        return fut

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        self.scheduled = False
        group, size = [], 0
        while self.pending and (not group or size + len(self.pending[0][0]) <= self.max_items):
            items, fut = self.pending.popleft()
            if not fut.done():  # a client that went away needs no answer
                group.append((items, fut))
                size += len(items)
        if self.pending:
            self.scheduled = True
            loop.call_soon(self._flush, loop)
        if not group:
            return
        self.observe(size)
        try:
            answers = self.assess([it for items, _ in group for it in items])
        except BaseException as e:  # noqa: BLE001 - each waiting request gets the error, none hangs
            for _, fut in group:
                fut.set_exception(e)
            return
        start = 0
        for items, fut in group:
            fut.set_result(answers[start:start + len(items)])
            start += len(items)


class _LoopCommitter:
    """Group commit driven by the event loop.

    The items of every request that reached the store while the previous commit was in flight
    are written together on the loop's own thread, then committed by one helper thread (the
    fsync releases the GIL, so the loop goes on assessing meanwhile), and only then answered.
    Writing on the loop thread matters in Python: a writer thread would wait for the GIL at
    every database call while requests are being assessed.
    """

    def __init__(self, store: Store):
        from concurrent.futures import ThreadPoolExecutor

        self.store = store
        self.pending: list[tuple[tuple[str, ApiKey, list[ItemRecord], str], asyncio.Future]] = []
        self.scheduled = False
        self.in_flight = False
        self._committer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ruangaman-commit")

    def put(self, client: str, key: ApiKey, records: list[ItemRecord], action: str) -> asyncio.Future:
        loop = asyncio.get_running_loop()
        fut = loop.create_future()
        self.pending.append(((client, key, records, action), fut))
        self._schedule(loop)
        return fut

    def _schedule(self, loop: asyncio.AbstractEventLoop) -> None:
        if not self.scheduled and not self.in_flight:
            self.scheduled = True
            loop.call_soon(self._flush, loop)

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        self.scheduled = False
        if self.in_flight or not self.pending:
            return
        pending, self.pending = self.pending, []
        try:
            results, commit, _rollback = self.store.put_prepared([args for args, _ in pending])
        except Exception:  # noqa: BLE001 - one bad request must not fail the others: one by one
            self._one_by_one(pending)
            self._schedule(loop)
            return
        self.in_flight = True
        done = loop.run_in_executor(self._committer, commit)

        def finished(f: asyncio.Future) -> None:
            self.in_flight = False
            error = f.exception()
            for (_, fut), result in zip(pending, results):
                if fut.done():
                    continue
                if error is not None:
                    fut.set_exception(error)
                else:
                    fut.set_result(result)
            if self.pending:
                self._schedule(loop)

        done.add_done_callback(finished)

    def _one_by_one(self, pending: list) -> None:
        results = self.store.put_now([args for args, _ in pending])
        for (_, fut), result in zip(pending, results):
            if fut.done():
                continue
            if isinstance(result, BaseException):
                fut.set_exception(result)
            else:
                fut.set_result(result)


# The page loads only its own script and talks only to this server.
_PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                 "frame-ancestors 'none'", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


def _batch_items(body: Any, max_items: int) -> list[Any]:
    if not isinstance(body, dict) or set(body) != {"items"} or not isinstance(body["items"], list):
        raise ApiError(422, "invalid_request", 'body must be {"items": [...]}. Got another shape instead.')
    n = len(body["items"])
    if n == 0:
        raise ApiError(422, "empty_batch", "items must hold at least one item. Got none.")
    if n > max_items:
        raise ApiError(413, "batch_too_large", f"items must be at most {max_items}. Got {n} instead.")
    return body["items"]


class _MetricsMiddleware:
    def __init__(self, app: Any, metrics: Metrics):
        self._wrapped = metrics.middleware(app)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        await self._wrapped(scope, receive, send)


def app_from_env() -> FastAPI:
    """The uvicorn factory: settings from RUANGAMAN_* variables."""
    from ruangaman.assess import tune_collector

    app = create_app(Settings.load())
    tune_collector()  # after the model is loaded and warmed
    return app
