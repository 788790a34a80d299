"""Build the model from the project's corpus, reproducibly.

One fixed seed drives every random choice (public-data sampling, fold split); the solver
is deterministic; the artifact is written without timestamps.  Running it twice gives the
same bytes, which a test checks.

Calibration and thresholds come from out-of-fold predictions on the training corpus,
never from the validation set: the validation scores ``ruangaman eval`` prints are
measured on texts the whole procedure never saw.
"""

from __future__ import annotations

import hashlib
import platform
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from ruangaman.features import default_featurizer
from ruangaman.model.data import LABELS, LANGUAGES, LEVELS, Example, read_labelled, read_public
from ruangaman.model.linear import WEIGHTINGS, Head, LinearModel, tfidf_l2
from ruangaman.model.stage2 import TARGETS, Stage2, fit_trees, stage2_features

__all__ = ["TrainConfig", "train"]


@dataclass(frozen=True)
class TrainConfig:
    seed: int = 20241121
    min_df: int = 2
    folds: int = 5
    c_self_harm: float = 16.0
    c_labels: float = 16.0
    c_language: float = 32.0
    public_weight: float = 0.5
    weighting: str = "tfidf-l2"  # feature values: "counts", or sublinear tf-idf in unit-length rows
    miss_cost: float = 5.0  # a missed ideation costs this many false alarms
    miss_cost_plan: float = 10.0  # a missed plan or imminent text loses its urgent review: costs more
    jobs: int = 2
    max_iter: int = 3000
    # second stage (ruangaman/model/stage2.py)
    s2_band: float = 0.02  # texts with P(level >= ideation) at least this get the level models
    s2_label_band: float = 0.1  # texts with P(label) at least this get that label's model (1.0: no label models)
    s2_iterations: int = 200
    s2_depth: int = 3
    s2_learning_rate: float = 0.1
    s2_l2: float = 1.0


def _csr(rows: list[list[int]], n_features: int):
    from scipy.sparse import csr_matrix

    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int32, count=int(indptr[-1]))
    m = csr_matrix((np.ones(len(indices), dtype=np.float64), indices, indptr), shape=(len(rows), n_features))
    m.sum_duplicates()
    return m


def idf_of(X) -> np.ndarray:  # noqa: ANN001
    """Smoothed inverse document frequency of every column of a count matrix (as scikit-learn's)."""
    df = np.bincount(X.tocsr().indices, minlength=X.shape[1])
    return np.log((1.0 + X.shape[0]) / (1.0 + df)) + 1.0


