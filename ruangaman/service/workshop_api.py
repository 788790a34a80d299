"""The Mindful Makers routes: staff manage the workshop, a creator key sees only its own creator.

- ``/v1/workshop/...`` with role ``staff``: cohorts, sessions, enrolment, attendance, creator
  keys, progress, the program report, certificates.
- ``/v1/workshop/me/...`` with role ``creator``: the key's own enrolment, quiz, drafts,
  progress and certificate.  A creator key is linked to one creator: its ``client`` is the
  creator's id (``ruangaman workshop creator-key`` or ``POST /v1/workshop/creators/{id}/key``).
- public, no key: ``GET /v1/certificates/{code}`` (verification) and ``GET /certificates/{code}``
  (the certificate page; ``.pdf`` for the PDF).

Errors have the service's one shape; paths carry ids and codes, never texts.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

from fastapi import Depends, FastAPI, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ruangaman.assess import InputError
from ruangaman.assess.engine import check_text
from ruangaman.model import ModelError
from ruangaman.service.http import body_doc as _body_doc
from ruangaman.service.http import error_responses as _errors
from ruangaman.service.http import json_response as _json
from ruangaman.service.http import read_json as _body
from ruangaman.service.errors import ApiError
from ruangaman.service.http import input_error
from ruangaman.store import ApiKey
from ruangaman.workshop import FOLLOWER_BANDS, PLATFORMS, Workshop, WorkshopError
from ruangaman.workshop.certificate import normalize_code

__all__ = ["workshop_routes"]

_PAGE_HEADERS = {"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
                 "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex",
                 "Cache-Control": "no-cache"}  # a revocation shows at once


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CohortIn(_In):
    name: str = Field(..., min_length=1, max_length=200)
    starts_on: str = Field(..., description="ISO date, e.g. 2026-03-01.")
    ends_on: str = Field(..., description="ISO date, on or after starts_on.")
    min_attendance: float = Field(0.8, gt=0, le=1, description="Share of the sessions a creator must attend.")
    quiz_pass: float = Field(0.8, gt=0, le=1, description="Score that passes a module quiz.")
    drafts_required: int = Field(3, ge=1, le=20, description="Different drafts that must pass the check.")


class SessionIn(_In):
    title: str = Field(..., min_length=1, max_length=200)
    module: str = Field(..., description="The quiz module the session teaches: bahasa, detail, harapan, cerita, berita.")
    starts_at: str = Field(..., description="ISO date and time within the cohort's dates, e.g. 2026-03-07T19:00.")


class EnrolIn(_In):
    handle: str = Field(..., max_length=65, description="The creator's public handle (an '@' first is fine).")
    platform: Literal[PLATFORMS]  # type: ignore[valid-type]
    follower_band: Literal[FOLLOWER_BANDS] = Field(  # type: ignore[valid-type]
        ..., description="nano < 10k, micro 10k-100k, mid 100k-500k, macro 500k-1M, mega > 1M followers.")
    region: str = Field(..., description="BPS province or regency code, e.g. '31' or '32.73'.")


class AttendanceIn(_In):
    present: list[str] = Field(default_factory=list, description="Creator ids present at the session.")
    absent: list[str] = Field(default_factory=list, description="Creator ids absent (corrects an earlier mark).")


class QuizIn(_In):
    module: str
    answers: dict[str, str] = Field(..., description="Question id to option letter (a-d); unanswered counts as wrong.")
    lang: Literal["id", "en"] = "id"


class WorkshopDraftIn(_In):
    text: str = Field(..., min_length=1, description="The draft; checked, then only the check's result is kept.")
    surface: Literal["caption", "transcript"] = "caption"


def _fields(body: Any, model: type[BaseModel]) -> dict[str, Any]:
    """The body's fields, or the error every route gives for an unknown or missing field."""
    allowed = set(model.model_fields)
    required = {n for n, f in model.model_fields.items() if f.is_required()}
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_request", f"body must be one JSON object with fields {sorted(allowed)}. "
                       f"Got {type(body).__name__} instead.")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(422, "unknown_field", f"fields must be among {sorted(allowed)}. Got {unknown} instead.")
    missing = sorted(required - set(body))
    if missing:
        raise ApiError(422, "missing_field", f"fields {missing} are required. Got none for them.")
    return body


