"""Replace personal identifiers with typed placeholders, keeping a map back to the original.

Texts are health data, often of minors (UU 27/2022 treats both as specific personal data),
so what is stored is the redacted text: phone numbers, e-mail addresses, NIK (the 16-digit
national ID), street addresses, @handles and URLs become ``[PHONE]``, ``[EMAIL]``, ``[NIK]``,
``[ADDRESS]``, ``[HANDLE]`` and ``[URL]``.  Evidence spans move with the text through
:meth:`Redacted.map_span`, so a reviewer still sees what was flagged.

Short service numbers (112, 119, 129) are not identifiers and stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Entity", "Redacted", "redact", "KINDS"]

_TLD = r"(?:com|id|co\.id|net|org|info|io|me|ly|gg|link|xyz|app|tv|my|sg)"
# Order matters only for ties: at one start position the longest match wins.
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("URL", re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+|\b(?:[a-z0-9-]+\.)+" + _TLD + r"(?:/[^\s<>\"']*)?(?![\w.])")),
    ("EMAIL", re.compile(r"(?i)(?<![\w.+-])[\w.+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+")),
    ("NIK", re.compile(r"(?<!\d)\d{6}[ .-]?\d{6}[ .-]?\d{4}(?!\d)")),
    ("PHONE", re.compile(r"(?<![\w+])(?:\+62|62|0)[\s.-]?8\d{1,3}(?:[\s.-]?\d{2,5}){2,3}(?!\d)"
                         r"|(?<![\w+])(?:\+62|0)[\s.-]?\(?[2-9]\d{1,3}\)?[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?!\d)"
                         r"|(?<![\w+])\+(?!62)\d{1,3}(?:[\s.-]?\d{2,4}){3,5}(?!\d)")),
    ("ADDRESS", re.compile(
        r"(?i)\b(?:jl|jln|jalan|gg|gang|komp(?:lek)?|perum(?:ahan)?|kompleks)\.?\s+"
        r"(?:[\w'.-]+\s+){0,5}?no\.?\s*\d+[a-z]?(?:\s*,?\s*rt\.?\s*\d{1,3}\s*/\s*rw\.?\s*\d{1,3})?"
        r"|\b(?:jl|jln)\.\s*[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3}"
        r"|\brt\.?\s*\d{1,3}\s*/\s*rw\.?\s*\d{1,3}\b")),
    ("HANDLE", re.compile(r"(?<![\w.@])@[A-Za-z0-9_](?:[A-Za-z0-9_.]{0,28}[A-Za-z0-9_])?")),
)
KINDS = tuple(kind for kind, _ in _PATTERNS)

# What each kind cannot match without, checked with substring tests and literal-prefix scans
# (a case-insensitive alternation over the whole text would cost as much as the patterns).
_DIGITS = re.compile(r"\d\d").search
_DOT_TLD = re.compile(r"\." + _TLD + r"\b").search  # a literal first character: the scan skips ahead fast
# A street word at the start of a word, or "RT 3": what ADDRESS cannot match without ("gg" alone
# would send every "tinggal" and "minggu" through the address pattern).
_STREETISH = re.compile(r"(?i)\b(?:jl|jalan|gg|gang|komp|perum)|\brt\.?\s*\d").search
_NEEDS = {"URL": "url", "EMAIL": "at", "NIK": "digits", "PHONE": "digits", "ADDRESS": "street", "HANDLE": "at"}


def _hints(text: str) -> set[str]:
    low = text.lower()
    hints = set()
    if "@" in text:
        hints.add("at")
    if _DIGITS(text):
        hints.add("digits")
    if "." in text and ("://" in low or "www." in low or _DOT_TLD(low)):
        hints.add("url")
    if ("jl" in low or "jalan" in low or "gg" in low or "gang" in low or "komp" in low or "perum" in low
            or "rt" in low) and _STREETISH(text):  # substrings first: cheaper than the pattern
        hints.add("street")
    return hints


@dataclass(frozen=True)
class Entity:
    """One identifier: where it was in the original text and what replaced it."""

    start: int
    end: int
    kind: str

    @property
    def placeholder(self) -> str:
        return f"[{self.kind}]"


@dataclass(frozen=True)
class Redacted:
    """The redacted text and the entities it replaced (in original coordinates, in order)."""

    text: str
    entities: tuple[Entity, ...]

    def map_span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) -> redacted coordinates; a span touching an entity covers its placeholder."""
        return self._map(start, left=True), self._map(end, left=False)

    def _map(self, pos: int, left: bool) -> int:
        shift = 0
        for e in self.entities:
            if pos <= e.start:
                break
            if pos < e.end:  # inside the entity: snap to the placeholder's edge
                return e.start + shift + (0 if left else len(e.placeholder))
            shift += len(e.placeholder) - (e.end - e.start)
        return pos + shift


def redact(text: str) -> Redacted:
    """Find identifiers (longest match first, no overlaps) and replace each with its placeholder."""
    hints = _hints(text)
    if not hints:
        return Redacted(text, ())
    found: list[Entity] = []
    for kind, pattern in _PATTERNS:
        if _NEEDS[kind] not in hints:
            continue
        for m in pattern.finditer(text):
            if m.end() > m.start():
                found.append(Entity(m.start(), m.end(), kind))
    if not found:
        return Redacted(text, ())
    found.sort(key=lambda e: (e.start, -(e.end - e.start)))
    kept: list[Entity] = []
    for e in found:
        if kept and e.start < kept[-1].end:
            continue
        kept.append(e)
    parts, last = [], 0
    for e in kept:
        parts.append(text[last:e.start])
        parts.append(e.placeholder)
        last = e.end
    parts.append(text[last:])
    return Redacted("".join(parts), tuple(kept))
