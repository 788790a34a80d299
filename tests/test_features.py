"""The serving feature paths (single and batch) give exactly the training features."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]


def _reference(engine, text: str, surface: str) -> Counter:
    vocab = engine.model.vocab
    return Counter(vocab[f] for f in engine.featurizer.features(text, surface) if f in vocab)


def _corpus_sample(n: int = 400) -> list[dict]:
    rows = []
    for path in sorted((ROOT / "data" / "corpus").glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        rows.extend(json.loads(line) for line in lines[:: max(1, len(lines) // (n // 10))])
    return rows


def test_single_path_matches_training_features(engine) -> None:
    for r in _corpus_sample():
        assert Counter(engine.indexer.index(r["text"], r["surface"])) == _reference(engine, r["text"], r["surface"])


def test_batch_path_matches_single_path(engine) -> None:
    rows = _corpus_sample() + [{"text": "b u n u h  d i r i aja", "surface": "post"},
                               {"text": "i a m fine", "surface": "comment"}]
    batch = engine.indexer.index_many([r["text"] for r in rows], [r["surface"] for r in rows])
    for k, r in enumerate(rows):
        row = batch.X.getrow(k)
        got = Counter({int(i): int(v) for i, v in zip(row.indices, row.data)})
        assert got == Counter(engine.indexer.index(r["text"], r["surface"])), r["text"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("aku bunuhdirmatsepng1.* 😂🔪\u200b")), max_size=40),
                min_size=1, max_size=6))
def test_batch_equals_single_on_arbitrary_text(engine, texts: list[str]) -> None:
    batch = engine.indexer.index_many(texts, ["post"] * len(texts))
    for k, t in enumerate(texts):
        row = batch.X.getrow(k)
        got = Counter({int(i): int(v) for i, v in zip(row.indices, row.data)})
        assert got == Counter(engine.indexer.index(t, "post")) == _reference(engine, t, "post")


# -- feature weighting (model/linear.py): what the linear heads see -------------------------------

@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 7), max_size=12), min_size=1, max_size=6))
def test_tfidf_rows_have_unit_length_and_keep_their_features(rows) -> None:
    from scipy.sparse import coo_matrix

    from ruangaman.model.linear import row_norms, tfidf_l2

    r = [i for i, row in enumerate(rows) for _ in row]
    c = [f for row in rows for f in row]
    X = coo_matrix((np.ones(len(c)), (r, c)), shape=(len(rows), 8)).tocsr()
    idf = np.linspace(1.0, 3.0, 8)
    W = tfidf_l2(X, idf)
    for i, row in enumerate(rows):
        got = W[i].toarray().ravel()
        if not row:
            assert not got.any()  # an empty text stays empty, not NaN
            continue
        assert np.linalg.norm(got) == pytest.approx(1.0)
        assert set(np.flatnonzero(got)) == set(row)
        counts = np.bincount(row, minlength=8)
        want = np.log1p(counts) * idf
        assert got == pytest.approx(want / np.linalg.norm(want))
    assert X.sum() == len(c)  # the caller's counts are untouched
    assert row_norms(W)[[i for i, row in enumerate(rows) if row]] == pytest.approx(1.0)


def test_idf_is_scikit_learns_smoothed_idf() -> None:
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import TfidfTransformer

    from ruangaman.model.train import idf_of

    X = csr_matrix(np.array([[1, 0, 2, 0], [0, 0, 1, 0], [3, 1, 0, 0]], dtype=np.float64))
    assert idf_of(X) == pytest.approx(TfidfTransformer(smooth_idf=True).fit(X).idf_)
