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

import re
from dataclasses import dataclass
from types import SimpleNamespace
from functools import lru_cache
from importlib import resources
from itertools import chain, combinations, islice, repeat
from typing import Sequence

import numpy as np
from operator import itemgetter

from ruangaman.normalize import Normalizer, default_normalizer
from ruangaman.normalize.normalizer import TOKEN_RE, token_regex

__all__ = ["FeatureIndexer", "Featurizer", "IndexedBatch", "SURFACES", "TokenFeatures", "default_featurizer",
           "load_concepts"]

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


def mix_features(english: int, indonesian: int) -> list[str]:
    """How many raw words are frequent English-only and Indonesian-only words (capped at 3):
    code-mixing is both at once, which a linear model cannot read from words alone."""
    return [f"mix:en{min(english, 3)}", f"mix:id{min(indonesian, 3)}", f"mix:both{min(english, indonesian, 3)}"]


def _word_list(name: str) -> frozenset[str]:
    text = resources.files("ruangaman.resources").joinpath(name).read_text(encoding="utf-8")
    return frozenset(w for w in text.splitlines() if w and not w.startswith("#"))


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

    def __init__(self, normalizer: Normalizer, concepts: dict[str, str],
                 english: frozenset[str] = frozenset(), indonesian: frozenset[str] = frozenset()):
        self.normalizer = normalizer
        self.concepts = concepts
        self.english = english
        self.indonesian = indonesian
        self._tri_prefixes = {" ".join(p.split()[:2]) for p in concepts if len(p.split()) == 3}

    def features(self, text: str, surface: str = "post") -> list[str]:
        """Every feature string of a text (training uses this; serving uses FeatureIndexer)."""
        raws = self.normalizer.raw_tokens(text)
        rw = self.normalizer.rewrite
        words = [w for r in raws for w in rw(r)]
        feats = ["s=" + surface]
        feats.extend(words)
        feats.extend("st:" + s for w in words if (s := _stem(w)) != w)
        lows = [low for r in raws if (low := r.lower()).isalpha()]
        feats.extend("r:" + low for low in lows)
        feats.extend(mix_features(sum(w in self.english for w in lows), sum(w in self.indonesian for w in lows)))
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


@dataclass(frozen=True)
class IndexedBatch:
    """A batch's feature matrix plus, per feature occurrence, the chunks it was read from.

    ``first``/``last`` are positions in ``chunks`` (all texts' whitespace chunks, in order;
    ``offsets[r]`` is text r's first); -1 where a feature has no place (surface, concept
    pairs, texts in ``slow``, which evidence re-reads token by token).
    """

    X: object
    rows: np.ndarray
    cols: np.ndarray
    first: np.ndarray
    last: np.ndarray
    offsets: np.ndarray
    chunks: list[str]
    slow: frozenset[int]
    chunk_ids: np.ndarray  # chunk position -> row of ``table``
    table: "_ChunkTable"


class _Grow:
    """A growable 1-d numpy buffer (amortized doubling)."""

    def __init__(self, dtype: type) -> None:
        self.buf = np.zeros(1024, dtype=dtype)
        self.n = 0

    def extend(self, values: Sequence) -> int:
        start, k = self.n, len(values)
        if self.n + k > len(self.buf):
            self.buf = np.resize(self.buf, max(2 * len(self.buf), self.n + k))
        self.buf[self.n:self.n + k] = values
        self.n += k
        return start

    def view(self) -> np.ndarray:
        return self.buf[: self.n]


class _ChunkTable:
    """Columnar cache of each chunk's contribution: ragged arrays of feature indices,
    word ids and concept ids, plus the lone-letter flag."""

    def __init__(self) -> None:
        self.cols = {name: _Grow(np.int64) for name in
                     ("idx", "ids", "c", "idx_start", "idx_len", "ids_start", "ids_len", "c_start", "c_len",
                      "lead", "core", "en", "ind")}
        self.flags = _Grow(np.bool_)
        self.words: list[str] = []  # canonical words of the chunk, joined (for evidence reasons)
        self._view: SimpleNamespace | None = None

    def add(self, chunk: str, entry: tuple, concepts: Sequence[int], words: str) -> int:
        c = self.cols
        for name, values in (("idx", entry[1]), ("ids", entry[0]), ("c", concepts)):
            c[name + "_start"].extend([c[name].extend(values)])
            c[name + "_len"].extend([len(values)])
        start, end = trim_chunk(chunk, 0)
        c["lead"].extend([start])
        c["core"].extend([end - start])
        c["en"].extend([entry[4]])
        c["ind"].extend([entry[5]])
        self.words.append(words)
        self._view = None
        return self.flags.extend([entry[3]])

    def view(self) -> SimpleNamespace:
        if self._view is None:
            self._view = SimpleNamespace(flag=self.flags.view(), **{k: v.view() for k, v in self.cols.items()})
        return self._view


