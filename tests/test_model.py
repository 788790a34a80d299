"""The model artifact: safe format, checked on load, rebuilt bit-for-bit by the training script."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from ruangaman.assess import default_model_dir
from ruangaman.model import LABELS, LinearModel, ModelError
from ruangaman.model.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]


def _digest(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in ("model.json", "model.npz")}


def test_artifact_is_not_pickle_and_records_how_it_was_made() -> None:
    import zipfile

    import numpy as np

    folder = default_model_dir()
    trees = [f"s2_{t}_{k}.npy" for t in ("ideation", "plan", *LABELS)
             for k in ("feature", "left", "right", "threshold", "value")]
    with zipfile.ZipFile(folder / "model.npz") as zf:
        assert sorted(zf.namelist()) == sorted(["bias.npy", "idf.npy", "weights.npy", *trees])
    with np.load(folder / "model.npz", allow_pickle=False) as npz:  # refuses any pickled object
        assert {npz[k].dtype.kind for k in npz.files} <= {"f", "i"}
    doc = json.loads((folder / "model.json").read_text())
    assert doc["weighting"] == TrainConfig().weighting == "tfidf-l2"
    meta = doc["meta"]
    assert meta["trained_with"]["seed"] == TrainConfig().seed
    assert set(meta["versions"]) >= {"python", "numpy", "scipy", "scikit-learn"}
    assert meta["corpus"] and all(len(h) == 64 for h in meta["corpus"].values())


def test_validation_set_is_never_trained_on() -> None:
    meta = json.loads((default_model_dir() / "model.json").read_text())["meta"]
    assert not any("dev" in name or "valid" in name for name in meta["corpus"])
    corpus = {json.loads(line)["text"].strip().lower()
              for f in (ROOT / "data" / "corpus").glob("*.jsonl") for line in f.read_text().splitlines()}
    dev = [json.loads(line)["text"].strip().lower()
           for line in (ROOT / "data" / "validation" / "assess-dev.jsonl").read_text().splitlines()]
    assert not corpus.intersection(dev)


def test_no_corpus_text_is_a_near_copy_of_a_validation_text() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("near_validation", ROOT / "scripts" / "near_validation.py")
    near = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(near)  # type: ignore[union-attr]
    rows = [json.loads(line) for f in sorted((ROOT / "data" / "corpus").glob("*.jsonl"))
            for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]
    close = [(r["id"], v, round(s, 2)) for r, (s, v) in zip(rows, near.nearest([r["text"] for r in rows])) if s >= 0.8]
    assert not close


def test_no_text_is_in_the_corpus_twice() -> None:
    seen: dict[str, str] = {}
    twice = []
    for f in sorted((ROOT / "data" / "corpus").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                key = " ".join(r["text"].lower().split())
                if key in seen:
                    twice.append((seen[key], r["id"]))
                seen.setdefault(key, r["id"])
    assert not twice


def test_second_reading_figures_in_the_docs_are_what_the_script_prints() -> None:
    """data/agreement/README.md quotes scripts/agreement.py; a corpus edit that changes them must update it."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "scripts/agreement.py"], cwd=ROOT, capture_output=True, text=True,
                         check=True).stdout
    doc = (ROOT / "data" / "agreement" / "README.md").read_text(encoding="utf-8")
    for line in out.splitlines()[1:4]:  # level, crisis line, urgent line
        agreement, kappa = line.split("agreement ")[1].split(", kappa ")
        assert f"{agreement} | {kappa}" in doc, line


def test_damaged_weights_are_refused(tmp_path) -> None:
    shutil.copytree(default_model_dir(), tmp_path / "m")
    blob = bytearray((tmp_path / "m" / "model.npz").read_bytes())
    blob[-100] ^= 0xFF
    (tmp_path / "m" / "model.npz").write_bytes(bytes(blob))
    with pytest.raises(ModelError, match="checksum"):
        LinearModel.load(tmp_path / "m")


@pytest.mark.parametrize("weighting, npz_has_idf, message", [
    ("tf", True, "weighting must be one of"),
    ("tfidf-l2", False, "must hold idf"),
])
def test_a_weighting_the_model_cannot_apply_is_refused(tmp_path, weighting, npz_has_idf, message) -> None:
    model = LinearModel.load(default_model_dir())
    if not npz_has_idf:
        model = replace(model, idf=None)  # saved without idf ...
    model.save(tmp_path / "m")
    doc = json.loads((tmp_path / "m" / "model.json").read_text(encoding="utf-8"))
    doc["weighting"] = weighting  # ... but claiming a weighting that needs it, or an unknown one
    (tmp_path / "m" / "model.json").write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ModelError, match=message):
        LinearModel.load(tmp_path / "m")


def test_an_unknown_training_weighting_is_an_error() -> None:
    from ruangaman.model.train import _fit_heads

    with pytest.raises(ValueError, match="weighting must be one of .* Got 'bm25' instead"):
        _fit_heads(None, [], replace(TrainConfig(), weighting="bm25"))


