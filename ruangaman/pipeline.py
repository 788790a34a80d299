"""The whole flow, top to bottom: text -> normalize -> langid -> detect/model -> assess -> policy -> act.

Each stage is its own package with a small public face; the engine wires them together
once (load the model, build caches) and this module keeps one shared engine per process.
"""

from __future__ import annotations

import threading
from typing import Any, Iterable, Mapping

from ruangaman.assess import Assessment, AssessmentEngine
from ruangaman.model import ModelError
from ruangaman.policy import Decider

__all__ = ["assess", "assess_batch", "decide", "default_engine"]

_lock = threading.RLock()
_engine: AssessmentEngine | None = None
_decider: Decider | None = None


def default_engine() -> AssessmentEngine:
    """The process-wide engine on the bundled model (loaded on first use)."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = AssessmentEngine()
        return _engine


def assess(text: str, surface: str = "post", id: str | None = None) -> Assessment:
    """Assess one text with the bundled model: level, labels, language, evidence."""
    return default_engine().assess(text, surface, id)


def assess_batch(items: Iterable[str | Mapping[str, Any]]) -> list[Assessment]:
    """Assess many texts at once (strings or {"id", "text", "surface"} mappings)."""
    return default_engine().assess_batch(items)


def decide(item: str | Assessment, context: Mapping[str, Any] | None = None, id: str | None = None) -> dict[str, Any]:
    """Actions for a text (or an Assessment) in context: surface, author_age_band,
    viewer_age_band, locale, region.  Degrades to the rule safety net, never to silence."""
    global _decider
    with _lock:
        if _decider is None:
            try:
                engine: AssessmentEngine | None = default_engine()
            except ModelError:  # the decider answers from the safety net, marked degraded
                engine = None
            _decider = Decider(engine=engine, load_engine=False)
    return _decider.decide(item, context, id)
