"""The module quizzes: a question bank kept as data, checked on load, and the scoring.

Every question is in Indonesian and English, names the guideline it tests, and carries an
explanation shown after the answer: the quiz is a teaching tool first.  A bank that breaks
the schema is an error naming the place in the file, never a silently smaller quiz.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

import yaml

__all__ = ["LANGS", "SOURCES", "Question", "QuizBank", "QuizBankError", "QuizResult", "default_bank", "load_bank"]

LANGS = ("id", "en")
SOURCES = ("WHO/IASP 2023", "#chatsafe", "Dewan Pers 2/2019")
LETTERS = "abcd"


class QuizBankError(ValueError):
    """The question bank does not follow its schema."""


@dataclass(frozen=True)
class Question:
    id: str
    module: str
    text: Mapping[str, str]
    options: tuple[Mapping[str, str], ...]
    answer: str
    explanation: Mapping[str, str]
    source: str

    def public(self, lang: str) -> dict[str, Any]:
        """The question as a creator sees it before answering: no answer, no explanation."""
        return {"id": self.id, "text": self.text[lang], "source": self.source,
                "options": [{"key": LETTERS[i], "text": o[lang]} for i, o in enumerate(self.options)]}


@dataclass(frozen=True)
class QuizResult:
    module: str
    correct: int
    total: int
    score: float
    passed: bool
    pass_score: float
    answers: dict[str, str]
    results: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"module": self.module, "correct": self.correct, "total": self.total, "score": self.score,
                "passed": self.passed, "pass_score": self.pass_score, "results": self.results}


def _where(i: int, q: Any) -> str:
    qid = q.get("id") if isinstance(q, dict) else None
    return f"questions[{i}]" + (f" ({qid})" if isinstance(qid, str) else "")


def _bilingual(value: Any, where: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise QuizBankError(f"{where} must be a mapping with keys {list(LANGS)}. Got {type(value).__name__} instead.")
    for lang in LANGS:
        text = value.get(lang)
        if not isinstance(text, str) or not text.strip():
            raise QuizBankError(f"{where}.{lang} must be a non-empty string. Got {text!r} instead.")
    extra = set(value) - set(LANGS)
    if extra:
        raise QuizBankError(f"{where} must only have keys {list(LANGS)}. Got {sorted(extra)} too.")
    return {lang: value[lang].strip() for lang in LANGS}


_QUESTION_KEYS = {"id", "module", "text", "options", "answer", "explanation", "source"}


def check_bank(data: Any, name: str = "quiz bank") -> "QuizBank":
    """A bank from parsed YAML, or :class:`QuizBankError` saying where it breaks the schema."""
    if not isinstance(data, dict):
        raise QuizBankError(f"{name} must be a mapping with 'modules' and 'questions'. Got {type(data).__name__} instead.")
    modules = data.get("modules")
    if not isinstance(modules, dict) or not modules:
        raise QuizBankError(f"{name}: modules must be a non-empty mapping of module id to titles. Got {modules!r} instead.")
    titles = {str(m): _bilingual(t, f"{name}: modules.{m}") for m, t in modules.items()}
    raw = data.get("questions")
    if not isinstance(raw, list) or not raw:
        raise QuizBankError(f"{name}: questions must be a non-empty list. Got {type(raw).__name__} instead.")
    questions: list[Question] = []
    seen: set[str] = set()
    for i, q in enumerate(raw):
        where = f"{name}: {_where(i, q)}"
        if not isinstance(q, dict):
            raise QuizBankError(f"{where} must be a mapping. Got {type(q).__name__} instead.")
        missing = sorted(_QUESTION_KEYS - set(q))
        if missing:
            raise QuizBankError(f"{where} must have {sorted(_QUESTION_KEYS)}. Got {missing} missing.")
        extra = sorted(set(q) - _QUESTION_KEYS)
        if extra:
            raise QuizBankError(f"{where} must only have {sorted(_QUESTION_KEYS)}. Got unknown {extra}.")
        qid = q["id"]
        if not isinstance(qid, str) or not qid.strip():
            raise QuizBankError(f"{where}.id must be a non-empty string. Got {qid!r} instead.")
        if qid in seen:
            raise QuizBankError(f"{where}.id must be unique. Got {qid!r} twice.")
        seen.add(qid)
        if q["module"] not in titles:
            raise QuizBankError(f"{where}.module must be one of {sorted(titles)}. Got {q['module']!r} instead.")
        if q["source"] not in SOURCES:
            raise QuizBankError(f"{where}.source must be one of {list(SOURCES)}. Got {q['source']!r} instead.")
        text = _bilingual(q["text"], f"{where}.text")
        opts = q["options"]
        if not isinstance(opts, list) or not 3 <= len(opts) <= 4:
            n = len(opts) if isinstance(opts, list) else type(opts).__name__
            raise QuizBankError(f"{where}.options must be a list of 3-4 options. Got {n} instead.")
        options = tuple(_bilingual(o, f"{where}.options[{j}]") for j, o in enumerate(opts))
        letters = LETTERS[:len(options)]
        if not isinstance(q["answer"], str) or q["answer"] not in letters:
            raise QuizBankError(f"{where}.answer must be one of {list(letters)}. Got {q['answer']!r} instead.")
        explanation = _bilingual(q["explanation"], f"{where}.explanation")
        questions.append(Question(qid, q["module"], text, options, q["answer"], explanation, q["source"]))
    empty = sorted(set(titles) - {q.module for q in questions})
    if empty:
        raise QuizBankError(f"{name}: every module must have at least one question. Got none for {empty}.")
    return QuizBank(titles, tuple(questions))


def load_bank(path: str | Path | None = None) -> "QuizBank":
    """The bank in ``path`` (default: the bundled ``resources/workshop/quiz.yaml``), checked."""
    if path is None:
        path = Path(str(resources.files("ruangaman.resources").joinpath("workshop", "quiz.yaml")))
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise QuizBankError(f"quiz bank must be a readable file. Got {path} ({e.strerror}) instead.") from e
    except yaml.YAMLError as e:
        raise QuizBankError(f"{path.name} must be valid YAML. Got: {e}") from e
    return check_bank(data, path.name)


@functools.lru_cache(maxsize=1)
def default_bank() -> "QuizBank":
    return load_bank()


@dataclass(frozen=True)
class QuizBank:
    modules: Mapping[str, Mapping[str, str]]  # module id -> {"id": title, "en": title}
    questions: tuple[Question, ...]

    def module_questions(self, module: str) -> list[Question]:
        if module not in self.modules:
            raise KeyError(module)
        return [q for q in self.questions if q.module == module]

    def quiz(self, module: str, lang: str = "id") -> dict[str, Any]:
        """A module's quiz as shown to a creator (every question of the module, bank order)."""
        _check_lang(lang)
        qs = self._module(module)
        return {"module": module, "title": self.modules[module][lang], "lang": lang,
                "questions": [q.public(lang) for q in qs]}

    def score(self, module: str, answers: Any, pass_score: float, lang: str = "id") -> QuizResult:
        """Score ``answers`` ({question id: option letter}) on the module's questions.

        A question left unanswered counts as wrong; an unknown question id or option letter is
        refused (a typo must not silently cost or earn a point).
        """
        _check_lang(lang)
        qs = self._module(module)
        if not isinstance(answers, dict) or not answers:
            raise ValueError(f"answers must be a non-empty mapping of question id to option letter. "
                             f"Got {type(answers).__name__ if not isinstance(answers, dict) else 'an empty mapping'} instead.")
        by_id = {q.id: q for q in qs}
        unknown = sorted(str(k) for k in answers if k not in by_id)
        if unknown:
            raise ValueError(f"answers must be for questions of module {module!r}. Got unknown ids {unknown} instead.")
        clean: dict[str, str] = {}
        for qid, chosen in answers.items():
            letters = LETTERS[:len(by_id[qid].options)]
            if not isinstance(chosen, str) or chosen.strip().lower() not in letters:
                raise ValueError(f"answer to {qid!r} must be one of {list(letters)}. Got {chosen!r} instead.")
            clean[qid] = chosen.strip().lower()
        results = []
        correct = 0
        for q in qs:
            chosen = clean.get(q.id)
            ok = chosen == q.answer
            correct += ok
            results.append({"id": q.id, "chosen": chosen, "answer": q.answer, "correct": ok,
                            "explanation": q.explanation[lang], "source": q.source})
        score = round(correct / len(qs), 4)
        return QuizResult(module, correct, len(qs), score, score >= pass_score, pass_score, clean, results)

    def _module(self, module: str) -> list[Question]:
        if module not in self.modules:
            raise ValueError(f"module must be one of {sorted(self.modules)}. Got {module!r} instead.")
        return self.module_questions(module)


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {list(LANGS)}. Got {lang!r} instead.")