def workshop_routes(app: FastAPI, rt: Any, role: Callable[..., Callable], roles_doc: Callable[..., dict]) -> Workshop:
    """Add the workshop's routes to ``app``; returns the :class:`Workshop` they share."""
    ws = Workshop(rt.store, rt.core.hasher, checker=lambda: rt.core.draft_checker(), engine=rt.core.engine)
    staff, creator = role("staff"), role("creator")

    async def call(fn: Callable, *args: Any, **kwargs: Any) -> Any:
        try:
            return await run_in_threadpool(fn, *args, **kwargs)
        except WorkshopError as e:
            raise ApiError(e.status, e.code, e.message, details=e.details) from None
        except InputError as e:
            raise input_error(e) from None
        except ModelError:
            raise ApiError(503, "model_unavailable", "the draft check needs the model, which is not loaded; "
                           "retry later.") from None

    async def me(key: ApiKey) -> str:
        return await call(ws.creator_for_key, key)

    # -- staff ------------------------------------------------------------------------------
    @app.post("/v1/workshop/cohorts", tags=["workshop"], openapi_extra=_body_doc(CohortIn, "staff"),
              responses=_errors(400, 401, 403, 422), summary="Create a cohort with its completion rules.")
    async def cohort_create(request: Request, key: ApiKey = Depends(staff)) -> Response:
        b = _fields(await _body(request), CohortIn)
        return _json(await call(ws.create_cohort, b["name"], b["starts_on"], b["ends_on"],
                                min_attendance=b.get("min_attendance", 0.8), quiz_pass=b.get("quiz_pass", 0.8),
                                drafts_required=b.get("drafts_required", 3), actor=key))

    @app.get("/v1/workshop/cohorts", tags=["workshop"], openapi_extra=roles_doc("staff"),
             responses=_errors(401, 403), summary="Every cohort, with counts of sessions, creators, certificates.")
    async def cohort_list(key: ApiKey = Depends(staff)) -> Response:
        return _json({"cohorts": await call(ws.list_cohorts)})

    @app.get("/v1/workshop/cohorts/{cohort_id}", tags=["workshop"], openapi_extra=roles_doc("staff"),
             responses=_errors(401, 403, 404), summary="A cohort: its rules, schedule and enrolled creators.")
    async def cohort_get(cohort_id: str, key: ApiKey = Depends(staff)) -> Response:
        return _json(await call(ws.cohort, cohort_id))

    @app.post("/v1/workshop/cohorts/{cohort_id}/sessions", tags=["workshop"], openapi_extra=_body_doc(SessionIn, "staff"),
              responses=_errors(400, 401, 403, 404, 422), summary="Add a session to the cohort's schedule.")
    async def session_add(cohort_id: str, request: Request, key: ApiKey = Depends(staff)) -> Response:
        b = _fields(await _body(request), SessionIn)
        return _json(await call(ws.add_session, cohort_id, b["title"], b["module"], b["starts_at"], actor=key))

    @app.post("/v1/workshop/cohorts/{cohort_id}/creators", tags=["workshop"], openapi_extra=_body_doc(EnrolIn, "staff"),
              responses=_errors(400, 401, 403, 404, 409, 422), summary="Enrol a creator by public handle.")
    async def enrol(cohort_id: str, request: Request, key: ApiKey = Depends(staff)) -> Response:
        b = _fields(await _body(request), EnrolIn)
        return _json(await call(ws.enrol, cohort_id, b["handle"], b["platform"], b["follower_band"], b["region"],
                                actor=key))

    @app.get("/v1/workshop/cohorts/{cohort_id}/report", tags=["workshop"], openapi_extra=roles_doc("staff"),
             responses=_errors(401, 403, 404),
             summary="The program report: completion and flags per draft across each creator's drafts.")
    async def cohort_report(cohort_id: str, key: ApiKey = Depends(staff)) -> Response:
        return _json(await call(ws.report, cohort_id))

    @app.post("/v1/workshop/sessions/{session_id}/attendance", tags=["workshop"],
              openapi_extra=_body_doc(AttendanceIn, "staff"), responses=_errors(400, 401, 403, 404, 422),
              summary="Mark creators present or absent at a session.")
    async def attend(session_id: str, request: Request, key: ApiKey = Depends(staff)) -> Response:
        b = _fields(await _body(request), AttendanceIn)
        for name in ("present", "absent"):
            if not isinstance(b.get(name, []), list):
                raise ApiError(422, "invalid_attendance", f"{name} must be a list of creator ids. "
                               f"Got {type(b[name]).__name__} instead.")
        return _json(await call(ws.record_attendance, session_id, b.get("present", []), b.get("absent", []),
                                actor=key))

    @app.post("/v1/workshop/creators/{creator_id}/key", tags=["workshop"], openapi_extra=roles_doc("staff"),
              responses=_errors(401, 403, 404),
              summary="A new creator key for this creator; the secret is shown once.")
    async def creator_key(creator_id: str, key: ApiKey = Depends(staff)) -> Response:
        secret, info = await call(ws.creator_key, creator_id, actor=key)
        return _json({"key": secret, "key_id": info.key_id, "role": info.role, "creator_id": info.client})

    @app.get("/v1/workshop/creators/{creator_id}/progress", tags=["workshop"], openapi_extra=roles_doc("staff"),
             responses=_errors(401, 403, 404), summary="A creator's attendance, quizzes, drafts over time, completion.")
    async def creator_progress(creator_id: str, key: ApiKey = Depends(staff)) -> Response:
        return _json(await call(ws.progress, creator_id))

    @app.post("/v1/workshop/creators/{creator_id}/certificate", tags=["workshop"], openapi_extra=roles_doc("staff"),
              responses=_errors(401, 403, 404, 409),
              summary="Check the completion rules and issue the certificate (409 not_complete lists what is missing).")
    async def creator_complete(creator_id: str, key: ApiKey = Depends(staff)) -> Response:
        return _json(await call(ws.complete, creator_id, actor=key))

    # -- the creator's own -----------------------------------------------------------------
    @app.get("/v1/workshop/me", tags=["workshop"], openapi_extra=roles_doc("creator"), responses=_errors(401, 403, 404),
             summary="The key's own enrolment: cohort, schedule with own attendance, modules to pass.")
    async def my_enrolment(key: ApiKey = Depends(creator)) -> Response:
        p = await call(ws.progress, await me(key))
        modules = [{"id": m, "title": v["title"]} for m, v in p["quiz"]["modules"].items()
                   if m in p["quiz"]["required_modules"]]
        return _json({"creator": p["creator"], "cohort": p["cohort"], "schedule": p["attendance"]["schedule"],
                      "modules": modules})

    @app.get("/v1/workshop/me/quiz", tags=["workshop"], openapi_extra=roles_doc("creator"),
             responses=_errors(401, 403, 404, 422), summary="A module quiz's questions (no answers).")
    async def my_quiz(module: str = Query(..., max_length=40), lang: str = Query("id", pattern="^(id|en)$"),
                      key: ApiKey = Depends(creator)) -> Response:
        await me(key)
        return _json(await call(ws.quiz, module, lang))

    @app.post("/v1/workshop/me/quiz", tags=["workshop"], openapi_extra=_body_doc(QuizIn, "creator"),
              responses=_errors(400, 401, 403, 404, 422),
              summary="Answer a module quiz: the score, and each answer with its explanation.")
    async def my_quiz_answer(request: Request, key: ApiKey = Depends(creator)) -> Response:
        cid = await me(key)
        b = _fields(await _body(request), QuizIn)
        return _json(await call(ws.submit_quiz, cid, b["module"], b["answers"], b.get("lang", "id"), actor=key))

    @app.post("/v1/workshop/me/drafts", tags=["workshop"], openapi_extra=_body_doc(WorkshopDraftIn, "creator"),
              responses=_errors(400, 401, 403, 404, 413, 422, 503),
              summary="Check a draft; its flags count toward progress (the text is not kept).")
    async def my_draft(request: Request, key: ApiKey = Depends(creator)) -> Response:
        cid = await me(key)
        b = _fields(await _body(request), WorkshopDraftIn)
        try:
            check_text(b["text"], "caption", rt.settings.max_text_chars)
        except InputError as e:
            raise input_error(e) from None
        return _json(await call(ws.submit_draft, cid, b["text"], b.get("surface", "caption"), actor=key))

    @app.get("/v1/workshop/me/progress", tags=["workshop"], openapi_extra=roles_doc("creator"),
             responses=_errors(401, 403, 404), summary="The key's own progress (as staff see it).")
    async def my_progress(key: ApiKey = Depends(creator)) -> Response:
        return _json(await call(ws.progress, await me(key)))

    @app.get("/v1/workshop/me/certificate", tags=["workshop"], openapi_extra=roles_doc("creator"),
             responses=_errors(401, 403, 404), summary="The key's own certificate, once issued.")
    async def my_certificate(key: ApiKey = Depends(creator)) -> Response:
        return _json(await call(ws.certificate_of, await me(key)))

    # -- public: anyone holding a code ------------------------------------------------------
    def not_found() -> ApiError:
        return ApiError(404, "not_found", "code must be the verification code of an issued certificate. "
                        "Got an unknown code instead.")

    @app.get("/v1/certificates/{code}", tags=["certificates"], responses=_errors(404),
             summary="Verify a certificate: who completed which cohort, and when (no key needed).")
    async def certificate_verify(code: str) -> Response:
        found = await call(ws.verify, code)
        if found is None:
            raise not_found()
        return _json(found, headers={"Cache-Control": "no-cache"})

    @app.get("/certificates/{code}.pdf", tags=["certificates"], responses=_errors(404),
             summary="The certificate as PDF (no key needed).")
    async def certificate_pdf(code: str) -> Response:
        pdf = await call(ws.certificate_pdf, code)
        if pdf is None:
            raise not_found()
        name = f"mindful-makers-{normalize_code(code)}.pdf"
        return Response(pdf, media_type="application/pdf",
                        headers=dict(_PAGE_HEADERS, **{"Content-Disposition": f'inline; filename="{name}"'}))

    @app.get("/certificates/{code}", tags=["certificates"], responses=_errors(404),
             summary="The certificate page (HTML, no key needed).")
    async def certificate_page(code: str) -> Response:
        page = await call(ws.certificate_html, code)
        if page is None:
            raise not_found()
        return Response(page, media_type="text/html; charset=utf-8", headers=_PAGE_HEADERS)

    return ws
