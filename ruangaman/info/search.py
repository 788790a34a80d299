"""Search the information cards: SQLite FTS5, Indonesian stemming, slang normalization.

Cards and queries go through the same analysis: the assessment engine's normalizer (slang,
alay, evasions -> canonical words), the raw spellings, Sastrawi stems, a few synonyms,
minus stop words.  Both languages of a card are indexed in one row, so an English,
Indonesian or code-mixed query finds the same card; the card is shown in the asked language.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from ruangaman.info.cards import Card, default_cards
from ruangaman.normalize import Normalizer, default_normalizer

__all__ = ["InfoIndex", "SearchHit", "default_index", "evaluate"]

# Words too common to rank by (both languages, canonical forms included).
STOP = frozenset("""
yang di ke dari dan atau ini itu ada adalah untuk dengan pada dalam juga saja sih dong deh kok ya kah lah pun
saya kamu dia kita kami mereka aku gue lo apa apakah kenapa mengapa bagaimana gimana cara bisa tidak jadi
sudah belum akan lagi mau ingin kalau kalo buat sama biar atau nya si the a an of to is are am be in on for and
or it this that what how why can do does my your i you me with about when who
""".split())

# Query-side synonyms: everyday words -> words the cards use.
SYNONYMS = {
    "curhat": ("cerita", "konseling", "dengar"), "sedih": ("depresi",), "galau": ("sedih", "stres"),
    "cemas": ("anxiety", "kecemasan"), "anxiety": ("kecemasan", "cemas"), "panik": ("panic", "serangan"),
    "stres": ("stress",), "gila": ("psikolog", "stigma"), "ketagihan": ("kecanduan", "obat"),
    "antidepresan": ("obat",), "psikiater": ("dokter", "jiwa"), "gratis": ("bpjs", "puskesmas"),
    "hotline": ("layanan", "telepon"), "nomor": ("layanan", "telepon"), "suicide": ("bunuh",),
    "bunuh": ("suicide",), "self": ("melukai",), "harm": ("melukai",), "nyilet": ("melukai",),
    "silet": ("melukai",), "barcode": ("melukai",), "diet": ("makan",), "kurus": ("makan",),
    "gejala": ("tanda", "ciri"), "ciri": ("tanda", "gejala"), "tanda": ("gejala", "ciri"),
    "symptom": ("sign",), "symptoms": ("signs",), "ortu": ("orang", "tua"), "parents": ("orang", "tua"), "temen": ("teman",), "friend": ("teman",),
}


@dataclass(frozen=True)
class SearchHit:
    card: Card
    score: float

    def to_dict(self, lang: str) -> dict[str, Any]:
        return dict(self.card.render(lang), score=round(self.score, 4))


class InfoIndex:
    """An in-memory FTS5 index of the cards; thread-safe for queries."""

    def __init__(self, cards: Sequence[Card], normalizer: Normalizer | None = None):
        from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

        self.cards = {c.id: c for c in cards}
        self.normalizer = normalizer or default_normalizer()
        stemmer = StemmerFactory().create_stemmer()
        self._stem = lru_cache(maxsize=1 << 16)(stemmer.stem)
        self._lock = threading.Lock()
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute("CREATE VIRTUAL TABLE cards USING fts5(card_id UNINDEXED, title, keywords, body, "
                        "tokenize='unicode61 remove_diacritics 2')")
        rows = []
        for c in cards:
            title = " ".join(c.text[lang]["title"] for lang in c.text)
            keywords = " ".join(w for lang in c.keywords for w in c.keywords[lang])
            body = " ".join(v for lang in c.text for k, v in c.text[lang].items() if k != "title")
            rows.append((c.id, self.analyze(title), self.analyze(keywords), self.analyze(body)))
        self.db.executemany("INSERT INTO cards VALUES (?, ?, ?, ?)", rows)

    def terms(self, text: str) -> list[str]:
        """Canonical words, raw spellings and stems of a text, without stop words."""
        out: list[str] = []
        raw = [t.lower() for t in self.normalizer.raw_tokens(text)]
        for w in self.normalizer.words(text) + raw:
            for part in w.replace("-", " ").split():
                if part.isalnum() and part not in STOP:
                    out.append(part)
                    stem = self._stem(part) if part.isalpha() and len(part) > 3 else part
                    if stem != part and stem not in STOP:
                        out.append(stem)
        return out

    def analyze(self, text: str) -> str:
        return " ".join(self.terms(text))

    def search(self, query: str, k: int = 5) -> list[SearchHit]:
        terms = self.terms(query)
        expanded = list(dict.fromkeys(terms + [s for t in terms for s in SYNONYMS.get(t, ())]))
        if not expanded:
            return []
        match = " OR ".join(f'"{t}"' for t in expanded)
        with self._lock:
            rows = self.db.execute("SELECT card_id, bm25(cards, 0.0, 4.0, 3.0, 1.0) AS s FROM cards "
                                   "WHERE cards MATCH ? ORDER BY s LIMIT ?", (match, k)).fetchall()
        return [SearchHit(self.cards[cid], -score) for cid, score in rows]


_default: InfoIndex | None = None
_default_lock = threading.Lock()


def default_index() -> InfoIndex:
    global _default
    with _default_lock:
        if _default is None:
            _default = InfoIndex(default_cards())
        return _default


def evaluate(index: InfoIndex, queries: Sequence[dict[str, Any]], k: int = 3) -> dict[str, float]:
    """Recall@k (any relevant card in the top k), MRR, and query latency in microseconds."""
    hits, rr, lat = 0, 0.0, []
    misses = []
    for q in queries:
        t = time.perf_counter_ns()
        ranked = [h.card.id for h in index.search(q["query"], k=10)]
        lat.append(time.perf_counter_ns() - t)
        relevant = set(q["relevant"])
        if relevant & set(ranked[:k]):
            hits += 1
        else:
            misses.append({"id": q.get("id"), "query": q["query"], "relevant": q["relevant"], "got": ranked[:k]})
        rank = next((i for i, cid in enumerate(ranked, 1) if cid in relevant), None)
        rr += 1.0 / rank if rank else 0.0
    lat.sort()
    n = len(queries)
    return {"queries": n, f"recall@{k}": round(hits / n, 4), "mrr": round(rr / n, 4),
            "p50_us": lat[n // 2] / 1000, "p99_us": lat[min(n - 1, int(n * 0.99))] / 1000, "misses": misses}
