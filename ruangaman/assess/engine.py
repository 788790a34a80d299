"""Assess a text: the author's self-harm risk level, labels, language and evidence.

The engine reads the model's calibrated probabilities and applies the decision rules of
the labelling guide (docs/labels.md):

* a level is chosen from cumulative probabilities, P(level >= k) >= threshold_k, taking
  the highest level that passes: "when torn between two levels, take the higher one";
* thresholds for ``ideation`` and ``plan`` are set for crisis recall when training;
* any label implies at least ``mention``; a method-seeking search implies ``ideation``.

If the model fails at run time, the rule safety net answers instead, marked ``degraded``,
and leans to the safe side.
"""

from __future__ import annotations

import gc
import logging
import math
from itertools import compress
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from ruangaman.assess.decision import decide_levels
from ruangaman.detect import SafetyNet, default_safety_net
from ruangaman.features import SURFACES, FeatureIndexer, Featurizer, IndexedBatch, default_featurizer
from ruangaman.features.featurizer import chunk_starts, ragged_positions
from ruangaman.langid import decide_language, decide_languages
from ruangaman.model import LABELS, LANGUAGES, LEVELS, LinearModel, ModelError
from ruangaman.model.stage2 import stage2_features

__all__ = ["Assessment", "AssessmentEngine", "Evidence", "InputError", "MAX_TEXT_CHARS", "default_model_dir",
           "safety_net_assessment", "tune_collector"]

log = logging.getLogger("ruangaman.assess")

MAX_TEXT_CHARS = 20_000
_LEVEL_INDEX = {lv: i for i, lv in enumerate(LEVELS)}
EVIDENCE_MIN_WEIGHT = 0.25
EVIDENCE_PER_TARGET = 3
_METHOD = LABELS.index("method")


