"""The whole flow, top to bottom: text -> normalize -> langid -> detect/model -> assess.

Each stage is its own package with a small public face; the engine wires them together
once (load the model, build caches) and this module keeps one shared engine per process.
"""

from __future__ import annotations

import threading
from typing import Any, Iterable, Mapping

from ruangaman.assess import Assessment, AssessmentEngine

__all__ = ["assess", "assess_batch", "default_engine"]

_lock = threading.Lock()
_engine: AssessmentEngine | None = None


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
