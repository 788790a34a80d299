"""Information cards: sourced, dated, bilingual mental-health cards kept as plain YAML.

Health professionals edit the files; loading them checks every card and refuses one
without a source, a review date, a reviewer, or either language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

__all__ = ["Card", "CardError", "TOPICS", "default_cards", "load_cards", "parse_card"]

TOPICS = ("condition", "warning_signs", "helping_others", "getting_help", "self_care", "myth")
LANGS = ("id", "en")


class CardError(ValueError):
    """A card file that cannot be used; the message names the file and field."""


@dataclass(frozen=True)
class Card:
    id: str
    topic: str
    sources: tuple[dict[str, str], ...]
    reviewed_on: str
    reviewer: str
    keywords: dict[str, tuple[str, ...]]
    text: dict[str, dict[str, str]]  # lang -> {title, body, [myth, fact]}

    def render(self, lang: str) -> dict[str, Any]:
        t = self.text[lang if lang in LANGS else "id"]
        out: dict[str, Any] = {"id": self.id, "topic": self.topic, "lang": lang, "title": t["title"],
                               "body": t["body"].strip()}
        if self.topic == "myth":
            out["myth"], out["fact"] = t["myth"], t["fact"]
        out["sources"] = [dict(s) for s in self.sources]
        out["reviewed_on"], out["reviewer"] = self.reviewed_on, self.reviewer
        return out


def parse_card(doc: Any, where: str) -> Card:
    if not isinstance(doc, dict):
        raise CardError(f"{where}: must be a mapping. Got {type(doc).__name__} instead.")
    for field in ("id", "topic", "sources", "reviewed_on", "reviewer", "keywords", "id_text", "en_text"):
        if not doc.get(field):
            raise CardError(f"{where}: {field} is required. Got {doc.get(field)!r} instead.")
    if doc["topic"] not in TOPICS:
        raise CardError(f"{where}.topic: must be one of {list(TOPICS)}. Got {doc['topic']!r} instead.")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(doc["reviewed_on"])):
        raise CardError(f"{where}.reviewed_on: must be a date YYYY-MM-DD. Got {doc['reviewed_on']!r} instead.")
    sources = doc["sources"]
    if not isinstance(sources, list):
        raise CardError(f"{where}.sources: must be a list. Got {type(sources).__name__} instead.")
    for k, s in enumerate(sources):
        if not isinstance(s, dict) or not all(s.get(f) for f in ("title", "publisher", "url")):
            raise CardError(f"{where}.sources[{k}]: must have title, publisher and url. Got {s!r} instead.")
        if not str(s["url"]).startswith("https://"):
            raise CardError(f"{where}.sources[{k}].url: must start with https://. Got {s['url']!r} instead.")
    keywords = doc["keywords"]
    if not isinstance(keywords, dict) or any(not keywords.get(lang) for lang in LANGS):
        raise CardError(f"{where}.keywords: must list keywords for both {list(LANGS)}. Got {keywords!r} instead.")
    text: dict[str, dict[str, str]] = {}
    for lang in LANGS:
        t = doc[f"{lang}_text"]
        needed = ("title", "body", "myth", "fact") if doc["topic"] == "myth" else ("title", "body")
        if not isinstance(t, dict) or not all(isinstance(t.get(f), str) and t[f].strip() for f in needed):
            raise CardError(f"{where}.{lang}_text: must have {list(needed)}. Got {sorted(t) if isinstance(t, dict) else t!r}.")
        text[lang] = {f: t[f] for f in needed}
    return Card(str(doc["id"]), doc["topic"], tuple({k: str(v) for k, v in s.items()} for s in sources),
                str(doc["reviewed_on"]), str(doc["reviewer"]),
                {lang: tuple(str(w) for w in keywords[lang]) for lang in LANGS}, text)


def load_cards(folder: Path) -> list[Card]:
    cards, seen = [], set()
    files = sorted(Path(folder).glob("*.yaml"))
    if not files:
        raise CardError(f"{folder}: must hold card files (*.yaml). Got none.")
    for path in files:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as e:
            raise CardError(f"{path.name}: must be valid YAML. Got: {e}") from e
        card = parse_card(doc, path.name)
        if card.id != path.stem:
            raise CardError(f"{path.name}: id must equal the file name. Got {card.id!r} instead.")
        if card.id in seen:
            raise CardError(f"{path.name}: id must be unique. Got a second {card.id!r}.")
        seen.add(card.id)
        cards.append(card)
    return cards


def default_cards() -> list[Card]:
    return load_cards(Path(str(resources.files("ruangaman.resources").joinpath("cards"))))
