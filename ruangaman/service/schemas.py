"""The API's shapes, one per direction, for the OpenAPI document.

Request bodies are decoded and checked by the same code as JSONL lines (so an API client and
a batch job get the same error codes); these models document them and a test keeps the two
in step.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AssessIn", "AssessOut", "BatchIn", "BatchOut", "DecideIn", "DecideOut", "DraftIn", "ErrorOut",
           "ItemOut", "SubjectExportOut", "StatsOut", "AuditOut", "ReviewQueueOut", "HelplinesOut", "InfoOut",
           "PingOut", "ErasedOut", "ProfileOut"]

Surface = Literal["post", "comment", "search", "caption", "transcript", "message", "live"]
AgeBand = Literal["minor", "adult", "unknown"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssessIn(_In):
    id: str = Field(..., min_length=1, max_length=200, description="The client's id; the same id twice is answered "
                    "from the store (idempotent), with a different text it is a 409.")
    text: str = Field(..., min_length=1, description="The text, at most max_text_chars characters.")
    surface: Surface = "post"
    author_id: str | None = Field(None, max_length=200, description="The platform's user id; stored only as a keyed "
                                  "hash, used for data-subject requests.")
    author_age_band: AgeBand = "unknown"


class DecideIn(AssessIn):
    viewer_age_band: AgeBand = "unknown"
    locale: Literal["id", "en"] | None = None
    region: str | None = Field(None, description="BPS province or regency code, e.g. '31' or '32.73'.")


class BatchIn(_In):
    items: list[AssessIn] = Field(..., description="At most max_batch_items items; a bad item gets an error "
                                  "record in its place and the others go on.")


class DraftIn(_In):
    id: str | None = None
    text: str = Field(..., min_length=1)
    surface: Literal["caption", "transcript", "post"] = "caption"


class Evidence(BaseModel):
    start: int
    end: int
    reason: str


class AssessOut(BaseModel):
    id: str
    self_harm: str
    labels: list[str]
    language: str
    evidence: list[Evidence]
    probabilities: dict[str, dict[str, float]]
    degraded: bool | None = None


class ItemError(BaseModel):
    code: str
    message: str


class BatchResult(BaseModel):
    id: str | None = None
    index: int | None = Field(None, description="Position in the request, on error records.")
    error: ItemError | None = None
    replayed: bool | None = None
    self_harm: str | None = None
    labels: list[str] | None = None
    language: str | None = None
    evidence: list[Evidence] | None = None
    probabilities: dict[str, dict[str, float]] | None = None


class BatchOut(BaseModel):
    results: list[BatchResult]
    ok: int
    failed: int


class DecideOut(BaseModel):
    id: str
    self_harm: str
    labels: list[str]
    language: str
    context: dict[str, Any]
    actions: list[dict[str, Any]]
    policy: str
    degraded: bool


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any | None = None


class ErrorOut(BaseModel):
    error: ErrorBody


class ItemOut(BaseModel):
    id: str
    kind: str
    text: str | None = Field(None, description="Redacted text; null with store_text=none or after purge.")
    evidence: list[Evidence] | None = Field(None, description="Spans in the redacted text.")
    surface: str
    language: str
    self_harm: str
    labels: list[str]
    result: dict[str, Any]
    review_priority: str | None
    degraded: bool
    author_age_band: str
    created_at: float
    purged_at: float | None


class SubjectExportOut(BaseModel):
    items: list[ItemOut]


class ErasedOut(BaseModel):
    erased: int


class ProfileOut(BaseModel):
    days: int
    self_harm: dict[str, int]


class StatsOut(BaseModel):
    since: float
    items: int
    self_harm: dict[str, int]
    labels: dict[str, int]
    review_priority: dict[str, int]
    degraded: int


class AuditOut(BaseModel):
    events: list[dict[str, Any]]


class ReviewQueueOut(BaseModel):
    items: list[ItemOut]


class HelplinesOut(BaseModel):
    services: list[dict[str, Any]]


class InfoOut(BaseModel):
    results: list[dict[str, Any]]


class PingOut(BaseModel):
    ok: bool
