"""The assessment follows docs/labels.md: the guide's own examples, hard negatives, evasions."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ruangaman import InputError, assess

LEVELS = ["none", "mention", "distress", "ideation", "plan", "imminent"]


# (text, surface, level, labels) -- examples taken from docs/labels.md
GUIDE = [
    ("macet parah di tol", "post", "none", []),
    ("skripsi bikin pengen ngilang ke Bali wkwk", "post", "none", []),
    ("tugas numpuk, mau mati aja wkwk", "post", "none", []),
    ("this meme killed me", "comment", "none", []),
    ("Angka bunuh diri remaja naik", "post", "mention", []),
    ("makan 300 kalori sehari biar kurus", "post", "mention", ["eating_disorder"]),
    ("aku capek banget sama hidupku, ngerasa sendirian terus", "post", "distress", []),
    ("pengen tidur dan nggak bangun lagi", "post", "ideation", []),
    ("kadang kepikiran buat nyakitin diri sendiri", "post", "ideation", []),
    ("udah nyimpen obat tidur sebulan", "post", "plan", []),
    ("besok aku mau ke jembatan itu", "post", "plan", []),
    ("udah minum 30 pil barusan", "message", "imminent", []),
    ("ini pesan terakhirku, selamat tinggal semuanya", "post", "imminent", []),
    ("cara bunuh diri yang nggak sakit", "search", "ideation", ["method"]),
    ("mati aja lo", "comment", "mention", ["harassment"]),
    ("kys", "comment", "mention", ["harassment"]),
    ("dasar gila, sana ke RSJ", "comment", "mention", ["harassment"]),
    ("depresi itu cuma buat orang yang lemah iman", "comment", "mention", ["stigma"]),
    ("orang ke psikolog pasti gila", "comment", "mention", ["stigma"]),
    ("antidepresan bikin gila, jangan diminum", "comment", "mention", ["misinformation"]),
    ("ngomongin bunuh diri bikin orang jadi pengen bunuh diri", "comment", "mention", ["misinformation"]),
    ("gimana cara dapet psikolog gratis?", "post", "mention", ["help_seeking"]),
    ("temanku bilang mau mengakhiri hidup, aku harus apa?", "message", "mention", ["help_seeking"]),
    ("kamu nggak sendirian, boleh cerita ke aku", "comment", "mention", ["supportive"]),
    ("hubungi 119 ext 8 kalau butuh bantuan", "comment", "mention", ["supportive"]),
    ("cara bunuh diri", "search", "ideation", ["method"]),
    ("bunuh diri", "search", "mention", []),
    ("psikolog gratis jakarta", "search", "mention", ["help_seeking"]),
    ("lagu galau", "search", "none", []),
    ("aku juga pernah di titik itu, sekarang udah lebih baik setelah ke psikolog", "comment", "mention",
     ["supportive"]),
]


@pytest.mark.parametrize("text, surface, level, labels", GUIDE)
def test_guide_examples(text: str, surface: str, level: str, labels: list[str]) -> None:
    a = assess(text, surface)
    assert (a.self_harm, a.labels) == (level, labels)


@pytest.mark.parametrize("text", [
    "bunuh nyamuk pake raket listrik",
    "mati lampu lagi di rumah, panas bgt",
    "mati gaya banget hari minggu",
    "ke-kill terus main ML, timnya beban",
    "HP gw mati, lupa ngecas",
    "i'm dead 💀 this video is too funny",
])
def test_hard_negatives_stay_calm(text: str) -> None:
    assert assess(text, "post").self_harm == "none"


@pytest.mark.parametrize("text", [
    "pengen b*nuh d1ri aja rasanya",
    "gw pengen b u n u h  d i r i",
    "udah capek, mau unalive aja",
    "4ku p3ng3n m4ti",
    "kayaknya aku mau bundir malam ini",
    "i want to k.m.s",
])
def test_evasions_are_seen_through(text: str) -> None:
    assert LEVELS.index(assess(text, "post").self_harm) >= LEVELS.index("ideation")


@pytest.mark.parametrize("text, language", [
    ("aku capek banget sama semuanya", "id"),
    ("i am so tired of everything", "en"),
    ("aku wis kesel banget, ora kuat maneh", "jv"),
    ("abdi tos cape pisan, teu kuat deui", "su"),
    ("honestly gue capek banget, i just want to sleep forever", "mixed"),
])
def test_language(text: str, language: str) -> None:
    assert assess(text).language == language


@pytest.mark.parametrize("text", [
    "udah aku minum semua obatnya barusan. maaf ya semuanya 💊",
    "b u n u h  d i r i gmn caranya",
    "kenapa aku harus hidup 😭😭",
    "su\u200bicide is on my mind again",
])
def test_evidence_spans_slice_the_original_text(text: str) -> None:
    a = assess(text, "post")
    assert a.evidence, "a risky text must carry evidence"
    for ev in a.evidence:
        assert 0 <= ev.start < ev.end <= len(text)
        assert text[ev.start:ev.end].strip() == text[ev.start:ev.end]
        assert ev.reason.split(":")[0] in LEVELS + ["method", "harassment", "eating_disorder", "stigma",
                                                    "misinformation", "help_seeking", "supportive"]


@pytest.mark.parametrize("text, step, topic", [
    ("aku pengen b*nuh d1ri aja", "pengen", "b*nuh d1ri"),
    ("pengen b u n u h d i r i", "pengen", "b u n u h d i r i"),
])
def test_level_evidence_shows_the_whole_way_up(text: str, step: str, topic: str) -> None:
    """A level's evidence sums every step of the ordinal ladder: the wish ("pengen") that makes it
    ideation and the topic ("bunuh diri") that makes it about suicide at all. It also needs each
    place counted once: "pengen" is both the raw word and "ingin", and two of three slots spent on
    one place would crowd the topic out."""
    a = assess(text, "post")
    seen = [text[e.start:e.end] for e in a.evidence if e.reason.startswith(a.self_harm + ":")]
    assert a.self_harm == "ideation"
    assert any(step in s for s in seen) and any(topic in s for s in seen), seen


def test_calm_text_has_no_evidence() -> None:
    a = assess("makan siang pake rendang enak bgt", "post")
    assert (a.self_harm, a.labels, a.evidence) == ("none", [], [])


def test_probabilities_are_calibrated_distributions() -> None:
    a = assess("pengen tidur dan nggak bangun lagi")
    for head in ("self_harm", "language"):
        assert sum(a.probabilities[head].values()) == pytest.approx(1.0, abs=1e-3)
    assert all(0.0 <= p <= 1.0 for p in a.probabilities["labels"].values())


# Evidence across a chunk with no words ("nasi = musuh") and across spaced letters.
SPANNING = [("aku gamau makan nasi lagi seumur hidup, nasi = musuh. cukup kuah sayur", "caption"),
            ("pengen b u n u h diri aja - serius", "post")]


def test_batch_equals_one_by_one(engine) -> None:
    items = [{"id": str(i), "text": t, "surface": s} for i, (t, s, *_ ) in
             enumerate([*(p.values if hasattr(p, "values") else p for p in GUIDE), *SPANNING])]
    batch = engine.assess_batch(items)
    single = [engine.assess(it["text"], it["surface"], it["id"]) for it in items]
    assert [b.to_dict() for b in batch] == [s.to_dict() for s in single]


@pytest.mark.parametrize("text, code", [("", "empty_text"), ("   \n", "empty_text"), ("x" * 20_001, "text_too_long"),
                                        (None, "invalid_text"), (42, "invalid_text")])
def test_bad_text_is_refused_clearly(text, code: str) -> None:
    with pytest.raises(InputError) as err:
        assess(text)
    assert err.value.code == code


def test_unknown_surface_is_refused() -> None:
    with pytest.raises(InputError) as err:
        assess("halo", "tweet")
    assert err.value.code == "invalid_surface" and "Got 'tweet' instead" in str(err.value)


def test_model_failure_degrades_to_the_safe_side(engine, monkeypatch) -> None:
    def broken(*_a, **_k):
        raise RuntimeError("simulated model failure")

    monkeypatch.setattr(engine.model, "logits_and_scale", broken)
    monkeypatch.setattr(engine.model, "logits_and_scales", broken)
    crisis = engine.assess("aku udah nulis surat terakhir, malam ini aku pamit")
    assert crisis.degraded and LEVELS.index(crisis.self_harm) >= LEVELS.index("plan")
    batch = engine.assess_batch(["pengen mati aja", "cara bunuh diri paling cepat"])
    assert all(a.degraded for a in batch)
    assert [LEVELS.index(a.self_harm) >= LEVELS.index("ideation") for a in batch] == [True, True]
    assert "method" in batch[1].labels


def test_batch_equals_one_by_one_on_the_corpus(engine) -> None:
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "data" / "corpus"
    items = []
    for path in sorted(root.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines()[::12]:
            r = json.loads(line)
            items.append({"id": r["id"], "text": r["text"], "surface": r["surface"]})
    batch = engine.assess_batch(items)
    for item, b in zip(items, batch):
        assert engine.assess(item["text"], item["surface"], item["id"]).to_dict() == b.to_dict(), item


def test_tune_collector_freezes_what_is_loaded_and_collects_less_often():
    # A process-wide change, so it runs in a process of its own.
    code = ("import gc; from ruangaman.assess import AssessmentEngine, tune_collector; AssessmentEngine(); "
            "before = gc.get_freeze_count(); tune_collector(); print(before, gc.get_freeze_count(), gc.get_threshold()[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    before, after, gen0 = map(int, out)
    assert before == 0 and after > 10_000 and gen0 >= 10_000
