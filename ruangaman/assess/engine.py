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

import logging
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from ruangaman.detect import RuleHit, SafetyNet, default_safety_net
from ruangaman.features import SURFACES, Featurizer, default_featurizer
from ruangaman.langid import decide_language
from ruangaman.model import LABELS, LANGUAGES, LEVELS, LinearModel, ModelError

__all__ = ["Assessment", "AssessmentEngine", "Evidence", "InputError", "MAX_TEXT_CHARS", "default_model_dir"]

log = logging.getLogger("ruangaman.assess")

MAX_TEXT_CHARS = 20_000
_LEVEL_INDEX = {lv: i for i, lv in enumerate(LEVELS)}
EVIDENCE_MIN_WEIGHT = 0.25
EVIDENCE_PER_TARGET = 3


class InputError(ValueError):
    """A text the engine refuses, with a stable ``code`` for error records."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Evidence:
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
        self.thresholds = th
        h = self.model.heads
        self._h_level, self._h_labels, self._h_lang = h["self_harm"], h["labels"], h["language"]
        self.version = self.model.meta.get("version", self.model.meta.get("corpus_digest", ""))[:12]

    # -- public -----------------------------------------------------------------------------
    def assess(self, text: str, surface: str = "post", id: str | None = None) -> Assessment:
        """Assess one text.  Raises InputError for text the engine refuses."""
        check_text(text, surface, self.max_chars)
        try:
            logits = self.model.logits_one(self.featurizer.features(text, surface))[None, :]
            return self._decide(logits, [text], [surface], [id])[0]
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
        if not texts:
            return []
        try:
            feats = [self.featurizer.features(t, s) for t, s in zip(texts, surfaces)]
            return self._decide(self.model.logits_many(feats), texts, surfaces, ids)
        except Exception:  # noqa: BLE001
            log.exception("model failed on a batch; answering from the rule safety net")
            return [self.degraded(t, s, i) for t, s, i in zip(texts, surfaces, ids)]

    def degraded(self, text: str, surface: str = "post", id: str | None = None) -> Assessment:
        """The rule safety net's answer, used when the model cannot be."""
        tokens = self.featurizer.normalizer.tokens(text)
        hits = self.safety_net.analyze(tokens)
        level_hits = [h for h in hits if h.target in _LEVEL_INDEX]
        labels = sorted({h.target for h in hits if h.target in LABELS}, key=LABELS.index)
        level = max((h.target for h in level_hits), key=_LEVEL_INDEX.__getitem__, default="none")
        if "method" in labels and _LEVEL_INDEX[level] < _LEVEL_INDEX["ideation"]:
            level = "ideation"  # safe side: method seeking may be the searcher's own
        if labels and level == "none":
            level = "mention"
        evidence = _merge([Evidence(h.start, h.end, h.reason) for h in hits])
        return Assessment(level, labels, "id", evidence, {}, id, degraded=True, model_version="rules")

    # -- decisions ---------------------------------------------------------------------------
    def _decide(self, logits: np.ndarray, texts: Sequence[str], surfaces: Sequence[str],
                ids: Sequence[str | None]) -> list[Assessment]:
        at_least = self._h_level.at_least(logits)  # P(level >= k), k = 1..5
        p_level = self._h_level.probabilities(logits)
        p_labels = self._h_labels.probabilities(logits)
        p_lang = self._h_lang.probabilities(logits)
        passed = at_least >= self._level_t
        level_idx = np.where(passed.any(axis=1), passed.shape[1] - np.argmax(passed[:, ::-1], axis=1), 0)
        label_on = p_labels >= self._label_t
        out = []
        for i, text in enumerate(texts):
            labels = [LABELS[j] for j in np.flatnonzero(label_on[i])]
            lv = int(level_idx[i])
            if labels and lv == 0:
                lv = 1
            if surfaces[i] == "search" and "method" in labels and lv < 3:
                lv = 3
            level = LEVELS[lv]
            lang_probs = {c: float(p) for c, p in zip(LANGUAGES, p_lang[i])}
            probs = {
                "self_harm": {c: round(float(p), 4) for c, p in zip(LEVELS, p_level[i])},
                "labels": {c: round(float(p), 4) for c, p in zip(LABELS, p_labels[i])},
                "language": {c: round(p, 4) for c, p in lang_probs.items()},
            }
            evidence = self._evidence(text, surfaces[i], level, labels) if self.evidence and (lv or labels) else []
            out.append(Assessment(level, labels, decide_language(lang_probs), evidence, probs, ids[i],
                                  model_version=self.version))
        return out

    def _evidence(self, text: str, surface: str, level: str, labels: list[str]) -> list[Evidence]:
        """Spans whose features pushed the decision, plus the safety net's own findings."""
        tokens, positioned = self.featurizer.positioned(text, surface)
        if not tokens:
            return []
        vocab, W = self.model.vocab, self.model.weights
        rows = [(p, vocab[p.feature]) for p in positioned if p.feature in vocab]
        targets: list[tuple[str, np.ndarray]] = []
        if level != "none":
            k = _LEVEL_INDEX[level]
            targets.append((level, W[:, self._h_level.cols.start + k - 1]))
        for lb in labels:
            targets.append((lb, W[:, self._h_labels.cols.start + LABELS.index(lb)]))
        found: list[Evidence] = []
        for name, col in targets:
            scored = sorted(((float(col[i]), p) for p, i in rows), key=lambda sp: -sp[0])
            for weight, p in scored[:EVIDENCE_PER_TARGET]:
                if weight < EVIDENCE_MIN_WEIGHT:
                    break
                what = p.feature.split(":", 1)[1] if p.feature[:3].count(":") else p.feature
                found.append(Evidence(tokens[p.first].start, tokens[p.last].end, f"{name}: {what}"))
        for h in self.safety_net.analyze(tokens):
            if h.target == level or h.target in labels:
                found.append(Evidence(h.start, h.end, h.reason))
        return _merge(found)


def _merge(items: list[Evidence]) -> list[Evidence]:
    """Sort spans and merge overlapping spans that give the same decision."""
    items = sorted(set(items), key=lambda e: (e.start, e.end, e.reason))
    out: list[Evidence] = []
    for e in items:
        key = e.reason.split(":", 1)[0]
        if out and out[-1].reason.split(":", 1)[0] == key and e.start <= out[-1].end:
            prev = out[-1]
            if e.end > prev.end:
                out[-1] = Evidence(prev.start, e.end, prev.reason)
            continue
        out.append(e)
    return out

