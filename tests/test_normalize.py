"""Normalization sees through slang, alay, leetspeak and evasions, and keeps offsets exact."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ruangaman.normalize import default_normalizer

N = default_normalizer()


@pytest.mark.parametrize(
    "text, canonical",
    [
        # slang and abbreviations
        ("gw ga kuat", "saya tidak kuat"),
        ("udh capek bgt yg kyk gini", "sudah capek sekali yang seperti begini"),
        ("lo gmn sih", "kamu bagaimana sih"),
        # alay and leetspeak
        ("4ku m4u m4ti", "saya mau mati"),
        ("b*nuh d1ri", "bunuh diri"),
        # repeated letters
        ("capeeeek bangeeettt", "capek sekali"),
        # spaced and dotted letters
        ("b u n u h  d i r i", "bunuh diri"),
        ("b.u.n.u.h diri", "bunuh diri"),
        ("k.m.s", "kill myself"),
        # invisible and look-alike characters
        ("su\u200bic\u200bide", "suicide"),
        ("b\u0443nuh", "bynuh"),  # Cyrillic u looks like y: the look-alike map is literal
        ("\u0441apek", "capek"),  # Cyrillic es -> c
        # euphemisms and codes
        ("bundir", "bunuh diri"),
        ("sewerslide", "suicide"),
        ("nge-barcode lagi", "barcode lagi"),
        ("unalive", "unalive"),
        # emoji used as words
        ("🔪💊", "pisau pil"),
        ("wkwk 😂", "haha haha"),
        # Indonesian reduplication
        ("temen2", "teman teman"),
    ],
)
def test_canonical_form(text: str, canonical: str) -> None:
    assert N.normalize(text) == canonical


@pytest.mark.parametrize("text", ["", " ", "\n\t", "!!!", "🙂"])
def test_degenerate_text_does_not_raise(text: str) -> None:
    assert isinstance(N.normalize(text), str)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_every_token_span_slices_the_original(text: str) -> None:
    tokens = N.tokens(text)
    assert [text[t.start:t.end] for t in tokens] == N.raw_tokens(text)
    for t in tokens:
        assert 0 <= t.start < t.end <= len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abdimnrsu1345 .*-_\u200b😂🔪")), max_size=60))
def test_obfuscation_alphabet_never_raises(text: str) -> None:
    words = N.words(text)
    assert all(isinstance(w, str) and w for w in words)


@pytest.mark.parametrize("text,words", [
    ("cara gantung d!ri yg bener", ["cara", "gantung", "diri", "yang", "benar"]),  # "!" as the letter i
    ("a k u  c a p e k.  p e n g e n  m a t i.", ["saya", "capek", "ingin", "mati"]),  # a wider gap parts words
    ("a k u c a p e k", ["saya", "capek"]),  # one run, split into known words
    ("halo! apa kabar", ["halo", "apa", "kabar"]),  # "!" between words stays punctuation
])
def test_spaced_and_exclaimed_evasions(text: str, words: list[str]) -> None:
    from ruangaman.normalize import default_normalizer

    assert default_normalizer().words(text) == words
