"""Pick one language code from the language head's calibrated probabilities.

Short informal texts often sit between Indonesian and English.  The head learns
``mixed`` from labelled code-mixed examples; on top of that, when the two leading
languages are Indonesian and English and neither is sure, the text is code-mixed.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

__all__ = ["decide_language", "decide_languages"]

MIXED_MARGIN = 0.35  # if P(top) - P(second) is below this for id/en, call it mixed


def decide_language(probabilities: Mapping[str, float]) -> str:
    ranked = sorted(probabilities.items(), key=lambda kv: -kv[1])
    (top, p1), (second, p2) = ranked[0], ranked[1]
    if {top, second} == {"id", "en"} and p1 - p2 < MIXED_MARGIN:
        return "mixed"
    return top


def decide_languages(probabilities: np.ndarray, codes: Sequence[str]) -> list[str]:
    """Vectorized ``decide_language`` over rows of probabilities (columns in ``codes`` order)."""
    order = np.argsort(-probabilities, axis=1)
    top, second = order[:, 0], order[:, 1]
    rows = np.arange(len(probabilities))
    margin = probabilities[rows, top] - probabilities[rows, second]
    i_id, i_en, i_mixed = codes.index("id"), codes.index("en"), codes.index("mixed")
    pair = ((top == i_id) & (second == i_en)) | ((top == i_en) & (second == i_id))
    chosen = np.where(pair & (margin < MIXED_MARGIN), i_mixed, top)
    return [codes[i] for i in chosen.tolist()]
