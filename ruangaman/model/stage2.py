"""A second look at the texts near the crisis line: small boosted trees over the linear model.

The linear model adds up word weights; it cannot make "mati aja lo" (aimed at someone else)
and "mati aja gw" (the author's own wish) differ by more than the weight of one pronoun, and
it cannot learn that a death wish plus an addressee plus a high harassment score means
harassment, not ideation.  The second stage learns such interactions: gradient-boosted trees
over the linear model's logits, the lexicon concepts present, the surface and the text's
length.  It re-decides only ``P(level >= ideation)`` and ``P(level >= plan)``, only for texts
whose linear ``P(level >= ideation)`` reaches a floor (the band), and it is trained on
out-of-fold logits (stacking), so it learns how the linear model errs on texts it never saw.

The trees are stored as flat arrays and walked with numpy: no pickle, no scikit-learn at run
time, the same numbers on every path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ruangaman.model.data import LABELS, LANGUAGES, LEVELS

__all__ = ["Stage2", "TreeEnsemble", "fit_stage2", "stage2_features"]

N_LOGITS = len(LEVELS) - 1 + len(LABELS) + len(LANGUAGES)  # every head's columns of the linear model
TARGETS = ("ideation", "plan")  # the levels whose "at least" probability the stage re-decides


@dataclass(frozen=True)
class TreeEnsemble:
    """One binary boosted model: ``sigmoid(baseline + sum of one leaf value per tree)``.

    Arrays are (trees, nodes); a leaf points to itself on both sides with an infinite
    threshold, so walking ``depth`` steps from the root always ends on a leaf.
    """

    baseline: float
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    depth: int

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}_{k}": getattr(self, k) for k in ("feature", "threshold", "left", "right", "value")}

    @classmethod
    def from_arrays(cls, prefix: str, arrays: Any, baseline: float, depth: int) -> "TreeEnsemble":
        return cls(float(baseline), *(np.asarray(arrays[f"{prefix}_{k}"]) for k in
                                      ("feature", "threshold", "left", "right", "value")), int(depth))

    @classmethod
    def from_sklearn(cls, model: Any) -> "TreeEnsemble":
        """Flatten a fitted binary ``HistGradientBoostingClassifier`` (numeric features, no missing values)."""
        trees = [it[0].nodes for it in model._predictors]
        width = max(len(t) for t in trees)
        shape = (len(trees), width)
        feature, left, right = (np.zeros(shape, dtype=np.int32) for _ in range(3))
        threshold, value = np.full(shape, np.inf), np.zeros(shape)
        for i, nodes in enumerate(trees):
            k = np.arange(len(nodes))
            leaf = nodes["is_leaf"].astype(bool)
            feature[i, k] = np.where(leaf, 0, nodes["feature_idx"])
            threshold[i, k] = np.where(leaf, np.inf, nodes["num_threshold"])
            left[i, k] = np.where(leaf, k, nodes["left"])
            right[i, k] = np.where(leaf, k, nodes["right"])
            value[i, k] = np.where(leaf, nodes["value"], 0.0)
        depth = int(max(int(t["depth"].max()) for t in trees))
        return cls(float(np.ravel(model._baseline_prediction)[0]), feature, threshold, left, right, value, depth)


@dataclass(frozen=True)
class Stage2:
    """The second stage: which texts it looks at (``band``), what it reads, its two models."""

    band: float
    concepts: tuple[str, ...]  # concept features, in column order
    surfaces: tuple[str, ...]
    models: tuple[TreeEnsemble, TreeEnsemble]  # P(level >= ideation), P(level >= plan)

    def __post_init__(self) -> None:
        # Both models' trees as one flat node table (global node ids, children side by side),
        # so one walk of ``depth`` steps scores every tree of both models at once.
        feats, thrs, kids, vals, roots = [], [], [], [], []
        start = 0
        for m in self.models:
            for t in range(len(m.feature)):
                width = m.feature.shape[1]
                roots.append(start)
                feats.append(m.feature[t])
                thrs.append(m.threshold[t])
                kids.append(np.column_stack([m.left[t], m.right[t]]).ravel() + start)
                vals.append(m.value[t])
                start += width
        flat = {"_feature": np.concatenate(feats).astype(np.int64), "_threshold": np.concatenate(thrs),
                "_children": np.concatenate(kids).astype(np.int64), "_value": np.concatenate(vals),
                "_roots": np.asarray(roots, dtype=np.int64),
                "_depth": max(m.depth for m in self.models),
                "_baseline": np.asarray([m.baseline for m in self.models]),
                "_split": len(self.models[0].feature)}
        for name, value in flat.items():
            object.__setattr__(self, name, value)

    def revise_one(self, ge: list[float], logits: Sequence[float], concepts: Sequence[int], surface: str,
                   count: int) -> list[float]:
        """``revise`` for one text in plain Python (numpy's per-call cost dwarfs one row), with
        the columns ``stage2_features`` lays out: logits, concepts present (by position), surface, length."""
        x = np.zeros(N_LOGITS + len(self.concepts) + len(self.surfaces) + 1)
        x[:N_LOGITS] = logits
        x[[N_LOGITS + j for j in concepts]] = 1.0
        if surface in self.surfaces:
            x[N_LOGITS + len(self.concepts) + self.surfaces.index(surface)] = 1.0
        x[-1] = math.log1p(count)
        out = list(ge)
        out[2], out[3] = self.probabilities(x[None, :])[0].tolist()
        for k in range(len(out) - 2, -1, -1):  # monotone again, raising lower levels
            out[k] = max(out[k], out[k + 1])
        return out

    def probabilities(self, F: np.ndarray) -> np.ndarray:
        """(n, 2): P(level >= ideation), P(level >= plan)."""
        F = np.ascontiguousarray(F, dtype=np.float64)
        n, d = F.shape
        if n == 1:
            return self._one(F[0])[None, :]
        flat = F.ravel()
        base = (np.arange(n, dtype=np.int64) * d)[:, None]
        at = np.broadcast_to(self._roots, (n, len(self._roots)))  # type: ignore[attr-defined]
        for _ in range(self._depth):  # type: ignore[attr-defined]
            right = flat[base + self._feature[at]] > self._threshold[at]  # type: ignore[attr-defined]
            at = self._children[2 * at + right]  # type: ignore[attr-defined]
        leaf = self._value[at]  # type: ignore[attr-defined]
        raw = np.empty((n, 2))
        split = self._split  # type: ignore[attr-defined]
        raw[:, 0] = leaf[:, :split].sum(axis=1)
        raw[:, 1] = leaf[:, split:].sum(axis=1)
        raw += self._baseline  # type: ignore[attr-defined]
        return 1.0 / (1.0 + np.exp(np.clip(-raw, -40.0, 40.0)))

    def _one(self, x: np.ndarray) -> np.ndarray:
        """``probabilities`` of one row, with 1-d arrays (a third of the numpy calls)."""
        at = self._roots  # type: ignore[attr-defined]
        feature, threshold, children = self._feature, self._threshold, self._children  # type: ignore[attr-defined]
        for _ in range(self._depth):  # type: ignore[attr-defined]
            at = children[2 * at + (x[feature[at]] > threshold[at])]
        leaf = self._value[at]  # type: ignore[attr-defined]
        split = self._split  # type: ignore[attr-defined]
        raw = np.array([leaf[:split].sum(), leaf[split:].sum()]) + self._baseline  # type: ignore[attr-defined]
        return 1.0 / (1.0 + np.exp(np.clip(-raw, -40.0, 40.0)))

    def revise(self, at_least: np.ndarray, F: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """``at_least`` (n, 5) with the two targets replaced on ``rows``, made monotone again by
        raising the lower levels (the safe side: a higher level's probability is never cut)."""
        out = at_least.copy()
        if len(rows):
            out[rows, 2:4] = self.probabilities(F)
            out[rows] = np.maximum.accumulate(out[rows][:, ::-1], axis=1)[:, ::-1]
        return out

    def to_json(self) -> dict[str, Any]:
        return {"band": self.band, "concepts": list(self.concepts), "surfaces": list(self.surfaces),
                "targets": list(TARGETS), "baselines": [m.baseline for m in self.models],
                "depths": [m.depth for m in self.models]}

    def arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name, m in zip(TARGETS, self.models):
            out.update(m.arrays("s2_" + name))
        return out

    @classmethod
    def from_parts(cls, doc: dict[str, Any], arrays: Any) -> "Stage2":
        models = tuple(TreeEnsemble.from_arrays("s2_" + name, arrays, b, d)
                       for name, b, d in zip(TARGETS, doc["baselines"], doc["depths"]))
        return cls(float(doc["band"]), tuple(doc["concepts"]), tuple(doc["surfaces"]), models)  # type: ignore[arg-type]


def stage2_features(logits: np.ndarray, concepts: np.ndarray, surfaces: Sequence[str], counts: np.ndarray,
                    surface_names: Sequence[str]) -> np.ndarray:
    """The second stage's inputs: logits, concepts present (0/1), surface (one-hot), log(1 + features)."""
    onehot = np.asarray([[s == name for name in surface_names] for s in surfaces], dtype=np.float64)
    onehot = onehot.reshape(len(logits), len(surface_names))
    return np.hstack([np.asarray(logits, dtype=np.float64), np.asarray(concepts, dtype=np.float64), onehot,
                      np.log1p(np.asarray(counts, dtype=np.float64)).reshape(-1, 1)])


def fit_stage2(F: np.ndarray, level: np.ndarray, weight: np.ndarray, *, iterations: int, depth: int,
               learning_rate: float, l2: float, seed: int) -> tuple[TreeEnsemble, TreeEnsemble]:
    """Fit the two models on the rows given (single-threaded, no early stopping: reproducible)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    out = []
    with threadpool_limits(1):
        for name in TARGETS:
            y = (level >= LEVELS.index(name)).astype(int)
            m = HistGradientBoostingClassifier(max_iter=iterations, max_depth=depth, learning_rate=learning_rate,
                                               l2_regularization=l2, early_stopping=False, random_state=seed)
            m.fit(F, y, sample_weight=weight)
            out.append(TreeEnsemble.from_sklearn(m))
    return out[0], out[1]
