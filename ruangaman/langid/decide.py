"""Pick one language code from the language head's calibrated probabilities.

Short informal texts often sit between Indonesian and English.  The head learns
``mixed`` from labelled code-mixed examples; on top of that, when the two leading
languages are Indonesian and English and neither is sure, the text is code-mixed.
"""

from __future__ import annotations

from typing import Mapping

__all__ = ["decide_language"]

MIXED_MARGIN = 0.35  # if P(top) - P(second) is below this for id/en, call it mixed


def decide_language(probabilities: Mapping[str, float]) -> str:
    ranked = sorted(probabilities.items(), key=lambda kv: -kv[1])
    (top, p1), (second, p2) = ranked[0], ranked[1]
    if {top, second} == {"id", "en"} and p1 - p2 < MIXED_MARGIN:
        return "mixed"
    return top
