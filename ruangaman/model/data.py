"""Labelled examples: the project's own corpus and the licensed public sets it borrows from.

The public sets carry no suicide or self-harm labels.  They teach the model what ordinary
Indonesian, Javanese, Sundanese and English look like (language identification) and
what calm text is (``self_harm: none``, no labels), including profanity that is not
self-harm harassment (Davidson).  Texts that touch suicide, self-harm or mental illness
are left out of them, because "none" would be a wrong label for those.
"""

from __future__ import annotations

import csv
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

__all__ = ["Example", "LEVELS", "LABELS", "LANGUAGES", "read_labelled", "read_public"]

LEVELS = ("none", "mention", "distress", "ideation", "plan", "imminent")
LABELS = ("method", "harassment", "eating_disorder", "stigma", "misinformation", "help_seeking", "supportive")
LANGUAGES = ("id", "en", "jv", "su", "ms", "mixed")

_SENSITIVE = re.compile(
    r"suicid|kill (?:your|my|him|her)sel|\bkys\b|bunuh diri|want(?:ed)? to die|wanna die|end (?:my|it)"
    r"|self.?harm|\bcut(?:ting)?\b|depres|anxi|mental|crazy|insane|psycho|retard|bipolar|schizo|\bdie\b|dead"
    r"|\bmati\b|bunuh|gila|stres|pengen ilang|\bpaeh\b|modar|overdos|pills?\b|hang (?:my|your)sel",
    re.IGNORECASE,
)


@dataclass
class Example:
    id: str
    text: str
    surface: str = "post"
    self_harm: str | None = None
    labels: list[str] = field(default_factory=list)
    language: str | None = None
    source: str = "corpus"
    weight: float = 1.0


def read_labelled(path: Path, source: str = "corpus") -> list[Example]:
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            r = json.loads(line)
            if r["self_harm"] not in LEVELS or any(lb not in LABELS for lb in r["labels"]):
                raise ValueError(f"{path}:{n}: labels must follow docs/labels.md. Got {r!r} instead.")
            out.append(Example(r["id"], r["text"], r.get("surface", "post"), r["self_harm"], list(r["labels"]),
                               r.get("language"), source))
    return out


def _csv_texts(path: Path, column: str) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            yield row[column]


def read_public(root: Path, seed: int, weight: float = 0.5) -> list[Example]:
    """Calm, unlabelled-for-risk texts from the licensed public sets (see data/public/*/SOURCE.md)."""
    rng = random.Random(seed)
    picks: list[tuple[str, str, list[str], int]] = []  # (source, language, texts, how many)
    for lang, code in (("indonesian", "id"), ("english", "en"), ("javanese", "jv"), ("sundanese", "su")):
        texts = [t for split in ("train", "valid")
                 for t in _csv_texts(root / "nusax" / "sentiment" / lang / f"{split}.csv", "text")]
        picks.append((f"nusax-{lang}", code, texts, 600))
    with open(root / "indonlu-smsa" / "train_preprocess.tsv", encoding="utf-8") as f:
        smsa = [line.split("\t")[0] for line in f if line.strip()]
    picks.append(("smsa", "id", smsa, 1500))
    for lang, code in (("jav", "jv"), ("sun", "su")):
        texts = list(_csv_texts(root / "nusatranslation-senti" / f"nusa_kalimat-senti-{lang}-train.csv", "text"))
        picks.append((f"nusatranslation-{lang}", code, texts, 1200))
    tweets = list(_csv_texts(root / "davidson-hate-offensive" / "labeled_data.csv", "tweet"))
    picks.append(("davidson", "en", tweets, 1200))
    with open(root / "xed" / "en-annotated.tsv", encoding="utf-8") as f:
        xed = [line.split("\t")[0] for line in f if len(line.split("\t")[0]) > 25]
    picks.append(("xed-en", "en", xed, 800))

    out: list[Example] = []
    for source, lang, texts, n in picks:
        texts = sorted({t.strip() for t in texts if t.strip() and not _SENSITIVE.search(t)})
        rng.shuffle(texts)
        for i, t in enumerate(texts[:n]):
            out.append(Example(f"{source}-{i}", t[:600], "post", "none", [], lang, source, weight))
    return out
