"""Choose feature weighting, regularization and the second stage's label models by out-of-fold scores on the
training corpus (never the validation set).

    .venv/bin/python scripts/tune.py
"""
from dataclasses import replace
from pathlib import Path

import numpy as np

from ruangaman.model import LABELS, LEVELS
from ruangaman.model.train import TrainConfig, _heads, _platt, calibrate, out_of_fold, prepare, second_stage

base = TrainConfig()
p = prepare(Path("data/corpus"), Path("data/public"), base, log=lambda m: None)
own = np.arange(p.own)
y = np.array([LEVELS.index(e.self_harm) for e in p.examples])
y_lab = np.array([[lb in e.labels for lb in LABELS] for e in p.examples], dtype=int)


def false_alarms_at(oof: np.ndarray, cfg: TrainConfig, recalls=(0.96, 0.97, 0.98)) -> str:
    """False-alarm rate at fixed crisis recalls, on the (second-stage) P(level >= ideation): how well
    a setting ranks, apart from where the cost rule puts the threshold."""
    n = len(LEVELS) - 1
    heads = _heads([_platt(oof[:, k - 1], (y >= k).astype(int)) for k in range(1, len(LEVELS))],
                   [_platt(oof[:, n + j], y_lab[:, j]) for j in range(len(LABELS))])
    _, at_least, _ = second_stage(p, oof, heads["self_harm"].at_least(oof), heads["labels"].probabilities(oof), cfg,
                                  log=lambda m: None)
    s, g = at_least[own, 2], y[own]
    return "  ".join(f"fa@{r}={(s[g <= 1] >= np.quantile(s[g >= 3], 1 - r)).mean():.4f}" for r in recalls)


# Feature weighting and regularization (C grows with tf-idf: unit-length rows have small values)
for weighting, c in [("counts", 2.0), ("tfidf-l2", 8.0), ("tfidf-l2", 16.0), ("tfidf-l2", 32.0)]:
    cfg = replace(base, weighting=weighting, c_self_harm=c, c_labels=c, c_language=2 * c)
    oof_c = out_of_fold(p, cfg, log=lambda m: None)
    _, th, s, _ = calibrate(p, oof_c, cfg, log=lambda m: None)
    print(f"{weighting} C={c}: " + "  ".join(f"{k}={v:.3f}" for k, v in s.items())
          + f"  t_ideation={th['self_harm']['ideation']}  " + false_alarms_at(oof_c, cfg))

oof = out_of_fold(p, base, log=lambda m: None)  # the linear model does not depend on the second stage
for band in (1.0, 0.1, 0.05):  # 1.0: the second stage re-decides levels only, no label models
    cfg = replace(base, s2_label_band=band)
    _, th, s, _ = calibrate(p, oof, cfg, log=lambda m: None)
    print(f"label band {band}: " + "  ".join(f"{k}={v:.3f}" for k, v in s.items()))
