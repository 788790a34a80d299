"""Score predictions against a labelled set, the way the issue and the guide define it.

* crisis recall: gold ideation/plan/imminent predicted at ideation or above;
* urgent recall: gold plan/imminent predicted at plan or above;
* false-alarm rate: gold none/mention predicted at ideation or above;
* per-level and per-label precision/recall/F1, macro-F1, language accuracy, confusion matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from ruangaman.model.data import LABELS, LEVELS

__all__ = ["Report", "score", "score_drafts"]

_IDX = {lv: i for i, lv in enumerate(LEVELS)}


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": tp + fn}


def _ratio(num: int, den: int) -> float:
    return round(num / den, 4) if den else 0.0


@dataclass
class Report:
    n: int
    levels: dict[str, dict[str, float]]
    labels: dict[str, dict[str, float]]
    self_harm_macro_f1: float
    label_macro_f1: float
    crisis_recall: float
    urgent_recall: float
    false_alarm_rate: float
    language_accuracy: float
    confusion: list[list[int]]
    errors: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "errors"}


def score(gold: Sequence[Mapping[str, Any]], pred: Sequence[Mapping[str, Any]]) -> Report:
    """Compare gold records with predictions, aligned by position."""
    if len(gold) != len(pred):
        raise ValueError(f"gold and predictions must have the same length. Got {len(gold)} and {len(pred)} instead.")
    conf = [[0] * len(LEVELS) for _ in LEVELS]
    crisis = [0, 0]
    urgent = [0, 0]
    alarm = [0, 0]
    lang_ok = lang_n = 0
    lab = {lb: [0, 0, 0] for lb in LABELS}
    errors = []
    for g, p in zip(gold, pred):
        gi, pi = _IDX[g["self_harm"]], _IDX[p["self_harm"]]
        conf[gi][pi] += 1
        if gi >= 3:
            crisis[1] += 1
            crisis[0] += pi >= 3
        if gi >= 4:
            urgent[1] += 1
            urgent[0] += pi >= 4
        if gi <= 1:
            alarm[1] += 1
            alarm[0] += pi >= 3
        if g.get("language"):
            lang_n += 1
            lang_ok += g["language"] == p.get("language")
        gl, pl = set(g.get("labels", [])), set(p.get("labels", []))
        for lb in LABELS:
            lab[lb][0] += lb in gl and lb in pl
            lab[lb][1] += lb in pl and lb not in gl
            lab[lb][2] += lb in gl and lb not in pl
        if gi != pi or gl != pl:
            errors.append({"id": g.get("id"), "text": g.get("text"), "gold": [g["self_harm"], sorted(gl)],
                           "pred": [p["self_harm"], sorted(pl)]})
    levels = {}
    for k, lv in enumerate(LEVELS):
        tp = conf[k][k]
        levels[lv] = _prf(tp, sum(conf[j][k] for j in range(len(LEVELS))) - tp, sum(conf[k]) - tp)
    labels = {lb: _prf(*lab[lb]) for lb in LABELS}
    return Report(
        n=len(gold),
        levels=levels,
        labels=labels,
        self_harm_macro_f1=round(sum(v["f1"] for v in levels.values()) / len(levels), 4),
        label_macro_f1=round(sum(v["f1"] for v in labels.values()) / len(labels), 4),
        crisis_recall=_ratio(*crisis),
        urgent_recall=_ratio(*urgent),
        false_alarm_rate=_ratio(*alarm),
        language_accuracy=_ratio(lang_ok, lang_n),
        confusion=conf,
        errors=errors,
    )


def score_drafts(gold: Sequence[Mapping[str, Any]], pred: Sequence[Sequence[str]],
                 flags: Sequence[str]) -> dict[str, Any]:
    """Per-flag P/R/F1, flag macro-F1, and the pass rate of clean drafts (no flag predicted)."""
    if len(gold) != len(pred):
        raise ValueError(f"gold and predictions must have the same length. Got {len(gold)} and {len(pred)} instead.")
    per = {}
    for f in flags:
        tp = sum(f in g["flags"] and f in p for g, p in zip(gold, pred))
        fp = sum(f not in g["flags"] and f in p for g, p in zip(gold, pred))
        fn = sum(f in g["flags"] and f not in p for g, p in zip(gold, pred))
        per[f] = _prf(tp, fp, fn)
    clean = [not p for g, p in zip(gold, pred) if not g["flags"]]
    return {"n": len(gold), "flags": per, "flag_macro_f1": round(sum(v["f1"] for v in per.values()) / len(per), 4),
            "clean_pass_rate": _ratio(sum(clean), len(clean)), "clean_drafts": len(clean)}
