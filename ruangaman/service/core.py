"""What the routes do, without HTTP: validate items, assess or decide, build the rows to store.

Each text is assessed once, redacted once, hashed under the deployment's key; evidence spans
are carried over to the redacted text so a reviewer sees what was flagged.
"""

from __future__ import annotations

import logging
from typing import Any, Mapping, Sequence

from ruangaman.act.actions import AGE_BANDS
from ruangaman.assess import Assessment, AssessmentEngine, InputError
from ruangaman.assess.engine import safety_net_assessment
from ruangaman.assess.stream import check_object
from ruangaman.detect import default_safety_net
from ruangaman.features import SURFACES, default_featurizer
from ruangaman.policy import Decider
from ruangaman.policy.decider import make_context
from ruangaman.privacy import Hasher, redact
from ruangaman.service.settings import Settings
from ruangaman.store import ItemRecord

__all__ = ["ASSESS_FIELDS", "DECIDE_FIELDS", "Core"]

log = logging.getLogger("ruangaman.service")
ASSESS_FIELDS = frozenset({"author_id", "author_age_band"})
DECIDE_FIELDS = ASSESS_FIELDS | {"viewer_age_band", "locale", "region"}


class Core:
    def __init__(self, settings: Settings, engine: AssessmentEngine | None, hasher: Hasher):
        self.settings = settings
        self.engine = engine
        self.hasher = hasher
        featurizer = default_featurizer()
        self._featurizer = featurizer
        self._net = default_safety_net(featurizer.concepts)
        self._checker = None
        self.decider = Decider(engine=engine, load_engine=False, timeout_s=settings.decide_timeout_ms / 1000)

    # -- validation -------------------------------------------------------------------
    def check(self, obj: Any, extra: frozenset[str]) -> dict[str, Any]:
        """One request item, checked like a JSONL line (same codes), plus the subject fields."""
        item = check_object(obj, self.settings.max_text_chars, extra, SURFACES)
        author = item.get("author_id")
        if author is not None and (not isinstance(author, str) or not 0 < len(author) <= 200):
            raise _with_id(InputError("invalid_author_id", f"author_id must be a string of 1-200 characters. "
                                      f"Got {type(author).__name__} instead."), item["id"])
        band = item.get("author_age_band") or "unknown"
        if band not in AGE_BANDS:
            raise _with_id(InputError("invalid_age_band", f"author_age_band must be one of {list(AGE_BANDS)}. "
                                      f"Got {band!r} instead."), item["id"])
        item["author_age_band"] = band
        if len(item["id"]) > 200:
            raise _with_id(InputError("invalid_id", f"id must be at most 200 characters. Got {len(item['id'])} instead."),
                           None)
        return item

    # -- assessment -------------------------------------------------------------------
    def assess(self, items: Sequence[Mapping[str, Any]]) -> list[Assessment]:
        """The model's answers; if the model fails, the rule safety net's, marked degraded."""
        if self.engine is not None:
            try:
                if len(items) == 1:
                    it = items[0]
                    return [self.engine.assess(it["text"], it["surface"], it["id"])]
                return self.engine.assess_checked([it["text"] for it in items], [it["surface"] for it in items],
                                                  [it["id"] for it in items])  # checked by Core.check
            except Exception as e:  # noqa: BLE001 - the safe side, never silence
                log.error("model failed (%s); answering from the rule safety net", type(e).__name__)
        return [safety_net_assessment(self._featurizer, self._net, it["text"], it["id"]) for it in items]

    def decide(self, item: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The decision and the evidence behind it (the evidence is stored, not answered)."""
        ctx = make_context({k: item.get(k) for k in ("surface", "author_age_band", "viewer_age_band", "locale", "region")})
        a = self.decider.assess(item["text"], ctx.surface, item["id"])
        return self.decider.decide(a, ctx, item["id"], text=item["text"]), a.to_dict()["evidence"]

    def draft_checker(self):
        """The safe-messaging checker, loaded on first use, on this engine."""
        if self._checker is None:
            from ruangaman.creators import DraftChecker

            self._checker = DraftChecker(engine=self.engine)
        return self._checker

    # -- storage ----------------------------------------------------------------------
    def record(self, kind: str, client: str, item: Mapping[str, Any], result: dict[str, Any],
               evidence: Sequence[Mapping[str, Any]]) -> ItemRecord:
        text = item["text"]
        stored_text: str | None = None
        stored_evidence: list[dict[str, Any]] | None = None
        if self.settings.store_text == "redacted":
            red = redact(text)
            stored_text = red.text
            stored_evidence = []
            for ev in evidence:
                s, e = red.map_span(ev["start"], ev["end"])
                stored_evidence.append({"start": s, "end": e, "reason": ev["reason"]})
        author = item.get("author_id")
        priority = None
        for action in result.get("actions", ()):
            if action.get("action") == "queue_review":
                priority = action["params"].get("tier")
        return ItemRecord(kind=kind, item_id=item["id"], text_hash=self.hasher.text(text), text=stored_text,
                          evidence=stored_evidence, surface=item["surface"], language=result["language"],
                          self_harm=result["self_harm"], labels=list(result["labels"]), result=result,
                          review_priority=priority, degraded=bool(result.get("degraded")),
                          subject_hash=self.hasher.subject(client, author) if author else None,
                          author_age_band=item.get("author_age_band") or "unknown")


def _with_id(e: InputError, id_: Any) -> InputError:
    e.id = id_  # type: ignore[attr-defined]
    return e
