"""Assess JSONL streams line by line: one output line per input line, errors included.

Each input line is ``{"id": str, "text": str, "surface"?: str}``.  A line that cannot be
assessed (invalid UTF-8, malformed JSON, missing id, unknown field, empty or oversize
text) becomes an error record in its place, and the stream goes on:

    {"id": "a1" | null, "line": 7, "error": {"code": "invalid_json", "message": "..."}}
"""

from __future__ import annotations

import json

import orjson
from dataclasses import dataclass
from typing import Any, Iterable, Iterator

from ruangaman.assess.engine import AssessmentEngine, InputError, check_text

__all__ = ["INPUT_FIELDS", "StreamStats", "assess_lines", "check_object", "decode_json", "dumps", "error_record", "parse_line"]

INPUT_FIELDS = frozenset({"id", "text", "surface"})
MAX_LINE_BYTES = 1 << 20


@dataclass
class StreamStats:
    ok: int = 0
    failed: int = 0


def error_record(line: int, code: str, message: str, id: Any = None) -> dict[str, Any]:
    return {"id": id, "line": line, "error": {"code": code, "message": message}}


def parse_line(raw: bytes | str, line: int, max_chars: int, extra_fields: frozenset[str] = frozenset(),
               surfaces: tuple[str, ...] | None = None, default_surface: str = "post") -> dict[str, Any]:
    """Parse and validate one input line; raises InputError with a stable code."""
    if len(raw) > MAX_LINE_BYTES + 1:
        raise InputError("line_too_long", f"line must be at most {MAX_LINE_BYTES} bytes. Got {len(raw)} instead.")
    return check_object(decode_json(raw), max_chars, extra_fields, surfaces, default_surface)


def decode_json(raw: bytes | str) -> Any:
    """JSON from bytes; raises InputError invalid_utf8 / invalid_json saying exactly what is wrong."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _explain_bad_line(raw)


def check_object(obj: Any, max_chars: int, extra_fields: frozenset[str] = frozenset(),
                 surfaces: tuple[str, ...] | None = None, default_surface: str = "post") -> dict[str, Any]:
    """Validate one decoded item (a JSONL line or an API body); raises InputError with a stable code."""
    if not isinstance(obj, dict):
        raise InputError("invalid_json", f"item must be a JSON object. Got {type(obj).__name__} instead.")
    id_ = obj.get("id")
    if not isinstance(id_, str) or not id_:
        err = InputError("missing_id", f"id must be a non-empty string. Got {id_!r} instead.")
        err.id = id_ if isinstance(id_, (str, int)) else None  # type: ignore[attr-defined]
        raise err
    allowed = INPUT_FIELDS | extra_fields if extra_fields else INPUT_FIELDS
    if not allowed.issuperset(obj):
        unknown = sorted(set(obj) - allowed)
        err = InputError("unknown_field", f"fields must be among {sorted(allowed)}. Got unknown {unknown} instead.")
        err.id = id_  # type: ignore[attr-defined]
        raise err
    surface = obj.get("surface") or default_surface
    if surfaces is not None and surface not in surfaces:
        err = InputError("invalid_surface", f"surface must be one of {list(surfaces)}. Got {surface!r} instead.")
        err.id = id_  # type: ignore[attr-defined]
        raise err
    try:
        check_text(obj.get("text"), surface, max_chars)
    except InputError as e:
        e.id = id_  # type: ignore[attr-defined]
        raise
    out = {"id": id_, "text": obj["text"], "surface": surface}
    if extra_fields:
        out.update((k, obj[k]) for k in extra_fields if k in obj)
    return out


def _explain_bad_line(raw: bytes | str) -> Any:
    """Slow path for a line the fast parser refused: say exactly what is wrong with it."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError("invalid_utf8", f"line must be valid UTF-8. Got a bad byte at position {e.start}.") from e
    try:
        return json.loads(raw)
    except json.JSONDecodeError as e:
        raise InputError("invalid_json", f"line must be one JSON object. Got invalid JSON: {e.msg} at column {e.colno}.") from e
    except RecursionError as e:
        raise InputError("invalid_json", "line must be one JSON object. Got JSON nested too deeply.") from e


def dumps(record: dict[str, Any]) -> bytes:
    return orjson.dumps(record) + b"\n"


def assess_lines(engine: AssessmentEngine, lines: Iterable[bytes | str], stats: StreamStats | None = None,
                 chunk: int = 2048) -> Iterator[dict[str, Any]]:
    """Yield one record per non-blank input line, in input order.

    Lines are assessed ``chunk`` at a time: the engine's batch path is array work whose cost per
    text falls as batches grow (2,048 ran about 10% faster than 512 in whole-process runs)."""
    stats = stats if stats is not None else StreamStats()
    pending: list[tuple[int, dict[str, Any] | None, dict[str, Any] | None]] = []

    def flush() -> Iterator[dict[str, Any]]:
        items = [it for _, it, _ in pending if it is not None]  # each checked by parse_line
        results = iter(engine.assess_checked([it["text"] for it in items], [it["surface"] for it in items],
                                             [it["id"] for it in items]))
        for _, item, err in pending:
            if err is not None:
                stats.failed += 1
                yield err
            else:
                stats.ok += 1
                yield next(results).to_dict()
        pending.clear()

    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            pending.append((n, parse_line(raw, n, engine.max_chars), None))
        except InputError as e:
            pending.append((n, None, error_record(n, e.code, str(e), getattr(e, "id", None))))
        if len(pending) >= chunk:
            yield from flush()
    yield from flush()
