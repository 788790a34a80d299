"""Turn canonical words into the sparse features the linear model reads.

Features are strings, looked up in the model's vocabulary; unknown strings are ignored.
They are chosen so that one meaning written many ways lands on the same feature:

* ``w``       canonical unigram          ``w w``   canonical bigram
* ``r:w``     raw token as written (language identification needs the real spelling)
* ``st:w``    affix-stripped stem of a long word (``menyakiti`` -> ``sakit``)
* ``c:x``     lexicon concept (``bunuh diri``, ``kms``, ``unalive`` -> ``c:suicide``)
* ``cc:x+y``  two concepts in one text (``c:how`` with ``c:suicide`` suggests method seeking)
* ``s=x``     surface (``search`` changes what a phrase means)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from itertools import combinations

from ruangaman.normalize import Normalizer, Token, default_normalizer

__all__ = ["Featurizer", "Positioned", "SURFACES", "default_featurizer", "load_concepts"]

SURFACES = ("post", "comment", "search", "caption", "transcript", "message", "live")
_PREFIXES = ("meng", "meny", "mem", "men", "me", "di", "ter", "ber", "ke", "nge", "ng", "se", "pe")
_SUFFIXES = ("nya", "kan", "in", "an", "lah", "i")


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A cheap Indonesian affix stripper: good enough to share features, not a dictionary."""
    if len(word) < 6 or not word.isalpha():
        return word
    stem = word
    for suf in _SUFFIXES:
        if stem.endswith(suf) and len(stem) - len(suf) >= 4:
            stem = stem[: -len(suf)]
            break
    for pre in _PREFIXES:
        if stem.startswith(pre) and len(stem) - len(pre) >= 4:
            stem = stem[len(pre):]
            break
    return stem


@dataclass(frozen=True, slots=True)
class Positioned:
    """A feature and the raw tokens (by index) it was read from."""

    feature: str
    first: int
    last: int


def load_concepts() -> dict[str, str]:
    text = resources.files("ruangaman.resources").joinpath("concepts.tsv").read_text(encoding="utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            phrase, _, concept = line.partition("\t")
            out[phrase.strip()] = concept.strip()
    return out


class Featurizer:
    """Text (+ surface) -> feature strings, optionally with the tokens behind each one."""

    def __init__(self, normalizer: Normalizer, concepts: dict[str, str]):
        self.normalizer = normalizer
        self.concepts = concepts
        self._tri_prefixes = {" ".join(p.split()[:2]) for p in concepts if len(p.split()) == 3}

    def features(self, text: str, surface: str = "post") -> list[str]:
        """The fast path: features only, no offsets."""
        words = self.normalizer.words(text)
        feats = ["s=" + surface]
        feats.extend(words)
        feats.extend("st:" + s for w in words if (s := _stem(w)) != w)
        feats.extend("r:" + r for r in self.normalizer.raw_words(text) if r.isalpha())
        concepts = self.concepts
        found = {concepts[w] for w in words if w in concepts}
        tri = self._tri_prefixes
        for i in range(len(words) - 1):
            bg = words[i] + " " + words[i + 1]
            feats.append(bg)
            c = concepts.get(bg)
            if c:
                found.add(c)
            if bg in tri and i + 2 < len(words):
                c = concepts.get(bg + " " + words[i + 2])
                if c:
                    found.add(c)
        if found:
            ordered = sorted(found)
            feats.extend("c:" + c for c in ordered)
            feats.extend("cc:" + a + "+" + b for a, b in combinations(ordered, 2))
        return feats

    def positioned(self, text: str, surface: str = "post") -> tuple[list[Token], list[Positioned]]:
        """Features with the raw-token range each came from (for evidence spans)."""
        tokens = self.normalizer.tokens(text)
        words: list[str] = []
        owner: list[int] = []
        for i, tok in enumerate(tokens):
            for w in tok.words:
                words.append(w)
                owner.append(i)
        out: list[Positioned] = []
        concepts = self.concepts
        for j, w in enumerate(words):
            out.append(Positioned(w, owner[j], owner[j]))
            s = _stem(w)
            if s != w:
                out.append(Positioned("st:" + s, owner[j], owner[j]))
            if w in concepts:
                out.append(Positioned("c:" + concepts[w], owner[j], owner[j]))
        for j in range(len(words) - 1):
            bg = words[j] + " " + words[j + 1]
            out.append(Positioned(bg, owner[j], owner[j + 1]))
            if bg in concepts:
                out.append(Positioned("c:" + concepts[bg], owner[j], owner[j + 1]))
            if bg in self._tri_prefixes and j + 2 < len(words):
                tg = bg + " " + words[j + 2]
                if tg in concepts:
                    out.append(Positioned("c:" + concepts[tg], owner[j], owner[j + 2]))
        return tokens, out


@lru_cache(maxsize=1)
def default_featurizer() -> Featurizer:
    return Featurizer(default_normalizer(), load_concepts())
