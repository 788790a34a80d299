"""The service's HTTP helpers, shared by every group of routes: JSON in and out, documented shapes."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import Request
from starlette.responses import Response

from ruangaman.assess import InputError
from ruangaman.assess.stream import decode_json
from ruangaman.service import schemas as S
from ruangaman.service.errors import INPUT_STATUS, ApiError

__all__ = ["body_doc", "error_responses", "input_error", "json_response", "read_json"]


def json_response(data: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(orjson.dumps(data), status_code=status, media_type="application/json", headers=headers)


def input_error(e: InputError) -> ApiError:
    """An item the engine refused, as an API error: 413 for sizes, 400 for bytes, else 422."""
    return ApiError(INPUT_STATUS.get(e.code, 422), e.code, str(e))


async def read_json(request: Request) -> Any:
    """The body as JSON, decoded by the same code as JSONL lines (same error codes)."""
    raw = await request.body()
    if not raw:
        raise ApiError(400, "invalid_json", "body must be one JSON object. Got an empty body instead.")
    try:
        return decode_json(raw)
    except InputError as e:
        raise input_error(e) from None


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: {"model": S.ErrorOut} for c in codes}


def body_doc(model: type, *roles: str) -> dict[str, Any]:
    """OpenAPI for a body read by hand: its schema, the roles that may send it, the key scheme."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema(
        ref_template="#/components/schemas/{model}")}}}, "x-roles": list(roles), "security": [{"bearer": []}]}
