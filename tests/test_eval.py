"""The evaluation metrics, on a table small enough to count by hand."""

from __future__ import annotations

import pytest

from conftest import run_cli
from ruangaman.evaluate import score


def row(level: str, labels=(), language="id") -> dict:
    return {"self_harm": level, "labels": list(labels), "language": language}


def test_crisis_urgent_and_false_alarm_by_hand() -> None:
    gold = [row("ideation"), row("plan"), row("imminent"), row("imminent"), row("none"), row("mention"),
            row("mention"), row("distress")]
    pred = [row("ideation"), row("ideation"), row("plan"), row("distress"), row("ideation"), row("mention"),
            row("none"), row("distress")]
    r = score(gold, pred)
    assert r.crisis_recall == pytest.approx(3 / 4, abs=1e-4)  # ideation, plan, imminent->plan caught; imminent->distress missed
    assert r.urgent_recall == pytest.approx(1 / 3, abs=1e-4)  # only imminent->plan counts as plan or above
    assert r.false_alarm_rate == pytest.approx(1 / 3, abs=1e-4)  # none->ideation among 3 none/mention
    assert r.confusion[3] == [0, 0, 0, 1, 0, 0]
    assert r.levels["distress"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(0.6667, abs=1e-4),
                                    "support": 1}


def test_labels_and_language() -> None:
    gold = [row("mention", ["stigma"]), row("mention", ["stigma", "misinformation"]), row("none", [], "en")]
    pred = [row("mention", ["stigma"]), row("mention", ["misinformation"], "en"), row("none", ["stigma"], "en")]
    r = score(gold, pred)
    assert r.labels["stigma"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert r.labels["misinformation"]["f1"] == 1.0
    assert r.language_accuracy == pytest.approx(2 / 3, abs=1e-4)


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="same length"):
        score([row("none")], [])


def test_eval_command_prints_every_metric() -> None:
    proc = run_cli("eval", "data/validation/assess-dev.jsonl")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout.decode()
    for name in ("crisis_recall", "urgent_recall", "false_alarm_rate", "self_harm_macro_f1", "label_macro_f1",
                 "language_accuracy", "confusion", "eating_disorder", "imminent"):
        assert name in out
