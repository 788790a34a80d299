"""Redaction and keyed hashes: what is stored about a person."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from ruangaman.privacy import Hasher, redact


@pytest.mark.parametrize("text,expected", [
    ("wa aku 0812-3456-7890 ya", "wa aku [PHONE] ya"),
    ("telp +62 812 3456 7890 sekarang", "telp [PHONE] sekarang"),
    ("kantor (021) 555-1234", "kantor ([PHONE]"),
    ("email rani.k@mail.co.id aja", "email [EMAIL] aja"),
    ("NIK 3273012345670001 punyaku", "NIK [NIK] punyaku"),
    ("rumah di Jl. Merdeka No. 12 RT 03/RW 05 bandung", "rumah di [ADDRESS] bandung"),
    ("tinggal di jalan mawar no 5", "tinggal di [ADDRESS]"),
    ("dm @budi_01 ya", "dm [HANDLE] ya"),
    ("cek https://bit.ly/abc dan www.contoh.com", "cek [URL] dan [URL]"),
    ("kunjungi healing119.id", "kunjungi [URL]"),
])
def test_identifiers_become_typed_placeholders(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize("text", [
    "hubungi 119 ext 8 atau 112 kalau darurat",  # service numbers are not identifiers
    "jalan jalan ke mall sama temen",
    "aku@rumah aja hari ini",
    "skor 3-1 buat timnas, gol menit 90",
    "umurku 17 tahun, kelas 12",
])
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text).text == text


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab 0123456789@.+-/:jlJLwhtps_()RTNo")), max_size=80),
       st.data())
def test_spans_map_onto_the_redacted_text(text: str, data) -> None:
    r = redact(text)
    last = 0
    for e in r.entities:  # entities are ordered, disjoint and inside the text
        assert last <= e.start < e.end <= len(text)
        last = e.end
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    s, e = r.map_span(start, end)
    assert 0 <= s <= e <= len(r.text)
    if not any(ent.start < end and start < ent.end for ent in r.entities):
        assert r.text[s:e] == text[start:end]  # untouched text keeps its characters


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_redaction_never_raises_and_leaves_no_digits_run_of_an_id(text: str) -> None:
    out = redact(text).text
    assert isinstance(out, str)


def test_keyed_hashes_depend_on_the_secret_and_the_purpose() -> None:
    a, b = Hasher(b"k" * 32), Hasher(b"j" * 32)
    assert a.text("halo") == a.text("halo") != b.text("halo")
    assert a.subject("acme", "u1") != a.subject("other", "u1")
    assert a.text("acme\x00u1") != a.subject("acme", "u1")
    with pytest.raises(ValueError, match="at least 16 bytes"):
        Hasher(b"short")