def ragged_positions(starts: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Positions of the concatenated slices [start, start + len) (vectorized)."""
    total = int(lens.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lens)
    return np.repeat(starts - ends + lens, lens) + np.arange(total, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class TokenFeatures:
    """Features of one text with the raw-token span each was read from (evidence path)."""

    spans: list[tuple[int, int]]  # raw token -> (start, end) in the original text
    words: list[tuple[str, ...]]  # raw token -> canonical words
    indices: list[int]  # feature index
    first: list[int]  # feature -> first raw token it was read from
    last: list[int]  # feature -> last raw token it was read from


class FeatureIndexer:
    """The serving path: feature indices of one vocabulary, straight from raw tokens.

    Gives the same multiset of indices as ``vocab[f] for f in featurizer.features(...)``
    (a test holds it to that).  Words become integer ids once; each raw token's own
    contribution is cached; bigrams are looked up by (id, id) pairs.  The per-text work is
    done by C-level iterators (map, zip, chain), not by a Python loop per word.
    """

    MAX_CACHE = 1 << 20

    def __init__(self, featurizer: Featurizer, vocab: dict[str, int]):
        self.featurizer = featurizer
        self.vocab = vocab
        self._wid: dict[str, int] = {}
        for f, i in vocab.items():
            if " " not in f and ":" not in f and "=" not in f:
                self._wid[f] = i
        self._next = len(vocab)
        concepts = featurizer.concepts
        self._bigram_feature: dict[tuple[int, int], int] = {}
        self._bigram_concept: dict[tuple[int, int], str] = {}
        for f, i in vocab.items():
            if " " in f and ":" not in f:
                a, _, b = f.partition(" ")
                self._bigram_feature[(self._id(a), self._id(b))] = i
        self._tri: dict[tuple[int, int], dict[int, str]] = {}
        for phrase, concept in concepts.items():
            words = phrase.split()
            if len(words) == 2:
                self._bigram_concept[(self._id(words[0]), self._id(words[1]))] = concept
            elif len(words) == 3:
                self._tri.setdefault((self._id(words[0]), self._id(words[1])), {})[self._id(words[2])] = concept
        self._concept_idx = {c: vocab.get("c:" + c, -1) for c in set(concepts.values())}
        self._surface = {sf: vocab.get("s=" + sf) for sf in SURFACES}
        # mix features by (english words, indonesian words), each capped at 3
        self._mix_idx = [[[vocab.get(f, -1) for f in mix_features(e, i)] for i in range(4)] for e in range(4)]
        self._mix_arr = np.array(self._mix_idx, dtype=np.int64)
        self._tokens: dict[str, tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]] = {}
        self._chunks: dict[str, tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...], bool]] = {}
        self._names = sorted(vocab, key=vocab.__getitem__)
        # The same bigram tables as sorted arrays, for whole batches at once.
        self._concept_names = sorted(set(concepts.values()))
        self._concept_ids = {c: k for k, c in enumerate(self._concept_names)}
        self._table_ids: dict[str, int] = {}
        self._chunk_words: dict[str, tuple[str, ...]] = {}
        self._table = _ChunkTable()
        self._concept_feature = np.array([self._concept_idx[c] for c in sorted(self._concept_ids)], dtype=np.int64)
        names = self._concept_names
        self._pair_feature = np.array([[vocab.get("cc:" + a + "+" + b, -1) for b in names] for a in names],
                                      dtype=np.int64).reshape(len(names), len(names))
        self._tri_keys = np.array([(a << 32) | b for a, b in self._tri], dtype=np.int64)
        keys = sorted(set(self._bigram_feature) | set(self._bigram_concept))
        self._bg_keys = np.array([(a << 32) | b for a, b in keys], dtype=np.int64)
        self._bg_feature = np.array([self._bigram_feature.get(k, -1) for k in keys], dtype=np.int64)
        self._bg_concept = np.array([self._concept_ids.get(self._bigram_concept.get(k, ""), -1) for k in keys],
                                    dtype=np.int64)

    def _id(self, word: str) -> int:
        i = self._wid.get(word)
        if i is None:
            i = self._wid[word] = self._next
            self._next += 1
        return i

    def _token(self, raw: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]:
        get, concepts, wid = self.vocab.get, self.featurizer.concepts, self._wid
        words = self.featurizer.normalizer.rewrite(raw)
        idx: list[int | None] = []
        found: list[str] = []
        for w in words:
            idx.append(get(w))
            st = _stem(w)
            if st != w:
                idx.append(get("st:" + st))
            if w in concepts:
                found.append(concepts[w])
        low = raw.lower()
        en = ind = 0
        if low.isalpha():
            idx.append(get("r:" + low))
            en, ind = int(low in self.featurizer.english), int(low in self.featurizer.indonesian)
        # Words the vocabulary never saw get -1: no bigram or concept starts or ends there.
        ids = tuple(wid.get(w, -1) for w in words)
        entry = (ids, tuple(i for i in idx if i is not None), tuple(found), False, en, ind)
        if len(self._tokens) >= self.MAX_CACHE:
            self._tokens.clear()
        self._tokens[raw] = entry
        return entry

    def _entries(self, raws: list[str]) -> list[tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...]]]:
        entries = list(map(self._tokens.get, raws))
        if None in entries:
            entries = [e or self._token(r) for e, r in zip(entries, raws)]
        return entries  # type: ignore[return-value]

    def _chunk(self, chunk: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[str, ...], bool]:
        """A whitespace-free chunk's tokens, merged; flagged if it may join a spaced-letter run."""
        raws = token_regex(chunk).findall(chunk)
        entries = self._entries(raws)
        entry = (tuple(chain.from_iterable(map(_ids, entries))), tuple(chain.from_iterable(map(_idx, entries))),
                 tuple(chain.from_iterable(map(_concepts_of, entries))), bool(_LONE_LETTER.search(chunk)),
                 sum(map(_en, entries)), sum(map(_id, entries)))
        if len(self._chunks) >= self.MAX_CACHE:
            self._chunks.clear()
        self._chunks[chunk] = entry
        return entry

    def _concepts(self, found: list[str], out: list[int]) -> None:
        ordered = sorted(set(found))
        cidx = self._concept_idx
        out.extend(i for c in ordered if (i := cidx[c]) >= 0)
        if len(ordered) > 1:
            get = self.vocab.get
            out.extend(i for a, b in combinations(ordered, 2) if (i := get("cc:" + a + "+" + b)) is not None)

    def index(self, text: str, surface: str = "post") -> list[int]:
        # Fast path: whole whitespace chunks from the cache.  A chunk with a lone letter
        # ("b", "u.") may belong to a spaced-out word ("b u n u h"): then tokenize the text.
        chunks = text.split()
        entries = list(map(self._chunks.get, chunks))
        if None in entries:
            entries = [e or self._chunk(c) for e, c in zip(entries, chunks)]
        if True in map(_flagged, entries) and _adjacent(list(map(_flagged, entries))) and _spaced_run(text):
            entries = self._entries(self.featurizer.normalizer.raw_tokens(text))
        ids = list(chain.from_iterable(map(_ids, entries)))
        out = list(chain.from_iterable(map(_idx, entries)))
        s = self._surface.get(surface)
        if s is not None:
            out.append(s)
        pairs = list(zip(ids, islice(ids, 1, None)))
        out.extend(filter(_NOT_MISSING, map(self._bigram_feature.get, pairs, repeat(-1))))
        found = list(chain.from_iterable(map(_concepts_of, entries)))
        found.extend(filter(None, map(self._bigram_concept.get, pairs)))
        if not self._tri.keys().isdisjoint(pairs):
            for j, hit in enumerate(map(self._tri.get, pairs)):
                if hit is not None and j + 2 < len(ids):
                    c = hit.get(ids[j + 2])
                    if c:
                        found.append(c)
        if found:
            self._concepts(found, out)
        out.extend(self._mix(sum(map(_en, entries)), sum(map(_id, entries))))
        return out

    def _mix(self, english: int, indonesian: int) -> list[int]:
        return [i for i in self._mix_idx[min(english, 3)][min(indonesian, 3)] if i >= 0]

    def _chunk_row(self, chunk: str) -> int:
        """Add a chunk to the columnar chunk table (the batch path's cache); return its id."""
        if len(self._table_ids) >= self.MAX_CACHE:
            self._table_ids.clear()
            self._table = _ChunkTable()
        entry = self._chunks.get(chunk) or self._chunk(chunk)
        k = self._table.add(chunk, entry, [self._concept_ids[c] for c in entry[2]], " ".join(self.chunk_words(chunk)))
        self._table_ids[chunk] = k
        return k

    def index_many(self, texts: Sequence[str], surfaces: Sequence[str]) -> "IndexedBatch":
        """Feature counts of many texts (a CSR matrix, rows = texts), vectorized over the batch.

        Every chunk is looked up once in a columnar table; everything after that is array
        work.  The feature-level arrays are kept for evidence spans.
        """
        from scipy.sparse import coo_matrix

        n = len(texts)
        chunk_lists = list(map(str.split, texts))
        n_chunks = np.fromiter(map(len, chunk_lists), dtype=np.int64, count=n)
        chunks = list(chain.from_iterable(chunk_lists))
        cid = np.fromiter(map(self._table_ids.get, chunks, repeat(-1)), dtype=np.int64, count=len(chunks))
        for j in np.flatnonzero(cid < 0).tolist():
            cid[j] = self._table_ids.get(chunks[j], -1)
            if cid[j] < 0:
                cid[j] = self._chunk_row(chunks[j])
        t = self._table.view()
        all_cid = cid
        chunk_row = np.repeat(np.arange(n, dtype=np.int64), n_chunks)
        chunk_pos = np.arange(len(chunks), dtype=np.int64)
        flags = t.flag[cid]
        slow = np.unique(chunk_row[:-1][flags[:-1] & flags[1:] & (chunk_row[:-1] == chunk_row[1:])])
        slow = np.asarray([r for r in slow.tolist() if _spaced_run(texts[r])], dtype=np.int64)
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        first: list[np.ndarray] = []
        last: list[np.ndarray] = []

        def add(r: np.ndarray, c: np.ndarray, f: np.ndarray, lst: np.ndarray) -> None:
            rows.append(r)
            cols.append(c)
            first.append(f)
            last.append(lst)

        if len(slow):  # texts that may hold a spaced-out word: the exact, per-text path
            keep = ~np.isin(chunk_row, slow)
            cid, chunk_row, chunk_pos = cid[keep], chunk_row[keep], chunk_pos[keep]
        surf = np.fromiter((-1 if (i := self._surface.get(sf)) is None else i for sf in surfaces),
                           dtype=np.int64, count=n)
        ok = np.flatnonzero((surf >= 0) & ~np.isin(np.arange(n), slow))
        none = np.full(len(ok), -1, dtype=np.int64)
        add(ok, surf[ok], none, none)
        # unigram-level features, per chunk
        lens = t.idx_len[cid]
        at = np.repeat(chunk_pos, lens)
        add(np.repeat(chunk_row, lens), t.idx[ragged_positions(t.idx_start[cid], lens)], at, at)
        # bigrams: adjacent word ids within one text
        id_lens = t.ids_len[cid]
        ids = t.ids[ragged_positions(t.ids_start[cid], id_lens)]
        word_row, word_pos = np.repeat(chunk_row, id_lens), np.repeat(chunk_pos, id_lens)
        valid = (word_row[:-1] == word_row[1:]) & (ids[:-1] >= 0) & (ids[1:] >= 0)
        keys = (ids[:-1][valid] << 32) | ids[1:][valid]
        pos = np.minimum(np.searchsorted(self._bg_keys, keys), max(len(self._bg_keys) - 1, 0))
        hit = self._bg_keys[pos] == keys
        feat, concept = self._bg_feature[pos[hit]], self._bg_concept[pos[hit]]
        b_row, b_first, b_last = word_row[:-1][valid][hit], word_pos[:-1][valid][hit], word_pos[1:][valid][hit]
        f_ok = feat >= 0
        add(b_row[f_ok], feat[f_ok], b_first[f_ok], b_last[f_ok])
        # concepts (tokens, bigrams, rarely trigrams): once per text each
        c_lens = t.c_len[cid]
        c_pos = np.repeat(chunk_pos, c_lens)
        c_ok = concept >= 0
        c_row = [np.repeat(chunk_row, c_lens), b_row[c_ok]]
        c_id = [t.c[ragged_positions(t.c_start[cid], c_lens)], concept[c_ok]]
        c_first, c_last = [c_pos, b_first[c_ok]], [c_pos, b_last[c_ok]]
        if len(self._tri_keys):
            tri = self._trigram_concepts(ids, word_row, word_pos, valid)
            c_row.append(tri[0])
            c_id.append(tri[1])
            c_first.append(tri[2])
            c_last.append(tri[3])
        nc = len(self._concept_ids)
        code = np.concatenate(c_row) * nc + np.concatenate(c_id)
        uniq, where = np.unique(code, return_index=True)
        p_row, p_cid = uniq // nc, uniq % nc
        p_feat = self._concept_feature[p_cid]
        f_ok = p_feat >= 0
        add(p_row[f_ok], p_feat[f_ok], np.concatenate(c_first)[where][f_ok], np.concatenate(c_last)[where][f_ok])
        # concept pairs: (i, i + d) within a row's sorted concepts, for every distance d
        for d in range(1, int(np.bincount(p_row, minlength=1).max(initial=0))):
            i = np.flatnonzero(p_row[:-d] == p_row[d:])
            if not len(i):
                break
            cc = self._pair_feature[p_cid[i], p_cid[i + d]]
            ok = cc >= 0
            none_cc = np.full(int(ok.sum()), -1, dtype=np.int64)
            add(p_row[i][ok], cc[ok], none_cc, none_cc)
        fast_rows = np.flatnonzero(~np.isin(np.arange(n), slow))
        en = np.minimum(np.bincount(chunk_row, weights=t.en[cid], minlength=n).astype(np.int64), 3)[fast_rows]
        ind = np.minimum(np.bincount(chunk_row, weights=t.ind[cid], minlength=n).astype(np.int64), 3)[fast_rows]
        mix = self._mix_arr[en, ind]  # (rows, 3)
        m_ok = mix >= 0
        m_rows = np.repeat(fast_rows, 3).reshape(-1, 3)
        none3 = np.full(int(m_ok.sum()), -1, dtype=np.int64)
        add(m_rows[m_ok], mix[m_ok], none3, none3)
        for r in slow.tolist():
            idx = self.index(texts[r], surfaces[r])
            add(np.full(len(idx), r, dtype=np.int64), np.asarray(idx, dtype=np.int64),
                np.full(len(idx), -1, dtype=np.int64), np.full(len(idx), -1, dtype=np.int64))
        row, col = np.concatenate(rows), np.concatenate(cols)
        X = coo_matrix((np.ones(len(row)), (row, col)), shape=(n, len(self.vocab))).tocsr()  # float64, as scored
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(n_chunks, out=offsets[1:])
        return IndexedBatch(X, row, col, np.concatenate(first), np.concatenate(last), offsets, chunks,
                            frozenset(slow.tolist()), all_cid, self._table)

    def _trigram_concepts(self, ids: np.ndarray, word_row: np.ndarray, word_pos: np.ndarray, valid: np.ndarray):
        rows, found, first, last = [], [], [], []
        starts = np.flatnonzero(valid)
        keys = (ids[starts] << 32) | ids[starts + 1]
        for j in starts[np.isin(keys, self._tri_keys)].tolist():
            hit = self._tri.get((int(ids[j]), int(ids[j + 1])))
            if hit and j + 2 < len(ids) and word_row[j + 2] == word_row[j]:
                c = hit.get(int(ids[j + 2]))
                if c:
                    rows.append(int(word_row[j]))
                    found.append(self._concept_ids[c])
                    first.append(int(word_pos[j]))
                    last.append(int(word_pos[j + 2]))
        return tuple(np.asarray(x, dtype=np.int64) for x in (rows, found, first, last))

    def positioned(self, text: str) -> TokenFeatures:
        """Unigram-level and bigram features with the text units they came from.

        Units are whitespace chunks trimmed of punctuation (cached), or raw tokens when the
        text may hold a spaced-out word.
        """
        chunks = [(m.group(), m.start()) for m in _CHUNK_RE.finditer(text)]
        entries = [self._chunks.get(c) or self._chunk(c) for c, _ in chunks]
        spaced = True in map(_flagged, entries) and _adjacent(list(map(_flagged, entries))) and _spaced_run(text)
        if spaced:
            matches = list(token_regex(text).finditer(text))
            raws = [m.group() for m in matches]
            entries = self._entries(raws)
            spans = [m.span() for m in matches]
        else:
            raws = [c for c, _ in chunks]
            spans = chunk_spans(text)
        ids: list[int] = []
        owner: list[int] = []
        indices: list[int] = []
        first: list[int] = []
        seen: set[str] = set()
        for t, e in enumerate(entries):
            ids.extend(e[0])
            owner.extend([t] * len(e[0]))
            indices.extend(e[1])
            first.extend([t] * len(e[1]))
            for c in e[2]:  # a concept counts once per text: keep its first place
                if self._concept_idx[c] >= 0 and c not in seen:
                    seen.add(c)
                    indices.append(self._concept_idx[c])
                    first.append(t)
        last = list(first)
        bigrams: list[tuple[int, int, int]] = []
        for j in range(len(ids) - 1):
            pair = (ids[j], ids[j + 1])
            i = self._bigram_feature.get(pair, -1)
            if i >= 0:
                bigrams.append((i, owner[j], owner[j + 1]))
            c = self._bigram_concept.get(pair, "")
            if c and c not in seen and self._concept_idx[c] >= 0:
                seen.add(c)
                bigrams.append((self._concept_idx[c], owner[j], owner[j + 1]))
        for j in range(len(ids) - 2):  # three-word concepts ("catch the bus"), after all bigrams
            c = self._tri.get((ids[j], ids[j + 1]), {}).get(ids[j + 2], "")
            if c and c not in seen and self._concept_idx[c] >= 0:
                seen.add(c)
                bigrams.append((self._concept_idx[c], owner[j], owner[j + 2]))
        for i, a, b in bigrams:
            indices.append(i)
            first.append(a)
            last.append(b)
        if spaced:
            rw = self.featurizer.normalizer.rewrite
            words = [tuple(w for t in token_regex(r).findall(r) for w in rw(t)) for r in raws]
        else:
            words = list(map(self.chunk_words, raws))  # cached per chunk, as the batch path reads them
        return TokenFeatures(spans, words, indices, first, last)

    def name(self, index: int) -> str:
        return self._names[index]

    def chunk_words(self, chunk: str) -> tuple[str, ...]:
        """The canonical words of one whitespace chunk (for reading evidence)."""
        words = self._chunk_words.get(chunk)
        if words is None:
            rw = self.featurizer.normalizer.rewrite
            words = tuple(w for t in token_regex(chunk).findall(chunk) for w in rw(t))
            if len(self._chunk_words) >= self.MAX_CACHE:
                self._chunk_words.clear()
            self._chunk_words[chunk] = words
        return words


# C-level accessors: a Python function per token would cost more than the look-ups.
_ids, _idx, _concepts_of, _flagged = itemgetter(0), itemgetter(1), itemgetter(2), itemgetter(3)
_en, _id = itemgetter(4), itemgetter(5)


_NOT_MISSING = (-1).__ne__
_CHUNK_RE = re.compile(r"\S+")
_EDGE_PUNCT = "\"'`.,;:!?()[]{}<>«»“”‘’…–—/\\|~^"


def trim_chunk(chunk: str, start: int) -> tuple[int, int]:
    """Span of a chunk without the punctuation around it (unless that is all it is)."""
    core = chunk.strip(_EDGE_PUNCT)
    if not core:
        return start, start + len(chunk)
    lead = len(chunk) - len(chunk.lstrip(_EDGE_PUNCT))
    return start + lead, start + lead + len(core)


def chunk_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each whitespace chunk of ``text``, trimmed of edge punctuation."""
    return [trim_chunk(m.group(), m.start()) for m in _CHUNK_RE.finditer(text)]


def chunk_starts(text: str) -> list[int]:
    """Start offset of each whitespace chunk of ``text``."""
    return [m.start() for m in _CHUNK_RE.finditer(text)]


def _spaced_run(text: str) -> bool:
    """The normalizer reads this text with the spaced-letter tokenizer ("That's a" has two
    flagged chunks side by side but no run of three spaced letters: the fast path is exact)."""
    return token_regex(text) is TOKEN_RE


def _adjacent(flags: list[bool]) -> bool:
    """Two flagged chunks side by side: a spaced-out word may run across them."""
    return any(a and b for a, b in zip(flags, flags[1:]))
# A chunk that starts or ends with a letter not joined to another letter or digit can be
# part of a spaced-out word that runs across whitespace ("b u n u h", "a a*a", "a a\u200b").
# Over-flagging only sends a text down the exact (slower) path; under-flagging would be a bug.
_LONE_LETTER = re.compile(r"^[.·*_\-]?[^\W\d_](?![^\W_])|(?<![^\W_])[^\W\d_][.·*_\-]?$")


@lru_cache(maxsize=1)
def default_featurizer() -> Featurizer:
    return Featurizer(default_normalizer(), load_concepts(), _word_list("words_en.txt"), _word_list("words_id.txt"))
