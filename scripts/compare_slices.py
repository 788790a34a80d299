"""Should new corpus slices go in?  Out-of-fold scores on the *older* examples only, trained
without and with the new files (never the validation set).

The new slices add training data and also add their own examples to the out-of-fold scores;
comparing on the examples both runs share keeps the question to "does the model get better
on what we already had?".

    .venv/bin/python scripts/compare_slices.py data/corpus/mn-urgent-en-mixed.jsonl data/corpus/mo-urgent-short-regional.jsonl

Each run takes a few minutes (the whole training procedure up to the thresholds).
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from ruangaman.assess.decision import decide_levels
from ruangaman.evaluate import score
from ruangaman.model.data import LABELS, LEVELS
from ruangaman.model.train import (TrainConfig, _heads, _platt, label_thresholds, level_thresholds, out_of_fold,
                                   prepare, second_stage)

KEYS = ("crisis_recall", "urgent_recall", "false_alarm_rate", "self_harm_macro_f1", "label_macro_f1")


def scores_on(corpus: Path, keep: set[str], cfg: TrainConfig) -> dict[str, float]:
    """The training procedure's out-of-fold decisions, scored on the examples whose id is in ``keep``."""
    quiet = lambda m: None  # noqa: E731
    p = prepare(corpus, Path("data/public"), cfg, log=quiet)
    oof = out_of_fold(p, cfg, log=quiet)
    ex = p.examples
    y_level = np.array([LEVELS.index(e.self_harm) for e in ex])
    y_lab = np.array([[lb in e.labels for lb in LABELS] for e in ex], dtype=int)
    n_lv = len(LEVELS) - 1
    heads = _heads([_platt(oof[:, k - 1], (y_level >= k).astype(int)) for k in range(1, len(LEVELS))],
                   [_platt(oof[:, n_lv + j], y_lab[:, j]) for j in range(len(LABELS))])
    _, at_least, p_lab = second_stage(p, oof, heads["self_harm"].at_least(oof), heads["labels"].probabilities(oof),
                                      cfg, log=quiet)
    mine = np.arange(p.own)
    t_level = level_thresholds(at_least[mine], y_level[mine], cfg)
    t_label = label_thresholds(p_lab[mine], y_lab[mine])
    on = p_lab >= np.array([t_label[lb] for lb in LABELS])
    level = decide_levels(at_least, on, np.array([e.surface == "search" for e in ex]),
                          np.array([t_level[lv] for lv in LEVELS[1:]]))
    rows = [i for i in mine if ex[i].id in keep]
    gold = [{"self_harm": ex[i].self_harm, "labels": ex[i].labels, "language": ex[i].language} for i in rows]
    pred = [{"self_harm": LEVELS[level[i]], "labels": [lb for lb, o in zip(LABELS, on[i]) if o],
             "language": ex[i].language} for i in rows]
    r = score(gold, pred)
    return {k: getattr(r, k) for k in KEYS}


def main(new: list[Path]) -> None:
    corpus = Path("data/corpus")
    names = {f.name for f in new}
    older = [f for f in sorted(corpus.glob("*.jsonl")) if f.name not in names]
    keep = {json.loads(line)["id"] for f in older for line in f.read_text(encoding="utf-8").splitlines() if line.strip()}
    cfg = TrainConfig()
    for label, files in (("without", older), ("with", older + list(new))):
        with tempfile.TemporaryDirectory() as tmp:
            for f in files:
                shutil.copy(f, tmp)
            s = scores_on(Path(tmp), keep, cfg)
        print(f"{label:7s} the new slices, on {len(keep)} older examples: "
              + "  ".join(f"{k}={v:.4f}" for k, v in s.items()))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main([Path(a) for a in sys.argv[1:]])
