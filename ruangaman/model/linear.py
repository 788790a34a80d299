"""The trained model: one sparse linear map from features to every head's logits.

All heads (self-harm level, each label, language) share one vocabulary and one weight
matrix, so scoring a batch is a single sparse-dense product.  The artifact is two files:
``model.json`` (vocabulary, heads, calibration, thresholds, training record) and
``model.npz`` (weights, and the second stage's trees as flat arrays), written byte-for-byte
reproducibly; no pickle anywhere.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from ruangaman.model.stage2 import Stage2

__all__ = ["Head", "LinearModel", "ModelError", "WEIGHTINGS", "tfidf_l2"]

FORMAT = "ruangaman-linear/1"
WEIGHTINGS = ("counts", "tfidf-l2")


def tfidf_l2(X, idf: np.ndarray):  # noqa: ANN001, ANN201 - scipy sparse in and out
    """Rows of feature counts as sublinear tf-idf scaled to unit length (float64 CSR, a copy).

    A feature's value is ``log(1 + count) * idf``, so a rare word weighs more than a common
    one and a repeated word does not count linearly; unit rows keep a long text from
    out-shouting a short one just by having more features.
    """
    return _tfidf_l2_norms(X, idf)[0]


def _tfidf_l2_norms(X, idf: np.ndarray):  # noqa: ANN001, ANN202
    """``tfidf_l2`` and the row lengths it divided by."""
    X = X.tocsr().astype(np.float64)  # astype copies: the caller's counts stay as they were
    X.sum_duplicates()
    X.data = np.log1p(X.data) * idf[X.indices]
    norms = row_norms(X)
    X.data /= np.repeat(norms, np.diff(X.indptr))
    return X, norms


def row_norms(X) -> np.ndarray:  # noqa: ANN001
    """Euclidean length of each CSR row; 1.0 for an empty row (nothing to scale)."""
    rows = np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))
    norms = np.sqrt(np.bincount(rows, weights=X.data * X.data, minlength=X.shape[0]))
    norms[norms == 0.0] = 1.0
    return norms


class ModelError(RuntimeError):
    """The model artifact is missing, damaged or of another format."""


@dataclass(frozen=True)
class Head:
    """A block of output columns.

    ``softmax``: one column per class.  ``sigmoid``: one independent column per label.
    ``cumulative``: ordered classes, one column per "at least class k" (k >= 1), an
    ordinal model whose probabilities are made monotone and differenced into classes.
    """

    name: str
    kind: str  # "softmax" | "sigmoid" | "cumulative"
    classes: tuple[str, ...]
    offset: int
    # Calibration: softmax -> temperature; sigmoid -> per-class (a, b) on the logit.
    temperature: float = 1.0
    platt: tuple[tuple[float, float], ...] = ()

    def __post_init__(self) -> None:
        a = np.array([p[0] for p in self.platt]) if self.platt else np.ones(1)
        b = np.array([p[1] for p in self.platt]) if self.platt else np.zeros(1)
        object.__setattr__(self, "_a", a)
        object.__setattr__(self, "_b", b)

    @property
    def width(self) -> int:
        return len(self.classes) - 1 if self.kind == "cumulative" else len(self.classes)

    @property
    def cols(self) -> slice:
        return slice(self.offset, self.offset + self.width)

    def at_least(self, logits: np.ndarray) -> np.ndarray:
        """Cumulative head: P(class >= k) for k = 1..n-1, monotone non-increasing in k."""
        p = self._sigmoid(logits[..., self.cols])
        return np.minimum.accumulate(p, axis=-1)

    @staticmethod
    def classes_from_at_least(ge: np.ndarray) -> np.ndarray:
        """P(class = k) from P(class >= k), k = 1..n-1."""
        full = np.empty(ge.shape[:-1] + (ge.shape[-1] + 2,))
        full[..., 0], full[..., -1], full[..., 1:-1] = 1.0, 0.0, ge
        return full[..., :-1] - full[..., 1:]

    def probabilities(self, logits: np.ndarray) -> np.ndarray:
        if self.kind == "cumulative":
            return self.classes_from_at_least(self.at_least(logits))
        if self.kind == "sigmoid":
            return self._sigmoid(logits[..., self.cols])
        z = logits[..., self.cols] / self.temperature
        # Clip far-off classes: exp of very negative numbers gives denormals, which are slow
        # to compute with and round to 0.0 anyway.
        z = np.maximum(z - z.max(axis=-1, keepdims=True), -40.0)
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    def _sigmoid(self, z: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(np.clip(-(self._a * z + self._b), -40.0, 40.0)))  # type: ignore[attr-defined]


@dataclass
class LinearModel:
    vocab: dict[str, int]
    weights: np.ndarray  # (n_features, n_outputs) float32
    bias: np.ndarray  # (n_outputs,) float32
    heads: dict[str, Head]
    thresholds: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    stage2: Stage2 | None = None  # the second look at texts near the crisis line (model/stage2.py)
    idf: np.ndarray | None = None  # per feature, for the "tfidf-l2" weighting; None: raw counts

    def __post_init__(self) -> None:
        # Scores add up in float64 on every path, so one text scores the same alone or in a batch.
        self._weights64 = self.weights.astype(np.float64)
        if self.idf is not None and self.idf.shape != (len(self.vocab),):
            raise ModelError(f"idf must have one value per feature ({len(self.vocab)}). Got shape {self.idf.shape}.")
        # What one occurrence of a feature adds to each logit, before a text's own scaling
        ev = self.weights if self.idf is None else self.weights * self.idf[:, None] * np.log(2.0)
        ev = np.array(ev, dtype=np.float32)
        # A level's evidence is what a feature added on the whole way up to it: the sum over the
        # ordinal columns "at least" the first level .. this level. "bunuh diri" moves a text from
        # none to mention, "pengen" from mention to ideation; a reader of "pengen bunuh diri"
        # should see both, not only the last step.
        for head in self.heads.values():
            if head.kind == "cumulative":
                ev[:, head.cols] = np.cumsum(ev[:, head.cols], axis=1)
        self.evidence_weights = ev

    @property
    def weighting(self) -> str:
        return "counts" if self.idf is None else "tfidf-l2"

    # -- scoring --------------------------------------------------------------------------
    def indices(self, features: Sequence[str]) -> list[int]:
        get = self.vocab.get
        return [i for f in features if (i := get(f)) is not None]

    def logits_one(self, indices: Sequence[int]) -> np.ndarray:
        """Logits of one text, from its feature indices (repeats count)."""
        return self.logits_and_scale(indices)[0]

    def logits_and_scale(self, indices: Sequence[int]) -> tuple[np.ndarray, float]:
        """``logits_one`` of one text and its scale (as ``logits_and_scales`` gives a row), weighing
        its features once."""
        if not indices:
            return self.bias.astype(np.float64), 1.0
        if self.idf is None:
            return self.weights[indices].sum(axis=0, dtype=np.float64) + self.bias, 1.0
        counts = Counter(indices)
        idx = np.fromiter(counts, dtype=np.int64, count=len(counts))
        x = np.log1p(np.fromiter(counts.values(), dtype=np.float64, count=len(counts))) * self.idf[idx]
        scale = 1.0 / math.sqrt(x @ x)
        return (x * scale) @ self._weights64[idx] + self.bias, scale

    def logits_matrix(self, X) -> np.ndarray:  # noqa: ANN001 - a scipy sparse matrix
        """Logits of a (texts x features) sparse count matrix."""
        return self.logits_and_scales(X)[0]

    def logits_and_scales(self, X) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
        """``logits_matrix`` and each row's scale: what ``evidence_weights`` are multiplied by in
        that text (its tf-idf length, inverted; 1.0 for raw counts), from one weighing of the rows."""
        if self.idf is None:
            X = X if X.dtype == np.float64 else X.astype(np.float64)
            return np.asarray(X @ self._weights64) + self.bias, np.ones(X.shape[0])
        X, norms = _tfidf_l2_norms(X, self.idf)
        return np.asarray(X @ self._weights64) + self.bias, 1.0 / norms

    # -- storage --------------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        vocab = sorted(self.vocab, key=self.vocab.__getitem__)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            arrays = {"weights": self.weights, "bias": self.bias, **({"idf": self.idf} if self.idf is not None else {}),
                      **(self.stage2.arrays() if self.stage2 else {})}
            for name, arr in arrays.items():
                member = io.BytesIO()
                np.save(member, np.ascontiguousarray(arr), allow_pickle=False)
                info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, member.getvalue())
        (folder / "model.npz").write_bytes(buf.getvalue())
        doc = {
            "format": FORMAT,
            "weights_sha256": hashlib.sha256(buf.getvalue()).hexdigest(),
            "heads": [
                {"name": h.name, "kind": h.kind, "classes": list(h.classes), "offset": h.offset,
                 "temperature": h.temperature, "platt": [list(p) for p in h.platt]}
                for h in self.heads.values()
            ],
            "thresholds": self.thresholds,
            "meta": self.meta,
            "stage2": self.stage2.to_json() if self.stage2 else None,
            "vocab": vocab,
        }
        if self.idf is not None:  # absent means raw counts (models from before the weighting existed)
            doc["weighting"] = self.weighting
        (folder / "model.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                           encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "LinearModel":
        folder = Path(folder)
        try:
            doc = json.loads((folder / "model.json").read_text(encoding="utf-8"))
            blob = (folder / "model.npz").read_bytes()
        except (OSError, ValueError) as e:
            raise ModelError(f"model folder must hold model.json and model.npz. Got {folder}: {e}") from e
        if doc.get("format") != FORMAT:
            raise ModelError(f"model format must be {FORMAT!r}. Got {doc.get('format')!r} instead.")
        if hashlib.sha256(blob).hexdigest() != doc.get("weights_sha256"):
            raise ModelError(f"model.npz in {folder} does not match the checksum in model.json.")
        with np.load(io.BytesIO(blob), allow_pickle=False) as npz:
            weights, bias = npz["weights"], npz["bias"]
            weighting = doc.get("weighting", "counts")
            if weighting not in WEIGHTINGS:
                raise ModelError(f"model weighting must be one of {list(WEIGHTINGS)}. Got {weighting!r} instead.")
            if weighting == "tfidf-l2" and "idf" not in npz:
                raise ModelError(f"model.npz in {folder} must hold idf for the tfidf-l2 weighting. Got none.")
            idf = npz["idf"] if weighting == "tfidf-l2" else None
            try:
                stage2 = Stage2.from_parts(doc["stage2"], npz) if doc.get("stage2") else None
            except (KeyError, TypeError, ValueError) as e:
                raise ModelError(f"model.npz in {folder} must hold the second stage model.json describes: {e}") from e
        vocab = {f: i for i, f in enumerate(doc["vocab"])}
        if weights.shape[0] != len(vocab):
            raise ModelError(f"weights must have one row per feature ({len(vocab)}). Got {weights.shape[0]}.")
        heads = {
            h["name"]: Head(h["name"], h["kind"], tuple(h["classes"]), h["offset"], h["temperature"],
                            tuple(tuple(p) for p in h["platt"]))
            for h in doc["heads"]
        }
        return cls(vocab, weights, bias, heads, doc.get("thresholds", {}), doc.get("meta", {}), stage2, idf)
