"""The safe-messaging check for creators' drafts (docs/safe-messaging.md).

A trained model decides which guidelines a draft breaks (one calibrated logistic model
per flag, on the assessment engine's features plus a few draft signals); lexicon span
finders and the model's own strongest features say where; each flag names the guideline
it comes from and carries a suggestion in the draft's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ruangaman.assess.engine import AssessmentEngine, InputError, check_text
from ruangaman.features import Featurizer, default_featurizer
from ruangaman.features.featurizer import chunk_spans
from ruangaman.model import LinearModel, ModelError

__all__ = ["FLAGS", "DraftChecker", "DraftFlag", "DraftReport", "draft_features"]

DRAFT_SURFACES = ("caption", "transcript")
FLAGS = ("method_or_location", "graphic", "sensational", "glorifying", "single_cause", "stigmatizing_language",
         "missing_help_info")

GUIDELINES = {
    "method_or_location": "WHO/IASP 2023: do not describe the method or the location; Dewan Pers 2/2019",
    "graphic": "WHO/IASP 2023: no graphic detail, photos or notes; Dewan Pers 2/2019",
    "sensational": "WHO/IASP 2023: no sensational headlines or prominent placement; Dewan Pers 2/2019",
    "glorifying": "WHO/IASP 2023 and #chatsafe: never present suicide as a solution, escape or act of courage",
    "single_cause": "WHO/IASP 2023: do not explain suicide by a single cause",
    "stigmatizing_language": "WHO/IASP 2023 and #chatsafe: avoid 'committed', 'failed attempt', crime or sin framing",
    "missing_help_info": "WHO/IASP 2023 and #chatsafe (influencers): always say where to get help",
}

SUGGESTIONS = {
    "method_or_location": {"id": "Hapus cara dan tempat kejadiannya; cukup sebutkan bahwa ada kehilangan.",
                           "en": "Remove the method and the place; it is enough to say a life was lost."},
    "graphic": {"id": "Hapus gambaran adegan, luka, atau isi surat; fokus pada dukungan dan harapan.",
                "en": "Remove the description of the scene, injuries or note; focus on support and hope."},
    "sensational": {"id": "Sampaikan faktanya dengan tenang, tanpa kata seperti 'TRAGIS' atau 'VIRAL' dan tanpa huruf kapital berlebihan.",
                    "en": "State the facts calmly, without words like 'SHOCKING' or 'TRAGIC' and without all-caps or exclamation marks."},
    "glorifying": {"id": "Jangan gambarkan bunuh diri sebagai jalan keluar atau ketenangan; ceritakan bahwa bantuan dan pemulihan itu mungkin.",
                   "en": "Do not present suicide as an escape or a peaceful end; say that help and recovery are possible."},
    "single_cause": {"id": "Bunuh diri hampir selalu punya banyak penyebab; hindari menyalahkan satu hal saja.",
                     "en": "Suicide almost always has many causes; avoid blaming a single event."},
    "stigmatizing_language": {"id": "Ganti dengan bahasa yang tidak menghakimi, misalnya 'meninggal karena bunuh diri' atau 'percobaan bunuh diri'.",
                              "en": "Use non-judging words, e.g. 'died by suicide' or 'suicide attempt'."},
    "missing_help_info": {"id": "Tambahkan info bantuan: \"Kalau kamu sedang berat, cerita ke orang yang kamu percaya atau hubungi SEJIWA 119 ext 8 / healing119.id.\"",
                          "en": "Add where to get help: \"If you are struggling, talk to someone you trust or call SEJIWA 119 ext 8 / healing119.id (Indonesia).\""},
}

# Score: how far a draft is from following every guideline (1 = follows all of them).
WEIGHTS = {"method_or_location": 0.3, "graphic": 0.25, "glorifying": 0.25, "sensational": 0.15,
           "single_cause": 0.15, "stigmatizing_language": 0.15, "missing_help_info": 0.2}

_HELP = re.compile(r"119|112|129|healing119|sejiwa|hotline|helpline|psikolog|psikiater|konselor|konseling|"
                   r"puskesmas|cerita ke|bicara ke|ngobrol (?:sama|dengan)|talk to (?:someone|a)|reach out|"
                   r"crisis line|therapist|counsel+or|minta (?:tolong|bantuan)|cari bantuan|get help|seek help",
                   re.IGNORECASE)
_CAPS_WORD = re.compile(r"\b[A-Z]{4,}\b")

# Where each flag usually sits (spans only: whether a flag is raised is the model's call).
SPAN_FINDERS = {
    "method_or_location": re.compile(r"\b(?:\d+\s*(?:butir|pil|tablet|lantai|meter|mg)|lantai \w+|"
                                     r"(?:minum|menelan|nelan)\s+\w+(?:\s+\w+)?|(?:lompat|loncat|terjun|jump(?:ed)?)\s+"
                                     r"(?:dari|off|from)\s+\w+(?:\s+\w+)?|gantung\s+diri|tali|racun|rel kereta|jembatan\s+\w+|"
                                     r"overdos\w*|pills?|rope|bridge|rooftop|atap\s+\w+)", re.IGNORECASE),
    "graphic": re.compile(r"\b(?:darah\w*|berdarah|luka\w*|mayat\w*|jasad\w*|tergantung|blood\w*|body|corpse|"
                          r"surat terakhir\w*|isi surat\w*|suicide note|last note|note said|wrote in (?:his|her) note)",
                          re.IGNORECASE),
    "sensational": re.compile(r"\b(?:tragis\w*|viral\w*|mengerikan|heboh|gempar|sadis|nekat|shock\w*|tragic\w*|"
                              r"horrific|breaking|geger|miris|merinding)\b|!{2,}|\b[A-Z]{4,}\b", re.IGNORECASE),
    "glorifying": re.compile(r"\b(?:akhirnya (?:dia )?(?:bebas|tenang|damai)\w*|(?:bebas|tenang|damai) (?:sekarang|di sana)|"
                             r"dengan berani|pergi dengan tenang|pahlawan|at peace now|finally free|free now|brave\w*|"
                             r"beautiful(?:ly)?|romantis|legend\w*|rest easy|tidak sakit lagi|no more pain)", re.IGNORECASE),
    "single_cause": re.compile(r"\b(?:(?:gara-gara|gara2) \w+(?: \w+)?|karena (?:di)?\w+|akibat \w+|hanya karena|cuma karena|"
                               r"because (?:of )?\w+|due to \w+|all because|caused by \w+)", re.IGNORECASE),
    "stigmatizing_language": re.compile(r"\b(?:pengecut|gagal bunuh diri|committed suicide|commit suicide|"
                                        r"dosa besar|orang gila|lemah iman|kurang iman|coward\w*|selfish|egois|"
                                        r"failed (?:suicide|attempt)|successful suicide|berhasil bunuh diri|sinting)",
                                        re.IGNORECASE),
}


def draft_features(featurizer: Featurizer, text: str, surface: str) -> list[str]:
    """The engine's features plus draft signals the guidelines talk about."""
    feats = featurizer.features(text, surface)
    feats.append("dh:help" if _HELP.search(text) else "dh:nohelp")
    caps = len(_CAPS_WORD.findall(text))
    if caps:
        feats.append("dh:caps" + str(min(caps, 3)))
    if "!!" in text:
        feats.append("dh:exclaim")
    if re.search(r"\d", text):
        feats.append("dh:digits")
    for flag, finder in SPAN_FINDERS.items():
        if finder.search(text):
            feats.append("dh:span:" + flag)
    return feats


