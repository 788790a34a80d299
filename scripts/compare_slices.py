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

from ruangaman.model import LEVELS
from ruangaman.model.train import TrainConfig, calibrate, out_of_fold, prepare


def scores_on(corpus: Path, keep: set[str], cfg: TrainConfig) -> dict[str, float]:
    """The training procedure's out-of-fold scores on the examples whose id is in ``keep``."""
    quiet = lambda m: None  # noqa: E731
    p = prepare(corpus, Path("data/public"), cfg, log=quiet)
    rows = [i for i, e in enumerate(p.examples[:p.own]) if e.id in keep]
    s = calibrate(p, out_of_fold(p, cfg, log=quiet), cfg, log=quiet, score_on=rows)[2]
    level = [LEVELS.index(p.examples[i].self_harm) for i in rows]
    crisis, urgent, calm = (sum(lv >= 3 for lv in level), sum(lv >= 4 for lv in level), sum(lv <= 1 for lv in level))
    # The training cost (5 per crisis miss, 10 per urgent miss, 1 per false alarm), from the rates,
    # which are rounded to 4 places: good to a few units, so it is printed as a whole number.
    s["cost"] = round(cfg.miss_cost * (1 - s["crisis_recall"]) * crisis
                      + cfg.miss_cost_plan * (1 - s["urgent_recall"]) * urgent + s["false_alarm_rate"] * calm)
    return s


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
              + "  ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in s.items()))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    main([Path(a) for a in sys.argv[1:]])