def _fit_heads(X, ex: list[Example], cfg: TrainConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Fit every head on the count matrix X; return (W, b, idf) with columns in head order
    (idf, learned from these rows only, is None for the "counts" weighting)."""
    from sklearn.linear_model import LogisticRegression

    if cfg.weighting not in WEIGHTINGS:
        raise ValueError(f"weighting must be one of {list(WEIGHTINGS)}. Got {cfg.weighting!r} instead.")
    idf = idf_of(X) if cfg.weighting == "tfidf-l2" else None
    X = tfidf_l2(X, idf) if idf is not None else X
    w = np.array([e.weight for e in ex])
    for label in LABELS:
        if not any(label in e.labels for e in ex):
            raise ValueError(f"training data must hold examples of every label. Got none for {label!r}.")
    cols_w, cols_b = [], []
    y = np.array([LEVELS.index(e.self_harm) for e in ex])
    for k in range(1, len(LEVELS)):  # ordinal: one "level >= k" model per k
        lr = LogisticRegression(C=cfg.c_self_harm, max_iter=cfg.max_iter)
        lr.fit(X, (y >= k).astype(int), sample_weight=w)
        cols_w.append(lr.coef_)
        cols_b.append(lr.intercept_)
    for label in LABELS:
        y = np.array([label in e.labels for e in ex], dtype=int)
        lr = LogisticRegression(C=cfg.c_labels, max_iter=cfg.max_iter, class_weight="balanced")
        lr.fit(X, y, sample_weight=w)
        cols_w.append(lr.coef_)
        cols_b.append(lr.intercept_)
    lang_idx = [i for i, e in enumerate(ex) if e.language in LANGUAGES]
    y = np.array([LANGUAGES.index(ex[i].language) for i in lang_idx])
    lr = LogisticRegression(C=cfg.c_language, max_iter=cfg.max_iter)
    lr.fit(X[lang_idx], y)
    full = np.zeros((len(LANGUAGES), X.shape[1]))
    fb = np.full(len(LANGUAGES), -30.0)
    full[lr.classes_] = lr.coef_
    fb[lr.classes_] = lr.intercept_
    cols_w.append(full)
    cols_b.append(fb)
    return np.vstack(cols_w).T, np.concatenate(cols_b), idf


def _heads(platt_level=(), platt=(), t_lang=1.0) -> dict[str, Head]:
    n = len(LEVELS) - 1
    return {
        "self_harm": Head("self_harm", "cumulative", LEVELS, 0, 1.0, tuple(platt_level)),
        "labels": Head("labels", "sigmoid", LABELS, n, 1.0, tuple(platt or ())),
        "language": Head("language", "softmax", LANGUAGES, n + len(LABELS), t_lang),
    }


def _temperature(logits: np.ndarray, y: np.ndarray) -> float:
    from scipy.optimize import minimize_scalar

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -float(logp[np.arange(len(y)), y].mean())

    return float(minimize_scalar(nll, bounds=(0.2, 10.0), method="bounded").x)


def _platt(z: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e4, max_iter=1000).fit(z.reshape(-1, 1), y)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def level_thresholds(p_level: np.ndarray, gold: np.ndarray, cfg: TrainConfig) -> dict[str, float]:
    """Thresholds on P(level >= k), chosen on out-of-fold predictions.

    For ``ideation`` a miss costs ``miss_cost`` false alarms and for ``plan``
    ``miss_cost_plan``: the threshold minimizes ``cost * misses + false alarms``.  Other levels use the median rule
    (0.5: at least as likely to be at or above the level as below it).
    """
    cum = np.concatenate([np.ones((len(p_level), 1)), p_level], axis=1)  # cum[:, k] = P(level >= k)
    th = {lv: 0.5 for lv in LEVELS[1:]}
    grid = np.round(np.arange(0.05, 0.701, 0.01), 3)
    for lv in ("ideation", "plan"):
        k = LEVELS.index(lv)
        pos = gold >= k
        cost = cfg.miss_cost_plan if lv == "plan" else cfg.miss_cost
        costs = [cost * float((cum[pos, k] < t).sum()) + float((cum[~pos, k] >= t).sum()) for t in grid]
        th[lv] = float(grid[int(np.argmin(costs))])
    return th


def label_thresholds(p: np.ndarray, y: np.ndarray, names: tuple[str, ...] = LABELS) -> dict[str, float]:
    """Per-label threshold with the best out-of-fold F1."""
    out = {}
    for j, label in enumerate(names):
        best, best_t = -1.0, 0.5
        for t in np.round(np.arange(0.1, 0.91, 0.025), 3):
            pred = p[:, j] >= t
            tp = float((pred & (y[:, j] == 1)).sum())
            f1 = 2 * tp / max(1.0, pred.sum() + y[:, j].sum())
            if f1 > best + 1e-9:
                best, best_t = f1, float(t)
        out[label] = best_t
    return out


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Prepared:
    examples: list[Example]
    own: int
    vocab: dict[str, int]
    X: object
    files: list[Path]


def prepare(corpus: Path, public: Path, cfg: TrainConfig, log: Callable[[str], None] = print) -> Prepared:
    """Read the corpus and public data; build the vocabulary and the feature matrix."""
    files = sorted(corpus.glob("*.jsonl"))
    if not files:
        raise FileNotFoundError(f"corpus must hold *.jsonl files. Got none in {corpus}.")
    own = [e for f in files for e in read_labelled(f)]
    pub = read_public(public, cfg.seed, cfg.public_weight)
    ex = own + pub
    log(f"examples: {len(own)} own + {len(pub)} public")
    fz = default_featurizer()
    feats = [fz.features(e.text, e.surface) for e in ex]
    df = Counter(f for fs in feats for f in set(fs))
    vocab_list = sorted(f for f, n in df.items() if n >= cfg.min_df)
    vocab = {f: i for i, f in enumerate(vocab_list)}
    X = _csr([[vocab[f] for f in fs if f in vocab] for fs in feats], len(vocab))
    log(f"features: {len(vocab)}")
    return Prepared(ex, len(own), vocab, X, files)


def out_of_fold(p: Prepared, cfg: TrainConfig, log: Callable[[str], None] = print) -> np.ndarray:
    """Logits of every example from a model that did not see it (k folds, run in parallel)."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    ex = p.examples
    strata = np.array([LEVELS.index(e.self_harm) * 10 + (e.source == "corpus") for e in ex])
    folds = list(StratifiedKFold(n_splits=cfg.folds, shuffle=True, random_state=cfg.seed)
                 .split(np.zeros(len(ex)), strata))
    fits = Parallel(n_jobs=cfg.jobs)(delayed(_fit_heads)(p.X[tr], [ex[i] for i in tr], cfg) for tr, _ in folds)
    oof = np.zeros((len(ex), len(LEVELS) - 1 + len(LABELS) + len(LANGUAGES)))
    for (W, b, idf), (_, te) in zip(fits, folds):
        X_te = p.X[te] if idf is None else tfidf_l2(p.X[te], idf)
        oof[te] = X_te @ W + b
    log(f"out-of-fold logits from {cfg.folds} folds")
    return oof


def stage2_inputs(p: Prepared, logits: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
    """The second stage's feature matrix for every example, from (out-of-fold) logits."""
    from ruangaman.features import SURFACES

    concepts = tuple(f for f in sorted(p.vocab) if f.startswith("c:"))
    X = p.X.tocsr()  # type: ignore[attr-defined]
    present = (X[:, [p.vocab[c] for c in concepts]] > 0).toarray()
    counts = np.asarray(X.sum(axis=1)).ravel()
    F = stage2_features(logits, present, [e.surface for e in p.examples], counts, SURFACES)
    return F, concepts


def second_stage(p: Prepared, oof: np.ndarray, at_least: np.ndarray, p_labels: np.ndarray, cfg: TrainConfig,
                 log: Callable[[str], None] = print) -> tuple[Stage2, np.ndarray, np.ndarray]:
    """Fit the second stage on out-of-fold logits; return it with the out-of-fold ``at_least``
    and label probabilities it gives (each example in a band re-decided by trees that did not see it)."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    from ruangaman.features import SURFACES

    F, concepts = stage2_inputs(p, oof)
    level = np.array([LEVELS.index(e.self_harm) for e in p.examples])
    y_lab = np.array([[lb in e.labels for lb in LABELS] for e in p.examples], dtype=int)
    weight = np.array([e.weight for e in p.examples])
    kw = dict(iterations=cfg.s2_iterations, depth=cfg.s2_depth, learning_rate=cfg.s2_learning_rate, l2=cfg.s2_l2,
              seed=cfg.seed)
    # (target, rows in its band, binary target on every example)
    jobs = [(t, np.flatnonzero(at_least[:, 2] >= cfg.s2_band), (level >= LEVELS.index(t)).astype(int))
            for t in TARGETS]
    if cfg.s2_label_band < 1.0:
        jobs += [(lb, np.flatnonzero(p_labels[:, j] >= cfg.s2_label_band), y_lab[:, j])
                 for j, lb in enumerate(LABELS)]
    # Every fit, out-of-fold and final, as one list of independent jobs run in parallel
    fits = []
    for target, band, y in jobs:
        strata = level[band] if target in TARGETS else y[band]
        folds = StratifiedKFold(n_splits=cfg.folds, shuffle=True, random_state=cfg.seed).split(band, strata)
        fits += [(target, band[tr], band[te]) for tr, te in folds] + [(target, band, band[:0])]
    targets = {t: y for t, _, y in jobs}
    trees = Parallel(n_jobs=cfg.jobs)(delayed(fit_trees)(F[tr], targets[t][tr], weight[tr], **kw) for t, tr, _ in fits)
    oof_p = {t: np.zeros(len(F)) for t in targets}
    models = []
    for (target, _, te), tree in zip(fits, trees):
        if len(te):
            oof_p[target][te] = tree.probabilities(F[te])
        else:
            models.append(tree)  # the final fit on the whole band
    stage2 = Stage2(cfg.s2_band, concepts, SURFACES, tuple(models), tuple(targets), cfg.s2_label_band)
    bands = {t: band for t, band, _ in jobs}
    at_out, lab_out = at_least.copy(), p_labels.copy()
    band = bands[TARGETS[0]]
    for k, target in enumerate(TARGETS):
        at_out[band, 2 + k] = oof_p[target][band]
    at_out[band] = np.maximum.accumulate(at_out[band][:, ::-1], axis=1)[:, ::-1]
    for j, lb in enumerate(LABELS):
        if lb in bands:
            lab_out[bands[lb], j] = oof_p[lb][bands[lb]]
    log(f"second stage: {len(band)} of {len(level)} examples in the level band "
        f"(P(level >= ideation) >= {cfg.s2_band}); label bands (P >= {cfg.s2_label_band}): "
        + (", ".join(f"{lb} {len(bands[lb])}" for lb in LABELS if lb in bands) or "none"))
    return stage2, at_out, lab_out


def calibrate(p: Prepared, oof: np.ndarray, cfg: TrainConfig, log: Callable[[str], None] = print,
              score_on: Sequence[int] | None = None
              ) -> tuple[dict[str, Head], dict[str, Any], dict[str, float], Stage2]:
    """Calibration (Platt / temperature), the second stage and thresholds from out-of-fold logits;
    OOF scores on the project's own examples (or on the rows ``score_on`` of them)."""
    from ruangaman.assess.decision import decide_levels
    from ruangaman.evaluate import score

    ex = p.examples
    y_level = np.array([LEVELS.index(e.self_harm) for e in ex])
    y_lab = np.array([[lb in e.labels for lb in LABELS] for e in ex], dtype=int)
    n_lv, n_lb = len(LEVELS) - 1, len(LABELS)
    platt_level = [_platt(oof[:, k - 1], (y_level >= k).astype(int)) for k in range(1, len(LEVELS))]
    lang_rows = np.array([i for i, e in enumerate(ex) if e.language in LANGUAGES])
    y_lang = np.array([LANGUAGES.index(ex[i].language) for i in lang_rows])
    t_lang = _temperature(oof[lang_rows, n_lv + n_lb:], y_lang)
    platt = [_platt(oof[:, n_lv + j], y_lab[:, j]) for j in range(n_lb)]
    heads = _heads(platt_level, platt, t_lang)

    stage2, at_least, p_labels = second_stage(p, oof, heads["self_harm"].at_least(oof),
                                              heads["labels"].probabilities(oof), cfg, log)
    mine = np.arange(p.own)
    p_level = at_least[mine]
    p_lab = p_labels[mine]
    thresholds = {
        "self_harm": level_thresholds(p_level, y_level[mine], cfg),
        "labels": label_thresholds(p_lab, y_lab[mine]),
    }
    label_on = p_lab >= np.array([thresholds["labels"][lb] for lb in LABELS])
    search = np.array([ex[i].surface == "search" for i in mine])
    level = decide_levels(p_level, label_on, search, np.array([thresholds["self_harm"][lv] for lv in LEVELS[1:]]))
    lang = heads["language"].probabilities(oof[mine]).argmax(axis=1)
    gold = [{"self_harm": ex[i].self_harm, "labels": ex[i].labels, "language": ex[i].language} for i in mine]
    pred = [{"self_harm": LEVELS[lv], "labels": [lb for lb, on in zip(LABELS, row) if on],
             "language": LANGUAGES[lg]} for lv, row, lg in zip(level.tolist(), label_on.tolist(), lang.tolist())]
    rows = range(p.own) if score_on is None else score_on
    r = score([gold[i] for i in rows], [pred[i] for i in rows])
    oof_scores = {k: getattr(r, k) for k in ("crisis_recall", "urgent_recall", "false_alarm_rate",
                                              "self_harm_macro_f1", "label_macro_f1", "language_accuracy")}
    return heads, thresholds, oof_scores, stage2


def train(corpus: Path, public: Path, out: Path, cfg: TrainConfig = TrainConfig(),
          log: Callable[[str], None] = print) -> LinearModel:
    import scipy
    import sklearn

    p = prepare(corpus, public, cfg, log)
    oof = out_of_fold(p, cfg, log)
    heads, thresholds, oof_scores, stage2 = calibrate(p, oof, cfg, log)
    log(f"thresholds: {thresholds}")
    log(f"out-of-fold scores on the training corpus: {oof_scores}")
    W, b, idf = _fit_heads(p.X, p.examples, cfg)
    meta = {
        "trained_with": asdict(cfg),
        "corpus": {f.name: _sha256(f) for f in p.files},
        "examples": {"own": p.own, "public": len(p.examples) - p.own,
                     "by_source": dict(sorted(Counter(e.source for e in p.examples).items()))},
        "features": len(p.vocab),
        "out_of_fold": oof_scores,
        "versions": {"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__,
                     "scikit-learn": sklearn.__version__},
        "calibration": "Platt per column (levels: ordinal 'at least k'; labels) and temperature (language), "
                       "fitted on out-of-fold logits",
        "second_stage": "boosted trees re-decide P(level >= ideation) and P(level >= plan) in the level band "
                        "and each label in its own band, fitted on out-of-fold logits; level and label "
                        "thresholds chosen on its out-of-fold output",
    }
    model = LinearModel(p.vocab, W.astype(np.float32), b.astype(np.float32), heads, thresholds, meta, stage2, idf)
    model.save(out)
    log(f"saved {out}")
    return model