class InputError(ValueError):
    """A text the engine refuses, with a stable ``code`` for error records."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class Evidence(NamedTuple):
    """A span of the original text and why it mattered (``reason``: "decision: what was read")."""

    start: int
    end: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "reason": self.reason}


@dataclass
class Assessment:
    self_harm: str
    labels: list[str]
    language: str
    evidence: list[Evidence]
    probabilities: dict[str, dict[str, float]]
    id: str | None = None
    degraded: bool = False
    model_version: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        out.update({
            "self_harm": self.self_harm,
            "labels": list(self.labels),
            "language": self.language,
            "evidence": [e.to_dict() for e in self.evidence],
            "probabilities": self.probabilities,
        })
        if self.degraded:
            out["degraded"] = True
        return out


def default_model_dir() -> Path:
    return Path(str(resources.files("ruangaman.resources").joinpath("model")))


def check_text(text: Any, surface: Any = "post", max_chars: int = MAX_TEXT_CHARS) -> None:
    if not isinstance(text, str):
        raise InputError("invalid_text", f"text must be a string. Got {type(text).__name__} instead.")
    if not text.strip():
        raise InputError("empty_text", "text must not be empty. Got an empty or blank string instead.")
    if len(text) > max_chars:
        raise InputError("text_too_long", f"text must be at most {max_chars} characters. Got {len(text)} instead.")
    if surface not in SURFACES:
        raise InputError("invalid_surface", f"surface must be one of {list(SURFACES)}. Got {surface!r} instead.")


class AssessmentEngine:
    """Load once, assess many.  Thread-safe for reading: the model is never mutated.

    Parameters
    ----------
    model_dir : folder with model.json and model.npz; the bundled model by default.
    thresholds : overrides for the trained thresholds, e.g. ``{"self_harm": {"ideation": 0.2}}``.
    evidence : compute evidence spans (costs a second, offset-keeping pass on risky texts).
    max_chars : longest text accepted.
    """

    def __init__(self, model_dir: Path | None = None, *, thresholds: Mapping[str, Mapping[str, float]] | None = None,
                 evidence: bool = True, max_chars: int = MAX_TEXT_CHARS,
                 featurizer: Featurizer | None = None):
        self.model_dir = Path(model_dir) if model_dir else default_model_dir()
        self.featurizer = featurizer or default_featurizer()
        self.safety_net: SafetyNet = default_safety_net(self.featurizer.concepts)
        self.evidence = evidence
        self.max_chars = max_chars
        self.model: LinearModel = LinearModel.load(self.model_dir)
        self.indexer = FeatureIndexer(self.featurizer, self.model.vocab)
        th = {k: dict(v) for k, v in self.model.thresholds.items()}
        for group, values in (thresholds or {}).items():
            if group not in ("self_harm", "labels"):
                raise ValueError(f"threshold group must be 'self_harm' or 'labels'. Got {group!r} instead.")
            allowed = LEVELS[1:] if group == "self_harm" else LABELS
            for key, val in values.items():
                if key not in allowed or not (isinstance(val, (int, float)) and 0.0 < float(val) < 1.0):
                    raise ValueError(f"threshold {group}.{key} must be a number in (0, 1) for one of "
                                     f"{list(allowed)}. Got {key!r}={val!r} instead.")
                th[group][key] = float(val)
        self._level_t = np.array([th["self_harm"][lv] for lv in LEVELS[1:]])
        self._label_t = np.array([th["labels"][lb] for lb in LABELS])
        self._level_t_list, self._label_t_list = self._level_t.tolist(), self._label_t.tolist()
        self.thresholds = th
        h = self.model.heads
        self._h_level, self._h_labels, self._h_lang = h["self_harm"], h["labels"], h["language"]
        self.version = self.model.meta.get("version", self.model.meta.get("corpus_digest", ""))[:12]
        self._stage2 = self.model.stage2
        if self._stage2 is not None:
            missing = [c for c in self._stage2.concepts if c not in self.model.vocab]
            if missing:
                raise ModelError(f"second-stage concepts must be model features. Got unknown {missing} instead.")
            self._s2_cols = [self.model.vocab[c] for c in self._stage2.concepts]
            self._s2_pos = {col: j for j, col in enumerate(self._s2_cols)}
            self._s2_cols_arr = np.asarray(self._s2_cols, dtype=np.int64)
            self._s2_cols_sorted = np.sort(self._s2_cols_arr)
            self._s2_order = np.searchsorted(self._s2_cols_sorted, self._s2_cols_arr)  # sorted -> concept order

    # -- public -----------------------------------------------------------------------------
    def assess(self, text: str, surface: str = "post", id: str | None = None) -> Assessment:
        """Assess one text.  Raises InputError for text the engine refuses."""
        check_text(text, surface, self.max_chars)
        try:
            indices = self.indexer.index(text, surface)
            logits, scale = self.model.logits_and_scale(indices)
            return self._decide_one(logits.tolist(), indices, text, surface, id, scale)
        except InputError:
            raise
        except Exception:  # noqa: BLE001 - a failing model must not silence a crisis
            log.exception("model failed; answering from the rule safety net")
            return self.degraded(text, surface, id)

    def assess_batch(self, items: Iterable[str | Mapping[str, Any]]) -> list[Assessment]:
        """Assess many texts in one pass.  Items are strings or {"id", "text", "surface"} mappings."""
        texts, surfaces, ids = [], [], []
        for item in items:
            if isinstance(item, str):
                text, surface, id_ = item, "post", None
            else:
                text, surface, id_ = item.get("text"), item.get("surface") or "post", item.get("id")
            check_text(text, surface, self.max_chars)
            texts.append(text)
            surfaces.append(surface)
            ids.append(id_)
        return self.assess_checked(texts, surfaces, ids)

    def assess_checked(self, texts: Sequence[str], surfaces: Sequence[str],
                       ids: Sequence[str | None]) -> list[Assessment]:
        """``assess_batch`` for texts a caller has already passed through ``check_text`` (the JSONL
        stream validates every line on parsing; checking twice costs 3% of the batch path)."""
        if not texts:
            return []
        try:
            batch = self.indexer.index_many(texts, surfaces)
            logits, scales = self.model.logits_and_scales(batch.X)
            return self._decide(logits, texts, surfaces, ids, batch, scales)
        except Exception:  # noqa: BLE001
            log.exception("model failed on a batch; answering from the rule safety net")
            return [self.degraded(t, s, i) for t, s, i in zip(texts, surfaces, ids)]

    def warm_up(self) -> "AssessmentEngine":
        """Run both paths once, so the first request does not pay for lazy imports (scipy.sparse)."""
        self.assess("halo", "post")
        self.assess_batch(["halo", "apa kabar"])
        return self

    def degraded(self, text: str, surface: str = "post", id: str | None = None) -> Assessment:
        """The rule safety net's answer, used when the model cannot be."""
        return safety_net_assessment(self.featurizer, self.safety_net, text, id)

    # -- decisions ---------------------------------------------------------------------------
    def _decide(self, logits: np.ndarray, texts: Sequence[str], surfaces: Sequence[str],
                ids: Sequence[str | None], batch: IndexedBatch, scales: np.ndarray) -> list[Assessment]:
        at_least = self._h_level.at_least(logits)
        p_labels = self._h_labels.probabilities(logits)
        if self._stage2 is not None:
            rows = self._stage2.rows(at_least, p_labels)
            if len(rows):
                # From the feature occurrences (rows, cols), not the sparse matrix: slicing it costs more
                present = np.zeros((len(texts), len(self._s2_cols)))
                hit = np.isin(batch.cols, self._s2_cols_arr)
                present[batch.rows[hit], np.searchsorted(self._s2_cols_sorted, batch.cols[hit])] = 1.0
                present = present[:, self._s2_order]
                counts = np.bincount(batch.rows, minlength=len(texts))
                F = stage2_features(logits[rows], present[rows], [surfaces[r] for r in rows], counts[rows],
                                    self._stage2.surfaces)
                at_least, p_labels = self._stage2.revise(at_least, p_labels, F, rows)
        p_lang = self._h_lang.probabilities(logits)
        label_on = p_labels >= self._label_t
        search = np.fromiter((sf == "search" for sf in surfaces), dtype=bool, count=len(surfaces))
        level = decide_levels(at_least, label_on, search, self._level_t)
        languages = decide_languages(p_lang, LANGUAGES)
        pl = np.round(self._h_level.classes_from_at_least(at_least), 4).tolist()
        pb = np.round(p_labels, 4).tolist()
        pg = np.round(p_lang, 4).tolist()
        risky = (level > 0) | label_on.any(axis=1)
        evidence: dict[int, list[Evidence]] = {}
        if self.evidence and risky.any():
            evidence = self._evidence_batch(batch, texts, level, label_on, risky, scales)
        on = label_on.tolist()
        out = []
        for i, lv in enumerate(level.tolist()):
            out.append(Assessment(
                LEVELS[lv], list(compress(LABELS, on[i])), languages[i], evidence.get(i, []),
                _probabilities(pl[i], pb[i], pg[i]), ids[i], model_version=self.version))
        return out

    def _decide_one(self, z: list[float], indices: Sequence[int], text: str, surface: str,
                    id: str | None, scale: float) -> Assessment:
        """``_decide`` for one text in plain Python: numpy's per-call cost dwarfs 18 numbers."""
        h, hl, hg = self._h_level, self._h_labels, self._h_lang
        ge, prev = [], 1.0
        for j, (a, b) in enumerate(h.platt):
            prev = min(prev, _sigmoid(a * z[h.offset + j] + b))
            ge.append(prev)
        p_lab = [_sigmoid(a * z[hl.offset + j] + b) for j, (a, b) in enumerate(hl.platt)]
        s2 = self._stage2
        if s2 is not None:
            pos = self._s2_pos
            ge, p_lab = s2.revise_one(ge, p_lab, z, (j for i in indices if (j := pos.get(i)) is not None), surface,
                                      len(indices))
        zl = [v / hg.temperature for v in z[hg.offset:hg.offset + hg.width]]
        top = max(zl)
        e = [math.exp(max(v - top, -40.0)) for v in zl]
        total = sum(e)
        p_lang = [v / total for v in e]
        on = [p >= t for p, t in zip(p_lab, self._label_t_list)]
        level = max((k + 1 for k, (p, t) in enumerate(zip(ge, self._level_t_list)) if p >= t), default=0)
        if level == 0 and any(on):
            level = 1
        if surface == "search" and on[_METHOD] and level < 3:
            level = 3
        language = decide_language(dict(zip(LANGUAGES, p_lang)))
        full = [1.0] + ge + [0.0]
        p_level = [round(full[k] - full[k + 1], 4) for k in range(len(LEVELS))]
        labels = [lb for lb, x in zip(LABELS, on) if x]
        evidence = (self._evidence(text, level, on, scale)
                    if self.evidence and (level or labels) else [])
        return Assessment(LEVELS[level], labels, language, evidence,
                          _probabilities(p_level, [round(p, 4) for p in p_lab], [round(p, 4) for p in p_lang]), id,
                          model_version=self.version)

    def _targets(self, level: int, label_on: Sequence[bool]) -> list[tuple[str, int]]:
        """(decision, weight column) pairs whose reasons evidence shows."""
        out = [(LEVELS[level], self._h_level.cols.start + level - 1)] if level else []
        start = self._h_labels.cols.start
        out.extend((lb, start + j) for j, lb in enumerate(LABELS) if label_on[j])
        return out

    def _evidence_batch(self, batch: IndexedBatch, texts: Sequence[str], level: np.ndarray,
                        label_on: np.ndarray, risky: np.ndarray, scale: np.ndarray) -> dict[int, list[Evidence]]:
        """Evidence for every risky text of a batch: top features per decision, vectorized."""
        rows = np.flatnonzero(risky).tolist()
        out = {r: self._evidence(texts[r], int(level[r]), label_on[r], float(scale[r])) for r in rows if r in batch.slow}
        fast = [r for r in rows if r not in batch.slow]
        if not fast:
            return out
        fast_a = np.asarray(fast, dtype=np.int64)
        lv_rows = fast_a[level[fast_a] > 0]
        lb_rows, lb_j = np.nonzero(label_on[fast_a])
        t_row = np.concatenate([lv_rows, fast_a[lb_rows]])
        t_col = np.concatenate([self._h_level.cols.start + level[lv_rows] - 1, self._h_labels.cols.start + lb_j])
        t_name = [LEVELS[k] for k in level[lv_rows].tolist()] + [LABELS[j] for j in lb_j.tolist()]
        sel = np.flatnonzero(np.isin(batch.rows, np.asarray(fast)) & (batch.first >= 0))
        sel = sel[np.argsort(batch.rows[sel], kind="stable")]
        f_row = batch.rows[sel]
        counts = np.bincount(f_row, minlength=len(texts))
        starts = np.cumsum(counts) - counts
        pair_f = ragged_positions(starts[t_row], counts[t_row])
        pair_t = np.repeat(np.arange(len(t_row)), counts[t_row])
        f_at = sel[pair_f]
        weight = self.model.evidence_weights[batch.cols[f_at], t_col[pair_t]] * scale[t_row[pair_t]]
        keep = weight >= EVIDENCE_MIN_WEIGHT
        pair_t, f_at, weight = pair_t[keep], f_at[keep], weight[keep]
        order = np.lexsort((batch.cols[f_at], batch.first[f_at], -weight, pair_t))  # ties: position, feature
        pair_t, f_at = pair_t[order], f_at[order]
        # One place in the text counts once per decision: its strongest feature stands for the others
        # ("pengen" is both the raw word and "ingin"), so the places shown are distinct.
        fa, fb = batch.first[f_at], batch.last[f_at]
        by_place = np.lexsort((np.arange(len(pair_t)), fb, fa, pair_t))  # within a place: strongest first
        new_place = np.ones(len(by_place), dtype=bool)
        new_place[1:] = ((np.diff(pair_t[by_place]) != 0) | (np.diff(fa[by_place]) != 0)
                         | (np.diff(fb[by_place]) != 0))
        strongest = np.zeros(len(pair_t), dtype=bool)
        strongest[by_place[new_place]] = True
        pair_t, f_at = pair_t[strongest], f_at[strongest]
        group_start = np.searchsorted(pair_t, pair_t, side="left")
        top = (np.arange(len(pair_t)) - group_start) < EVIDENCE_PER_TARGET
        pair_t, f_at = pair_t[top], f_at[top]
        # Character spans, vectorized: chunk start + the chunk's trimmed core (cached per chunk).
        chunk_start = np.zeros(len(batch.chunks), dtype=np.int64)
        t_row_l = t_row.tolist()
        for r in set(t_row[pair_t].tolist()):
            base = int(batch.offsets[r])
            chunk_start[base:base + int(batch.offsets[r + 1]) - base] = chunk_starts(texts[r])
        tab = batch.table.view()
        a, b = batch.first[f_at], batch.last[f_at]
        ca, cb = batch.chunk_ids[a], batch.chunk_ids[b]
        starts = (chunk_start[a] + tab.lead[ca]).tolist()
        ends = (chunk_start[b] + tab.lead[cb] + tab.core[cb]).tolist()
        words = batch.table.words
        found: dict[int, list[Evidence]] = {}
        chunk_ids = batch.chunk_ids
        for t, col, x, fa, fb, s0, e0 in zip(pair_t.tolist(), batch.cols[f_at].tolist(), ca.tolist(), a.tolist(),
                                             b.tolist(), starts, ends):
            r, name = t_row_l[t], t_name[t]
            seen = words[x] if fa == fb else " ".join(w for c in chunk_ids[fa:fb + 1].tolist() if (w := words[c]))
            feature = self.indexer.name(col)
            why = f"{seen} (concept {feature[2:]})" if feature.startswith("c:") else seen
            found.setdefault(r, []).append(Evidence(s0, e0, f"{name}: {why}"))
        out.update((r, _merge(ev)) for r, ev in found.items())
        return out

    def _evidence(self, text: str, level: int, label_on: Sequence[bool], scale: float) -> list[Evidence]:
        """Evidence for one text: the features that pushed each decision most (``scale``: the
        model's scale for the text, turning evidence weights into what they added to its logits)."""
        tf = self.indexer.positioned(text)
        targets = self._targets(level, label_on)
        if not tf.indices or not targets:
            return []
        indices, first = np.asarray(tf.indices), np.asarray(tf.first)
        weights = self.model.evidence_weights[indices][:, [c for _, c in targets]].astype(np.float64) * scale
        found: list[Evidence] = []
        for k, (name, _) in enumerate(targets):
            col = weights[:, k]
            places: set[tuple[int, int]] = set()  # one place counts once (see _evidence_batch)
            for j in np.lexsort((indices, first, -col)).tolist():
                if col[j] < EVIDENCE_MIN_WEIGHT or len(places) == EVIDENCE_PER_TARGET:
                    break
                a, b = tf.first[j], tf.last[j]
                if (a, b) in places:
                    continue
                places.add((a, b))
                seen = " ".join(w for ws in tf.words[a:b + 1] for w in ws)
                feature = self.indexer.name(tf.indices[j])
                why = f"{seen} (concept {feature[2:]})" if feature.startswith("c:") else seen
                found.append(Evidence(tf.spans[a][0], tf.spans[b][1], f"{name}: {why}"))
        return _merge(found)


