"""The rule safety net: small recognizers over canonical words and lexicon concepts.

They never decide alone while the model works; they serve as (1) evidence a person can
read, and (2) the whole assessment when the model cannot be used (degraded mode), where
they lean to the safe side: a crisis-looking text is never "none" because a part failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Protocol

from ruangaman.normalize import Token

__all__ = ["RuleHit", "Recognizer", "SafetyNet", "default_safety_net"]

FIRST_PERSON = frozenset({"saya", "i", "im", "me", "my", "myself", "abdi", "urang", "aing", "kula", "gue", "ku"})
SECOND_PERSON = frozenset({"kamu", "you", "your", "yourself", "u", "ur", "urself", "kowe", "maneh", "sia"})


@dataclass(frozen=True, slots=True)
class RuleHit:
    """One recognizer finding: what it suggests, where, and why."""

    target: str  # a self_harm level or a label
    start: int
    end: int
    reason: str


class Recognizer(Protocol):
    name: str

    def analyze(self, tokens: list[Token], concepts: list[tuple[str, int, int]]) -> list[RuleHit]: ...


def _span(tokens: list[Token], first: int, last: int) -> tuple[int, int]:
    return tokens[first].start, tokens[last].end


class ConceptRecognizer:
    """Suggest ``target`` when all ``needs`` concepts occur (optionally with a person word)."""

    def __init__(self, name: str, target: str, needs: Iterable[str], person: frozenset[str] | None = None):
        self.name, self.target, self.needs, self.person = name, target, frozenset(needs), person

    def analyze(self, tokens: list[Token], concepts: list[tuple[str, int, int]]) -> list[RuleHit]:
        found = {c for c, _, _ in concepts}
        if not self.needs <= found:
            return []
        if self.person is not None and not any(w in self.person for t in tokens for w in t.words):
            return []
        hits = []
        for c, first, last in concepts:
            if c in self.needs:
                s, e = _span(tokens, first, last)
                hits.append(RuleHit(self.target, s, e, f"{self.target}: rule {self.name} ({c})"))
        return hits


class SafetyNet:
    """A registry of recognizers; ``analyze`` runs them all."""

    def __init__(self, recognizers: list[Recognizer], concepts: dict[str, str]):
        self.recognizers = list(recognizers)
        self.concepts = concepts

    def add(self, recognizer: Recognizer) -> None:
        self.recognizers.append(recognizer)

    def concept_spans(self, tokens: list[Token]) -> list[tuple[str, int, int]]:
        words: list[str] = []
        owner: list[int] = []
        for i, t in enumerate(tokens):
            for w in t.words:
                words.append(w)
                owner.append(i)
        out = []
        for n in (3, 2, 1):
            for j in range(len(words) - n + 1):
                c = self.concepts.get(" ".join(words[j:j + n]))
                if c:
                    out.append((c, owner[j], owner[j + n - 1]))
        return out

    def analyze(self, tokens: list[Token]) -> list[RuleHit]:
        concepts = self.concept_spans(tokens)
        hits: list[RuleHit] = []
        for r in self.recognizers:
            hits.extend(r.analyze(tokens, concepts))
        return hits


def default_safety_net(concepts: dict[str, str]) -> SafetyNet:
    fp = FIRST_PERSON
    return SafetyNet([
        ConceptRecognizer("attempt_now_means", "imminent", {"now", "means"}, fp),
        ConceptRecognizer("farewell_now", "imminent", {"now", "goodbye"}, fp),
        ConceptRecognizer("farewell", "plan", {"goodbye"}, fp),
        ConceptRecognizer("self_harm_own", "plan", {"self_harm"}, fp),
        ConceptRecognizer("means_suicide", "plan", {"means", "suicide"}, fp),
        ConceptRecognizer("death_wish", "ideation", {"death_wish"}),
        ConceptRecognizer("suicide_own", "ideation", {"suicide"}, fp),
        ConceptRecognizer("method_seeking", "method", {"how", "suicide"}),
        ConceptRecognizer("method_means", "method", {"how", "means"}),
        ConceptRecognizer("urging", "harassment", {"harass"}),
        ConceptRecognizer("seeking_help", "help_seeking", {"help"}, fp),
        ConceptRecognizer("seeking_professional", "help_seeking", {"professional"}),
        ConceptRecognizer("suicide_topic", "mention", {"suicide"}),
    ], concepts)
