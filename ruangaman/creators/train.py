"""Train the drafts model (one calibrated logistic model per safe-messaging flag), reproducibly."""

from __future__ import annotations

import hashlib
import json
import platform
from collections import Counter
from pathlib import Path
from typing import Callable

import numpy as np

from ruangaman.creators.check import FLAGS, draft_features
from ruangaman.features import default_featurizer
from ruangaman.model.linear import Head, LinearModel
from ruangaman.model.train import _csr, _platt, label_thresholds

__all__ = ["read_drafts", "train_drafts"]


def read_drafts(path: Path) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        r = json.loads(line)
        if any(f not in FLAGS for f in r["flags"]):
            raise ValueError(f"{path}:{n}: flags must be among {list(FLAGS)}. Got {r['flags']!r} instead.")
        rows.append(r)
    return rows


def train_drafts(folder: Path, out: Path, seed: int = 20241121, c: float = 2.0, folds: int = 5,
                 log: Callable[[str], None] = print) -> LinearModel:
    import scipy
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import KFold

    files = sorted(folder.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"drafts folder must hold *.jsonl files. Got none in {folder}.")
    rows = [r for f in files for r in read_drafts(f)]
    fz = default_featurizer()
    feats = [draft_features(fz, r["text"], r.get("surface", "caption")) for r in rows]
    df = Counter(f for fs in feats for f in set(fs))
    vocab = {f: i for i, f in enumerate(sorted(f for f, n in df.items() if n >= 2))}
    X = _csr([[vocab[f] for f in fs if f in vocab] for fs in feats], len(vocab))
    Y = np.array([[f in r["flags"] for f in FLAGS] for r in rows], dtype=int)
    log(f"drafts: {len(rows)}, features: {len(vocab)}")

    def fit(Xs, Ys):
        W, b = [], []
        for j in range(len(FLAGS)):
            lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced").fit(Xs, Ys[:, j])
            W.append(lr.coef_[0])
            b.append(lr.intercept_[0])
        return np.array(W).T, np.array(b)

    oof = np.zeros(Y.shape)
    for tr, te in KFold(folds, shuffle=True, random_state=seed).split(X):
        W, b = fit(X[tr], Y[tr])
        oof[te] = X[te] @ W + b
    platt = tuple(_platt(oof[:, j], Y[:, j]) for j in range(len(FLAGS)))
    head = Head("flags", "sigmoid", FLAGS, 0, 1.0, platt)
    thresholds = {"flags": label_thresholds(head.probabilities(oof), Y, FLAGS)}
    log(f"thresholds: {thresholds}")
    W, b = fit(X, Y)
    meta = {"trained_with": {"seed": seed, "c": c, "folds": folds},
            "drafts": {f.name: hashlib.sha256(f.read_bytes()).hexdigest() for f in files},
            "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                         "scikit-learn": sklearn.__version__}}
    model = LinearModel(vocab, W.astype(np.float32), b.astype(np.float32), {"flags": head}, thresholds, meta)
    model.save(out)
    log(f"saved {out}")
    return model