@dataclass(frozen=True)
class DraftFlag:
    flag: str
    start: int | None
    end: int | None
    suggestion: str
    guideline: str

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"flag": self.flag}
        if self.start is not None:
            out.update(start=self.start, end=self.end)
        out.update(suggestion=self.suggestion, guideline=self.guideline)
        return out


@dataclass
class DraftReport:
    flags: list[DraftFlag]
    score: float
    language: str
    probabilities: dict[str, float] = field(default_factory=dict)
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {} if self.id is None else {"id": self.id}
        out.update(flags=[f.to_dict() for f in self.flags], score=self.score, language=self.language,
                   probabilities=self.probabilities)
        return out


def default_drafts_model_dir() -> Path:
    return Path(str(resources.files("ruangaman.resources").joinpath("drafts_model")))


class DraftChecker:
    """Check drafts against the safe-messaging guidelines."""

    def __init__(self, model_dir: Path | None = None, featurizer: Featurizer | None = None,
                 engine: AssessmentEngine | None = None):
        self.featurizer = featurizer or default_featurizer()
        self.model = LinearModel.load(model_dir or default_drafts_model_dir())
        if "flags" not in self.model.heads or self.model.heads["flags"].classes != FLAGS:
            raise ModelError(f"drafts model must have a 'flags' head over {list(FLAGS)}.")
        self._t = np.array([self.model.thresholds["flags"][f] for f in FLAGS])
        self._engine = engine

    def _assess(self, text: str):
        if self._engine is None:
            from ruangaman.pipeline import default_engine

            self._engine = default_engine()
        return self._engine.assess(text, "caption")

    def check(self, text: str, surface: str = "caption", id: str | None = None) -> DraftReport:
        if surface not in DRAFT_SURFACES:
            raise InputError("invalid_surface", f"surface must be one of {list(DRAFT_SURFACES)}. Got {surface!r} instead.")
        check_text(text, surface)
        feats = draft_features(self.featurizer, text, surface)
        logits = self.model.logits_one(self.model.indices(feats))[None, :]
        p = self.model.heads["flags"].probabilities(logits)[0]
        on = p >= self._t
        assessment = self._assess(text)
        lang = "en" if assessment.language == "en" else "id"
        if assessment.self_harm == "none":  # the contract: a draft about something else gets no flags
            on = np.zeros_like(on)
        flags: list[DraftFlag] = []
        for j, flag in enumerate(FLAGS):
            if not on[j]:
                continue
            span = self._span(text, flag, feats, j)
            flags.append(DraftFlag(flag, span[0] if span else None, span[1] if span else None,
                                   SUGGESTIONS[flag][lang], GUIDELINES[flag]))
        score = round(max(0.0, 1.0 - sum(WEIGHTS[f.flag] for f in flags)), 2)
        return DraftReport(flags, score, lang, {f: round(float(x), 4) for f, x in zip(FLAGS, p)}, id)

    def _span(self, text: str, flag: str, feats: list[str], j: int) -> tuple[int, int] | None:
        if flag == "missing_help_info":
            return None
        m = SPAN_FINDERS[flag].search(text)
        if m:
            return m.start(), m.end()
        # Otherwise the chunk whose words push this flag most.
        col = self.model.heads["flags"].cols.start + j
        best, best_w = None, 0.0
        rw = self.featurizer.normalizer
        for start, end in chunk_spans(text):
            idx = self.model.indices(rw.words(text[start:end]))
            w = float(self.model.weights[idx, col].sum()) if idx else 0.0
            if w > best_w:
                best, best_w = (start, end), w
        return best
