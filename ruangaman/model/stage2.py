"""A second look at the texts near the crisis line: small boosted trees over the linear model.

The linear model adds up word weights; it cannot make "mati aja lo" (aimed at someone else)
and "mati aja gw" (the author's own wish) differ by more than the weight of one pronoun, and
it cannot learn that a death wish plus an addressee plus a high harassment score means
harassment, not ideation.  The second stage learns such interactions: gradient-boosted trees
over the linear model's logits, the lexicon concepts present, the surface and the text's
length.  It re-decides ``P(level >= ideation)`` and ``P(level >= plan)`` for texts whose
linear ``P(level >= ideation)`` reaches a floor (the band), and each label for texts whose
linear probability of it reaches a floor of its own (a means word is a method beside the
author's "aku", not beside a pest).  It is trained on out-of-fold logits (stacking), so it
learns how the linear model errs on texts it never saw.

The trees are stored as flat arrays and walked with numpy: no pickle, no scikit-learn at run
time, the same numbers on every path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import numpy as np

from ruangaman.model.data import LABELS, LANGUAGES, LEVELS

__all__ = ["Stage2", "TreeEnsemble", "fit_trees", "stage2_features"]

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

    def probabilities(self, F: np.ndarray) -> np.ndarray:
        """P(target) of every row of F (training's out-of-fold walk; serving walks :class:`Stage2`)."""
        F = np.asarray(F, dtype=np.float64)
        rows, trees = np.arange(len(F))[:, None], np.arange(len(self.feature))[None, :]
        at = np.zeros((len(F), len(self.feature)), dtype=np.int64)
        for _ in range(self.depth):
            right = F[rows, self.feature[trees, at]] > self.threshold[trees, at]
            at = np.where(right, self.right[trees, at], self.left[trees, at])
        raw = self.baseline + self.value[trees, at].sum(axis=1)
        return 1.0 / (1.0 + np.exp(np.clip(-raw, -40.0, 40.0)))

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
    """The second stage: which texts it looks at, what it reads, and its models.

    ``models[0:2]`` re-decide P(level >= ideation) and P(level >= plan) for texts whose linear
    P(level >= ideation) reaches ``band``; each further model re-decides one label (named in
    ``targets``) for texts whose linear probability of that label reaches ``label_band``.
    """

    band: float
    concepts: tuple[str, ...]  # concept features, in column order
    surfaces: tuple[str, ...]
    models: tuple[TreeEnsemble, ...]
    targets: tuple[str, ...] = TARGETS
    label_band: float = 1.0

    def __post_init__(self) -> None:
        if tuple(self.targets[:2]) != TARGETS or len(self.targets) != len(self.models) \
                or any(t not in LABELS for t in self.targets[2:]):
            raise ValueError(f"targets must be {list(TARGETS)} then labels, one per model. Got {list(self.targets)} "
                             f"for {len(self.models)} models instead.")
        # Every model's trees in one flat node table (global node ids, children side by side),
        # so one walk of ``depth`` steps scores every tree of the chosen models at once.
        feats, thrs, kids, vals, roots = [], [], [], [], []
        start = 0
        for m in self.models:
            model_roots = []
            for t in range(len(m.feature)):
                width = m.feature.shape[1]
                model_roots.append(start)
                feats.append(m.feature[t])
                thrs.append(m.threshold[t])
                kids.append(np.column_stack([m.left[t], m.right[t]]).ravel() + start)
                vals.append(m.value[t])
                start += width
            roots.append(np.asarray(model_roots, dtype=np.int64))
        flat = {"_feature": np.concatenate(feats).astype(np.int64), "_threshold": np.concatenate(thrs),
                "_children": np.concatenate(kids).astype(np.int64), "_value": np.concatenate(vals),
                "_roots": tuple(roots), "_depth": max(m.depth for m in self.models),
                "_baseline": np.asarray([m.baseline for m in self.models]),
                "_labels": tuple((j, LABELS.index(t)) for j, t in enumerate(self.targets) if j >= 2)}
        for name, value in flat.items():
            object.__setattr__(self, name, value)

    def rows(self, at_least: np.ndarray, p_labels: np.ndarray) -> np.ndarray:
        """Rows any model looks at."""
        look = at_least[:, 2] >= self.band
        for _, col in self._labels:  # type: ignore[attr-defined]
            look |= p_labels[:, col] >= self.label_band
        return np.flatnonzero(look)

    def revise(self, at_least: np.ndarray, p_labels: np.ndarray, F: np.ndarray,
               rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``at_least`` (n, 5) and ``p_labels`` (n, labels) re-decided on ``rows`` (F: their
        features, in order), each by the models whose band the row is in; levels are made
        monotone again by raising the lower ones (the safe side: a higher level is never cut)."""
        at_least, p_labels = at_least.copy(), p_labels.copy()
        if not len(rows):
            return at_least, p_labels
        sel = np.flatnonzero(at_least[rows, 2] >= self.band)
        if len(sel):
            r = rows[sel]
            at_least[r, 2:4] = self.probabilities(F[sel], (0, 1))
            at_least[r] = np.maximum.accumulate(at_least[r][:, ::-1], axis=1)[:, ::-1]
        for j, col in self._labels:  # type: ignore[attr-defined]
            sel = np.flatnonzero(p_labels[rows, col] >= self.label_band)
            if len(sel):
                p_labels[rows[sel], col] = self.probabilities(F[sel], (j,))[:, 0]
        return at_least, p_labels

    def revise_one(self, ge: list[float], p_labels: list[float], logits: Sequence[float], concepts: Iterable[int],
                   surface: str, count: int) -> tuple[list[float], list[float]]:
        """``revise`` for one text in plain Python lists (numpy's per-call cost dwarfs one row), with
        the columns ``stage2_features`` lays out: logits, concepts present (by position; read only
        when a model looks at the text, so a lazy iterable saves the work for most texts), surface, length."""
        which = [0, 1] if ge[2] >= self.band else []
        which += [j for j, col in self._labels if p_labels[col] >= self.label_band]  # type: ignore[attr-defined]
        if not which:
            return ge, p_labels
        x = np.zeros(N_LOGITS + len(self.concepts) + len(self.surfaces) + 1)
        x[:N_LOGITS] = logits
        x[[N_LOGITS + j for j in concepts]] = 1.0
        if surface in self.surfaces:
            x[N_LOGITS + len(self.concepts) + self.surfaces.index(surface)] = 1.0
        x[-1] = math.log1p(count)
        p = dict(zip(which, self._one(x, which).tolist()))
        ge, p_labels = list(ge), list(p_labels)
        if 0 in p:
            ge[2], ge[3] = p[0], p[1]
            for k in range(len(ge) - 2, -1, -1):  # monotone again, raising lower levels
                ge[k] = max(ge[k], ge[k + 1])
        for j, col in self._labels:  # type: ignore[attr-defined]
            if j in p:
                p_labels[col] = p[j]
        return ge, p_labels

    def probabilities(self, F: np.ndarray, which: Sequence[int] = (0, 1)) -> np.ndarray:
        """(n, len(which)): the probabilities of the models ``which`` (indices into ``targets``)."""
        F = np.ascontiguousarray(F, dtype=np.float64)
        n, d = F.shape
        if n == 1:
            return self._one(F[0], which)[None, :]
        roots = np.concatenate([self._roots[j] for j in which])  # type: ignore[attr-defined]
        flat = F.ravel()
        base = (np.arange(n, dtype=np.int64) * d)[:, None]
        at = np.broadcast_to(roots, (n, len(roots)))
        for _ in range(self._depth):  # type: ignore[attr-defined]
            right = flat[base + self._feature[at]] > self._threshold[at]  # type: ignore[attr-defined]
            at = self._children[2 * at + right]  # type: ignore[attr-defined]
        raw = np.add.reduceat(self._value[at], self._starts(which), axis=1)  # type: ignore[attr-defined]
        raw += self._baseline[list(which)]  # type: ignore[attr-defined]
        return 1.0 / (1.0 + np.exp(np.clip(-raw, -40.0, 40.0)))

    def _starts(self, which: Sequence[int]) -> np.ndarray:
        sizes = [len(self._roots[j]) for j in which]  # type: ignore[attr-defined]
        return np.concatenate([[0], np.cumsum(sizes[:-1])]).astype(np.int64)

    def _one(self, x: np.ndarray, which: Sequence[int]) -> np.ndarray:
        """``probabilities`` of one row, with 1-d arrays (a third of the numpy calls)."""
        at = np.concatenate([self._roots[j] for j in which])  # type: ignore[attr-defined]
        feature, threshold, children = self._feature, self._threshold, self._children  # type: ignore[attr-defined]
        for _ in range(self._depth):  # type: ignore[attr-defined]
            at = children[2 * at + (x[feature[at]] > threshold[at])]
        raw = np.add.reduceat(self._value[at], self._starts(which))  # type: ignore[attr-defined]
        raw += self._baseline[list(which)]  # type: ignore[attr-defined]
        return 1.0 / (1.0 + np.exp(np.clip(-raw, -40.0, 40.0)))

    def to_json(self) -> dict[str, Any]:
        return {"band": self.band, "label_band": self.label_band, "concepts": list(self.concepts),
                "surfaces": list(self.surfaces), "targets": list(self.targets),
                "baselines": [m.baseline for m in self.models], "depths": [m.depth for m in self.models]}

    def arrays(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for name, m in zip(self.targets, self.models):
            out.update(m.arrays("s2_" + name))
        return out

    @classmethod
    def from_parts(cls, doc: dict[str, Any], arrays: Any) -> "Stage2":
        targets = tuple(doc["targets"])
        models = tuple(TreeEnsemble.from_arrays("s2_" + name, arrays, b, d)
                       for name, b, d in zip(targets, doc["baselines"], doc["depths"]))
        return cls(float(doc["band"]), tuple(doc["concepts"]), tuple(doc["surfaces"]), models, targets,
                   float(doc["label_band"]))


def stage2_features(logits: np.ndarray, concepts: np.ndarray, surfaces: Sequence[str], counts: np.ndarray,
                    surface_names: Sequence[str]) -> np.ndarray:
    """The second stage's inputs: logits, concepts present (0/1), surface (one-hot), log(1 + features)."""
    onehot = np.asarray([[s == name for name in surface_names] for s in surfaces], dtype=np.float64)
    onehot = onehot.reshape(len(logits), len(surface_names))
    return np.hstack([np.asarray(logits, dtype=np.float64), np.asarray(concepts, dtype=np.float64), onehot,
                      np.log1p(np.asarray(counts, dtype=np.float64)).reshape(-1, 1)])


def fit_trees(F: np.ndarray, y: np.ndarray, weight: np.ndarray, *, iterations: int, depth: int,
              learning_rate: float, l2: float, seed: int) -> TreeEnsemble:
    """Fit one binary model on the rows given (single-threaded, no early stopping: reproducible)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        m = HistGradientBoostingClassifier(max_iter=iterations, max_depth=depth, learning_rate=learning_rate,
                                           l2_regularization=l2, early_stopping=False, random_state=seed)
        m.fit(F, y, sample_weight=weight)
    return TreeEnsemble.from_sklearn(m)