def test_training_twice_gives_identical_bytes(tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("g-support-multi.jsonl", "j-labels-variety.jsonl"):
        shutil.copy(ROOT / "data" / "corpus" / name, corpus / name)
    cfg = replace(TrainConfig(), folds=2)
    train(corpus, ROOT / "data" / "public", tmp_path / "one", cfg, log=lambda m: None)
    train(corpus, ROOT / "data" / "public", tmp_path / "two", cfg, log=lambda m: None)
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")


def test_shipped_model_is_what_the_training_script_builds(tmp_path) -> None:
    train(ROOT / "data" / "corpus", ROOT / "data" / "public", tmp_path / "m", TrainConfig(), log=lambda m: None)
    assert _digest(tmp_path / "m") == _digest(default_model_dir())


def test_second_stage_trees_score_as_scikit_learn_does() -> None:
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingClassifier

    from ruangaman.model.stage2 import Stage2, TreeEnsemble

    rng = np.random.default_rng(7)
    F = rng.normal(size=(600, 5))
    targets = [((F[:, 0] * F[:, 1] > 0.2) | (F[:, 2] > 1.0)).astype(int), (F[:, 3] > F[:, 4] ** 2).astype(int)]
    fitted = [HistGradientBoostingClassifier(max_iter=20, max_depth=d, early_stopping=False, random_state=0).fit(F, y)
              for y, d in zip(targets, (3, 4))]  # interactions a linear model misses; trees of two depths
    s2 = Stage2(0.02, (), (), tuple(TreeEnsemble.from_sklearn(m) for m in fitted))  # type: ignore[arg-type]
    expected = np.column_stack([m.predict_proba(F)[:, 1] for m in fitted])
    assert np.allclose(s2.probabilities(F), expected, atol=1e-9)
    assert np.allclose(s2.probabilities(F[7:8]), expected[7:8], atol=1e-9)  # the one-row path
    assert np.allclose(s2.probabilities(F, (1,))[:, 0], expected[:, 1], atol=1e-9)  # one model of several
    assert np.allclose(s2.models[0].probabilities(F), expected[:, 0], atol=1e-9)  # training's walk


def test_second_stage_only_raises_lower_levels_to_stay_monotone() -> None:
    import numpy as np

    model = LinearModel.load(default_model_dir())
    s2 = model.stage2
    assert s2 is not None and 0 < s2.band < 0.5
    at_least = np.array([[0.9, 0.5, 0.3, 0.1, 0.05]])
    from ruangaman.model.stage2 import N_LOGITS

    F = np.zeros((1, N_LOGITS + len(s2.concepts) + len(s2.surfaces) + 1))
    out, _ = s2.revise(at_least, np.zeros((1, len(LABELS))), F, np.array([0]))
    assert np.all(np.diff(out[0]) <= 0)  # P(level >= k) never grows with k
    assert out[0, 4] >= 0.05 and out[0, 0] >= 0.9  # imminent and mention come from the first stage, never cut


def test_second_stage_re_decides_a_label_only_in_its_band() -> None:
    import numpy as np

    from ruangaman.model.stage2 import N_LOGITS

    s2 = LinearModel.load(default_model_dir()).stage2
    assert s2 is not None and s2.targets[2:] == LABELS and 0 < s2.label_band < 0.5
    F = np.zeros((2, N_LOGITS + len(s2.concepts) + len(s2.surfaces) + 1))
    at_least = np.full((2, 5), 0.001)  # below the level band: the level models stay out
    p_labels = np.full((2, len(LABELS)), 0.01)
    method = LABELS.index("method")
    p_labels[1, method] = s2.label_band
    out_at, out_lab = s2.revise(at_least, p_labels, F, s2.rows(at_least, p_labels))
    assert s2.rows(at_least, p_labels).tolist() == [1]
    assert np.array_equal(out_at, at_least)
    assert out_lab[1, method] == pytest.approx(s2.probabilities(F[1:2], (2 + method,))[0, 0])
    unchanged = np.ones_like(p_labels, dtype=bool)
    unchanged[1, method] = False
    assert np.array_equal(out_lab[unchanged], p_labels[unchanged])


def test_level_evidence_weights_sum_the_ordinal_ladder() -> None:
    """Evidence for level k is what a feature adds to every "at least j" logit, j = 1..k."""
    import numpy as np

    model = LinearModel.load(default_model_dir())
    head = model.heads["self_harm"]
    step = model.weights[:, head.cols] * model.idf[:, None] * np.log(2.0)
    np.testing.assert_allclose(model.evidence_weights[:, head.cols], np.cumsum(step, axis=1), rtol=1e-4, atol=1e-5)
    labels = model.heads["labels"]
    np.testing.assert_allclose(model.evidence_weights[:, labels.cols],
                               model.weights[:, labels.cols] * model.idf[:, None] * np.log(2.0), rtol=1e-5, atol=1e-6)
