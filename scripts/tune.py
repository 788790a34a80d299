"""Choose regularization and the second stage's label models by out-of-fold scores on the
training corpus (never the validation set).

    .venv/bin/python scripts/tune.py
"""
from dataclasses import replace
from pathlib import Path

from ruangaman.model.train import TrainConfig, calibrate, out_of_fold, prepare

base = TrainConfig()
p = prepare(Path("data/corpus"), Path("data/public"), base, log=lambda m: None)
for c in (0.5, 1.0, 2.0, 4.0, 8.0):
    cfg = replace(base, c_self_harm=c, c_labels=c)
    _, th, s, _ = calibrate(p, out_of_fold(p, cfg, log=lambda m: None), cfg, log=lambda m: None)
    print(f"C={c}: " + "  ".join(f"{k}={v:.3f}" for k, v in s.items()) + f"  t_ideation={th['self_harm']['ideation']}")

oof = out_of_fold(p, base, log=lambda m: None)  # the linear model does not depend on the second stage
for band in (1.0, 0.1, 0.05):  # 1.0: the second stage re-decides levels only, no label models
    cfg = replace(base, s2_label_band=band)
    _, th, s, _ = calibrate(p, oof, cfg, log=lambda m: None)
    print(f"label band {band}: " + "  ".join(f"{k}={v:.3f}" for k, v in s.items()))
