"""Turn a text (or an assessment) and its context into actions, safely.

If the model cannot be loaded or does not answer in time, the rule safety net assesses
the text instead and the decision is marked ``degraded``: crisis-looking texts still get a
helpline card and a review.  Never "no risk" because a part failed.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from dataclasses import asdict
from typing import Any, Iterable, Iterator, Mapping

from ruangaman.act.actions import AGE_BANDS, Context
from ruangaman.assess import Assessment, AssessmentEngine, InputError
from ruangaman.assess.engine import MAX_TEXT_CHARS, check_text, safety_net_assessment
from ruangaman.assess.stream import StreamStats, error_record, parse_line
from ruangaman.detect import default_safety_net
from ruangaman.features import SURFACES, default_featurizer
from ruangaman.model import ModelError
from ruangaman.policy.policy import Policy, default_policy

__all__ = ["Decider", "decide_lines", "make_context"]

log = logging.getLogger("ruangaman.decide")
CONTEXT_FIELDS = ("surface", "author_age_band", "viewer_age_band", "locale", "region")


def make_context(fields: Mapping[str, Any]) -> Context:
    """A Context from request fields; raises InputError naming the bad field."""
    surface = fields.get("surface") or "post"
    if surface not in SURFACES:
        raise InputError("invalid_surface", f"surface must be one of {list(SURFACES)}. Got {surface!r} instead.")
    bands = {}
    for key in ("author_age_band", "viewer_age_band"):
        value = fields.get(key) or "unknown"
        if value not in AGE_BANDS:
            raise InputError("invalid_age_band", f"{key} must be one of {list(AGE_BANDS)}. Got {value!r} instead.")
        bands[key] = value
    locale = fields.get("locale")
    if locale is not None and locale not in ("id", "en"):
        raise InputError("invalid_locale", f"locale must be 'id' or 'en'. Got {locale!r} instead.")
    region = fields.get("region")
    if region is not None and (not isinstance(region, str) or not region.replace(".", "").isdigit()):
        raise InputError("invalid_region", f"region must be a BPS code such as '31' or '32.73'. Got {region!r} instead.")
    return Context(surface, bands["author_age_band"], bands["viewer_age_band"], locale, region)


class Decider:
    """Assess + policy.  ``timeout_s`` bounds the model call; past it, the safety net answers."""

    def __init__(self, engine: AssessmentEngine | None = None, policy: Policy | None = None,
                 timeout_s: float | None = 0.5, load_engine: bool = True):
        self.policy = policy or default_policy()
        self.timeout_s = timeout_s
        self.engine_error: str | None = None
        self.engine = engine
        if self.engine is None and load_engine:
            try:
                self.engine = AssessmentEngine()
            except ModelError as e:  # decisions must still come: run degraded, and say so
                log.error("model unavailable, deciding from the rule safety net: %s", e)
                self.engine_error = str(e)
        self._featurizer = default_featurizer()
        self._safety_net = default_safety_net(self._featurizer.concepts)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ruangaman-assess") if timeout_s else None

    def assess(self, text: str, surface: str = "post", id: str | None = None) -> Assessment:
        """The model's assessment within the time budget, else the safety net's (degraded)."""
        check_text(text, surface)
        if self.engine is None:
            return safety_net_assessment(self._featurizer, self._safety_net, text, id)
        if self._pool is None:
            return self.engine.assess(text, surface, id)
        future = self._pool.submit(self.engine.assess, text, surface, id)
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            log.error("model timed out after %.3fs; deciding from the rule safety net", self.timeout_s)
            return safety_net_assessment(self._featurizer, self._safety_net, text, id)

    def decide(self, item: str | Assessment | Mapping[str, Any], context: Mapping[str, Any] | Context | None = None,
               id: str | None = None, text: str = "") -> dict[str, Any]:
        """Actions for a text (or a finished Assessment, with its ``text`` if known) in context."""
        ctx = context if isinstance(context, Context) else make_context(context or {})
        words: list[str] = []
        if isinstance(item, Assessment):
            assessment = item
            if text:
                words = self._featurizer.normalizer.words(text)
        else:
            text = item if isinstance(item, str) else item.get("text")
            assessment = self.assess(text, ctx.surface, id)
            words = self._featurizer.normalizer.words(text)
        a = assessment.to_dict()
        actions = self.policy.decide(dict(a, _words=words, _text=text), ctx)
        out: dict[str, Any] = {}
        if id is not None or assessment.id is not None:
            out["id"] = id if id is not None else assessment.id
        out.update({"self_harm": a["self_harm"], "labels": a["labels"], "language": a["language"],
                    "context": asdict(ctx), "actions": actions, "policy": self.policy.label,
                    "degraded": bool(assessment.degraded)})
        return out


def decide_lines(decider: Decider, lines: Iterable[bytes | str], stats: StreamStats) -> Iterator[dict[str, Any]]:
    """One decision or error record per non-blank JSONL line, in order (as ``assess_lines``)."""
    extra = frozenset(CONTEXT_FIELDS) - {"surface"}
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            obj = parse_line(raw, n, MAX_TEXT_CHARS, extra_fields=extra)
            try:
                record = decider.decide(obj["text"], {k: obj.get(k) for k in CONTEXT_FIELDS}, obj["id"])
            except InputError as e:
                e.id = obj["id"]  # type: ignore[attr-defined]
                raise
            stats.ok += 1
        except InputError as e:
            record = error_record(n, e.code, str(e), getattr(e, "id", None))
            stats.failed += 1
        yield record