def safety_net_assessment(featurizer: Featurizer, net: SafetyNet, text: str, id: str | None = None) -> Assessment:
    """An assessment from the rule safety net alone (marked degraded), leaning to the safe side."""
    hits = net.analyze(featurizer.normalizer.tokens(text))
    labels = sorted({h.target for h in hits if h.target in LABELS}, key=LABELS.index)
    level = max((h.target for h in hits if h.target in _LEVEL_INDEX), key=_LEVEL_INDEX.__getitem__, default="none")
    if "method" in labels and _LEVEL_INDEX[level] < _LEVEL_INDEX["ideation"]:
        level = "ideation"  # safe side: method seeking may be the searcher's own
    if labels and level == "none":
        level = "mention"
    evidence = _merge([Evidence(h.start, h.end, h.reason) for h in hits])
    return Assessment(level, labels, "id", evidence, {}, id, degraded=True, model_version="rules")


def tune_collector() -> None:
    """Tune the cyclic garbage collector for a long-running process that has loaded an engine.

    The model, lexicons and token caches live as long as the process, and assessing makes many
    short-lived, acyclic objects; by default the collector keeps rescanning the loaded heap,
    which cost about a fifth of batch throughput here.  This moves everything loaded so far out
    of its reach (``gc.freeze``) and collects young objects less often.  It changes the whole
    process, so the library never calls it: the CLI's stream, the server and the bench do.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def _compile_probabilities():
    """``(levels, labels, languages) -> {"self_harm": {...}, "labels": {...}, "language": {...}}``
    as one dict display, generated from the class names (as namedtuple builds its methods):
    three ``dict(zip(...))`` per text cost 5% of the batch path."""
    def block(name: str, var: str, keys: Sequence[str]) -> str:
        return f"{name!r}: {{" + ", ".join(f"{k!r}: {var}[{i}]" for i, k in enumerate(keys)) + "}"

    src = "lambda a, b, c: {" + ", ".join((block("self_harm", "a", LEVELS), block("labels", "b", LABELS),
                                             block("language", "c", LANGUAGES))) + "}"
    return eval(src, {})  # noqa: S307 - the source is built from the model's own constant class names


_probabilities = _compile_probabilities()


def _sigmoid(x: float) -> float:
    """The same clipped logistic as the model heads use (so one text scores as in a batch)."""
    return 1.0 / (1.0 + math.exp(min(max(-x, -40.0), 40.0)))


def _merge(items: list[Evidence]) -> list[Evidence]:
    """Merge overlapping spans that support the same decision; order by position."""
    items.sort(key=_span_order)
    out: list[Evidence] = []
    last: dict[str, int] = {}
    for e in items:
        key = e.reason[: e.reason.find(":")]
        j = last.get(key)
        if j is not None and e.start < out[j].end:
            if e.end > out[j].end:
                out[j] = Evidence(out[j].start, e.end, out[j].reason)
            continue
        last[key] = len(out)
        out.append(e)
    return out


def _span_order(e: Evidence) -> tuple[int, int, str]:
    return e.start, -e.end, e.reason
