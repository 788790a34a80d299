"""The guide's decision rules on calibrated probabilities, shared by serving and training.

* level: the highest k with P(level >= k) >= threshold_k ("when torn, take the higher");
* any label implies at least ``mention``;
* a method-seeking search implies ``ideation`` (seeking means implies the searcher's risk).
"""

from __future__ import annotations

import numpy as np

from ruangaman.model import LABELS

__all__ = ["decide_levels"]

_METHOD = LABELS.index("method")


def decide_levels(at_least: np.ndarray, label_on: np.ndarray, is_search: np.ndarray,
                  level_thresholds: np.ndarray) -> np.ndarray:
    """Level index per row from P(level >= k) (k = 1..5) and the labels already decided."""
    passed = at_least >= level_thresholds
    level = np.where(passed.any(axis=1), passed.shape[1] - np.argmax(passed[:, ::-1], axis=1), 0)
    level = np.where(label_on.any(axis=1) & (level == 0), 1, level)
    return np.where(is_search & label_on[:, _METHOD] & (level < 3), 3, level)
