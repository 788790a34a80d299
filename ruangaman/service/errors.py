"""One error shape for every answer that is not a success, with stable codes.

    {"error": {"code": "text_too_long", "message": "text must be at most ...", "details": [...]?}}

FastAPI's own shapes (validation errors, 404, 405) are rewritten into this one, so a client
parses errors one way.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

__all__ = ["ApiError", "INPUT_STATUS", "error_body", "error_response", "install_handlers"]

# InputError codes that are not 422: the size limits and undecodable bodies.
INPUT_STATUS = {"text_too_long": 413, "line_too_long": 413, "invalid_json": 400, "invalid_utf8": 400}
_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "unsupported_media_type",
               422: "invalid_request", 429: "too_many_requests", 500: "internal_error", 503: "unavailable"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, details: Any = None, headers: dict | None = None,
                 extra: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.details, self.headers, self.extra = details, headers, extra


def error_body(code: str, message: str, details: Any = None, extra: dict | None = None) -> bytes:
    err: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        err["details"] = details
    body: dict[str, Any] = {"error": err}
    if extra:
        body.update(extra)
    return orjson.dumps(body)


def error_response(status: int, code: str, message: str, details: Any = None, headers: dict | None = None,
                   extra: dict | None = None) -> Response:
    return Response(error_body(code, message, details, extra), status_code=status, media_type="application/json",
                    headers=headers)


def install_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, e: ApiError) -> Response:
        return error_response(e.status, e.code, e.message, e.details, e.headers, e.extra)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, e: StarletteHTTPException) -> Response:
        code = _HTTP_CODES.get(e.status_code, f"http_{e.status_code}")
        message = e.detail if isinstance(e.detail, str) else code.replace("_", " ")
        return error_response(e.status_code, code, message, headers=getattr(e, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, e: RequestValidationError) -> Response:
        details = [{"loc": list(err.get("loc", ())), "message": err.get("msg", ""), "type": err.get("type", "")}
                   for err in e.errors()]
        first = details[0] if details else {"loc": [], "message": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return error_response(422, "invalid_request", f"{where}: {first['message']}", details)

    @app.exception_handler(Exception)
    async def _crash(_: Request, e: Exception) -> Response:  # never echo the exception: it may quote a text
        import logging

        logging.getLogger("ruangaman.service").error("unhandled %s", type(e).__name__)
        return error_response(500, "internal_error", "internal error; the request was not completed")
