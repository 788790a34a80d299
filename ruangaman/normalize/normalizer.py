"""See through how people write and evade, without losing where each word came from.

The original text is cut into raw tokens by one regular expression; every raw token keeps
its ``(start, end)`` in the original string (the offset map) and is rewritten, on its own,
into zero or more canonical words.  Rewriting a token never changes another token's
offsets, so every evidence span slices the original text exactly.

The rewrite of a raw token is a pure function of the token, so it is cached: on real
traffic almost every token has been seen before, which keeps the hot path cheap.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

__all__ = ["Normalizer", "Token", "default_normalizer"]

# Characters people insert to break up a word without changing how it looks.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\ufeff\u00ad\u034f\u180e"
_INVISIBLE_CLASS = "\u200b-\u200f\u2060-\u2063\ufeff\u00ad\u034f\u180e"
_DROP_INVISIBLE = {ord(c): None for c in _INVISIBLE} | {0xFE0F: None, 0xFE0E: None}

# Latin look-alikes from Cyrillic and Greek (length-preserving, one char each).
_HOMOGLYPHS = str.maketrans(
    "аеорсухіјѕԁмнтвкАЕОРСХІЈЅМНТВКαορτνικεΑΟΡΤΝΙΚΕ",
    "aeopcyxijsdmhtbkAEOPCXIJSMHTBKaoptvikeAOPTNIKE",
)
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "6": "g", "7": "t",
                       "8": "b", "9": "g", "@": "a", "$": "s", "!": "i", "|": "l"})

_EMOJI_WORDS = {
    "😂": "haha", "🤣": "haha", "😹": "haha", "😆": "haha", "😅": "haha", "🤪": "haha",
    "💀": "emoji_skull", "☠": "emoji_skull", "😭": "emoji_cry", "😢": "emoji_cry", "🥲": "emoji_cry",
    "😞": "emoji_sad", "😔": "emoji_sad", "🥺": "emoji_sad", "😩": "emoji_sad", "😫": "emoji_sad",
    "💔": "emoji_broken_heart", "🥀": "emoji_wilted", "🖤": "emoji_black_heart",
    "🔪": "pisau", "🗡": "pisau", "💊": "pil", "🩸": "darah", "🪢": "tali", "⚰": "peti mati",
    "🪦": "makam", "🌉": "jembatan", "🏢": "gedung", "🚂": "kereta", "🚆": "kereta", "🔫": "pistol",
    "🫂": "emoji_hug", "🤗": "emoji_hug", "🙏": "emoji_pray", "❤": "emoji_heart", "💕": "emoji_heart",
    "💖": "emoji_heart", "💗": "emoji_heart", "🤍": "emoji_heart", "💜": "emoji_heart", "💙": "emoji_heart",
    "🌿": "emoji_plant", "🌱": "emoji_plant", "✨": "emoji_sparkle", "👋": "emoji_wave",
    "😡": "emoji_angry", "🤬": "emoji_angry", "🙄": "emoji_eyeroll", "🤡": "emoji_clown",
}

# A raw token: a run of single letters split by spaces/dots/stars ("b u n u h", "k.m.s"),
# a word (letters, digits, leet symbols, invisible characters, inner hyphens/apostrophes),
# or one emoji.  Most texts hold no spaced run, so a cheap hint picks the cheaper regex.
_WORDCH = rf"[\w@$*{_INVISIBLE_CLASS}]"
_WORD = rf"{_WORDCH}+(?:(?:['’\-]|!(?=[^\W\d_])){_WORDCH}+)*!?|[\U0001F300-\U0001FAFF\u2600-\u27BF]"
_SPACED = r"(?<![^\W_])(?:[^\W\d_][ .·*_\-]{1,2}){2,}[^\W\d_](?![^\W_])"
TOKEN_RE = re.compile(_SPACED + "|" + _WORD)
WORD_RE = re.compile(_WORD)
_SPACED_HINT = re.compile(r"\b[^\W\d_][ .·*_\-]{1,2}[^\W\d_][ .·*_\-]{1,2}[^\W\d_]\b")


def token_regex(text: str) -> re.Pattern[str]:
    """The tokenizer for this text: the full one only when a spaced-letter run may be present."""
    return TOKEN_RE if _SPACED_HINT.search(text) else WORD_RE


_SPACED_RE = re.compile(r"^(?:[^\W\d_][ .·*_\-]{1,2}){2,}[^\W\d_]$")
_REPEAT3 = re.compile(r"(.)\1{2,}")
_REPEAT2 = re.compile(r"(.)\1+")
_NUM_UNIT = re.compile(r"^(\d+)([a-z]+)$")
_REDUP = re.compile(r"^([a-z]{2,})2$")


@dataclass(frozen=True, slots=True)
class Token:
    """One raw token of the original text and the canonical words it stands for."""

    start: int
    end: int
    words: tuple[str, ...]


def _read_resource(name: str) -> list[str]:
    text = resources.files("ruangaman.resources").joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


class Normalizer:
    """Rewrite informal, obfuscated text into canonical words, keeping offsets.

    Parameters
    ----------
    slang : mapping of raw token -> canonical phrase (space separated).
    known_words : words accepted as real after undoing leetspeak or repeated letters.
    cache_size : number of distinct raw tokens whose rewrite is cached.
    """

    def __init__(self, slang: dict[str, str], known_words: frozenset[str], cache_size: int = 1 << 17):
        self.slang = {k: tuple(v.split()) for k, v in slang.items()}
        self.known_words = known_words
        self.cache_size = cache_size
        # Words that people mask with stars ("b*nuh", "d*ri"): match them by pattern.
        priority = ["bunuh", "diri", "mati", "suicide", "silet", "gantung", "racun", "hidup", "kill"]
        rest = sorted(({w for v in self.slang.values() for w in v} | set(self.slang)) - set(priority))
        self._maskable = priority + rest
        self.rewrite = lru_cache(maxsize=cache_size)(self._rewrite)

    # -- public -------------------------------------------------------------------------
    def tokens(self, text: str) -> list[Token]:
        """Raw tokens with offsets into ``text`` and their canonical words."""
        rw = self.rewrite
        return [Token(m.start(), m.end(), rw(m.group())) for m in token_regex(text).finditer(text)]

    def raw_tokens(self, text: str) -> list[str]:
        """Raw tokens as written, in order (the same sequence ``tokens`` gives, without offsets)."""
        return token_regex(text).findall(text)

    def words(self, text: str) -> list[str]:
        """Canonical words only (the fast path: no offsets are built)."""
        rw = self.rewrite
        out: list[str] = []
        for raw in token_regex(text).findall(text):
            out.extend(rw(raw))
        return out

    def normalize(self, text: str) -> str:
        """The canonical text, for people reading what the engine saw."""
        return " ".join(self.words(text))

    # -- one token ------------------------------------------------------------------------
    def _rewrite(self, raw: str) -> tuple[str, ...]:
        if len(raw) == 1 and raw in _EMOJI_WORDS:
            return tuple(_EMOJI_WORDS[raw].split())
        if len(raw) == 1 and ord(raw) >= 0x2600 and not raw.isalnum():
            return ("emoji",)
        tok = unicodedata.normalize("NFKC", raw.translate(_DROP_INVISIBLE)).translate(_HOMOGLYPHS).lower()
        tok = tok.replace("’", "'")
        if not tok:
            return ()
        if tok.startswith("@") and len(tok) > 1:
            return ("@user",)
        if tok in self.slang:
            return self.slang[tok]
        if _SPACED_RE.match(tok):
            return self._spaced(tok)
        if "'" in tok:
            tok = tok.replace("'", "")
            if tok in self.slang:
                return self.slang[tok]
        if "-" in tok:
            whole = tok.replace("-", "")
            if whole in self.slang:
                return self.slang[whole]
            parts: list[str] = []
            for part in tok.split("-"):
                if part:
                    parts.extend(self._rewrite(part))
            return tuple(parts)
        tok = tok.rstrip("!") or tok
        if not tok.isalpha():
            fixed = self._deobfuscate(tok)
            if fixed is not None:
                return fixed
        if _REPEAT3.search(tok):
            for pattern, repl in ((_REPEAT3, r"\1\1"), (_REPEAT2, r"\1")):
                cand = pattern.sub(repl, tok)
                if cand in self.slang:
                    return self.slang[cand]
                if cand in self.known_words:
                    return (cand,)
            tok = _REPEAT2.sub(r"\1", tok)
            return self.slang.get(tok) or (tok,)
        return (tok,)

    def _spaced(self, tok: str) -> tuple[str, ...]:
        """Letters split by spaces or dots: a wider gap parts words ("a k u  c a p e k"); a run
        that is no known word is split into known words if it can be ("akucapek": aku capek)."""
        out: list[str] = []
        for group in re.split(r"\s{2,}|[.·*_\-]\s+", tok):
            joined = re.sub(r"[ .·*_\-]", "", group)
            if not joined:
                continue
            found = self._known(joined)
            if found is None:
                found = tuple(w for part in (self._segment(joined) or (joined,)) for w in (self._known(part) or (part,)))
            out.extend(found)
        return tuple(out)

    def _segment(self, letters: str) -> list[str] | None:
        """The fewest known words (two letters or more) that spell ``letters``, or None."""
        n = len(letters)
        if n > 40:
            return None
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for i in range(n):
            if best[i] is None:
                continue
            for j in range(i + 2, min(n, i + 16) + 1):
                piece = letters[i:j]
                if (piece in self.slang or piece in self.known_words) and (
                        best[j] is None or len(best[i]) + 1 < len(best[j])):  # type: ignore[arg-type]
                    best[j] = best[i] + [piece]  # type: ignore[operator]
        return best[n]

    def _known(self, word: str) -> tuple[str, ...] | None:
        if word in self.slang:
            return self.slang[word]
        if word in self.known_words:
            return (word,)
        return None

    def _deobfuscate(self, tok: str) -> tuple[str, ...] | None:
        if tok.isdigit():
            return (tok,)
        m = _REDUP.match(tok)
        if m:  # "temen2" is Indonesian reduplication, "temen-temen"
            base = self._known(m.group(1)) or (m.group(1),)
            return base + base
        if "*" in tok and tok.strip("*"):
            pattern = re.compile("^" + re.escape(tok).replace(r"\*", "[a-z]") + "$")
            hits = [w for w in self._maskable if len(w) == len(tok) and pattern.match(w)]
            if hits:
                return self.slang.get(hits[0]) or (hits[0],)
        leet = tok.translate(_LEET).replace("*", "")
        if leet.isalpha():
            found = self._known(leet) or self._known(_REPEAT2.sub(r"\1", leet))
            if found:
                return found
        m = _NUM_UNIT.match(tok)
        if m:
            return (m.group(1),) + (self._known(m.group(2)) or (m.group(2),))
        if leet.isalpha():
            return (leet,)
        return None


@lru_cache(maxsize=1)
def default_normalizer() -> Normalizer:
    """The normalizer built from the bundled lexicons (IndoCollex + curated slang)."""
    slang: dict[str, str] = {}
    for line in _read_resource("indocollex/inforformal-formal-Indonesian-dictionary.tsv")[1:]:
        parts = line.split("\t")
        if len(parts) == 2 and parts[0].isalpha() and parts[1]:
            slang[parts[0].lower()] = parts[1].lower()
    for line in _read_resource("slang.tsv"):
        key, _, value = line.partition("\t")
        slang[key.strip()] = value.strip()
    known = frozenset(_read_resource("known_words.txt")) | frozenset(
        w for v in slang.values() for w in v.split())
    return Normalizer(slang, known)
