"""The safe-messaging check: flags with spans and suggestions, clean drafts pass, the eval."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import run_cli
from ruangaman.assess import InputError
from ruangaman.creators import FLAGS, DraftChecker
from ruangaman.creators.train import train_drafts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def checker():
    return DraftChecker()


@pytest.mark.parametrize("text, flag", [
    ("TRAGIS!!! Mahasiswi nekat akhiri hidup di kosannya, netizen heboh", "sensational"),
    ("Dia minum puluhan butir obat tidur lalu ditemukan di kamarnya. Semoga tenang di sana.", "method_or_location"),
    ("Dia memilih mengakhiri hidupnya. Akhirnya dia bebas dan tenang, tidak sakit lagi. Dia pergi dengan berani.",
     "glorifying"),
    ("Dia bunuh diri gara-gara diputusin pacarnya, cuma karena itu doang.", "single_cause"),
    ("He committed suicide last week, such a coward move honestly.", "stigmatizing_language"),
    ("Hari ini aku mau cerita soal temanku yang meninggal karena bunuh diri tahun lalu. Aku masih kangen dia.",
     "missing_help_info"),
])
def test_each_flag(checker, text: str, flag: str) -> None:
    report = checker.check(text)
    assert flag in [f.flag for f in report.flags], report.to_dict()
    assert report.score < 1.0


@pytest.mark.parametrize("text", [
    "Resep ayam geprek sambal bawang yang gampang banget, cuma 15 menit!",
    "Vlog liburan ke Bali bareng keluarga, seru parah 🌴",
    "Kalau kamu lagi merasa berat dan kepikiran bunuh diri, kamu tidak sendirian. Ceritakan ke orang yang kamu "
    "percaya atau hubungi SEJIWA 119 ext 8. Bantuan itu ada dan pemulihan itu mungkin.",
])
def test_clean_drafts_pass(checker, text: str) -> None:
    report = checker.check(text)
    assert report.flags == [] and report.score == 1.0, report.to_dict()


def test_spans_slice_the_draft_and_suggestions_speak_its_language(checker) -> None:
    idn = "TRAGIS!!! Mahasiswi nekat akhiri hidup gara-gara nilai jelek"
    en = "SHOCKING!!! Student took his own life because of bad grades"
    for text, lang in ((idn, "id"), (en, "en")):
        report = checker.check(text)
        assert report.language == lang
        for f in report.flags:
            if f.start is not None:
                assert 0 <= f.start < f.end <= len(text)
            assert f.guideline and f.suggestion
        assert {f.flag for f in report.flags} >= {"sensational"}


def test_surface_must_be_caption_or_transcript(checker) -> None:
    with pytest.raises(InputError, match="surface must be one of"):
        checker.check("halo", "search")


def test_eval_drafts_command() -> None:
    out = run_cli("eval-drafts", "data/validation/safe-messaging-dev.jsonl")
    assert out.returncode == 0, out.stderr
    text = out.stdout.decode()
    for flag in FLAGS:
        assert flag in text
    assert "flag_macro_f1" in text and "clean_pass_rate" in text


def test_check_draft_command_streams() -> None:
    lines = [{"id": "a", "text": "TRAGIS!!! dia nekat", "surface": "caption"},
             {"id": "b", "text": "halo", "surface": "search"}]
    out = run_cli("check-draft", input="\n".join(json.dumps(x) for x in lines).encode())
    rows = [json.loads(x) for x in out.stdout.decode().splitlines()]
    assert out.returncode == 1 and rows[0]["id"] == "a" and rows[1]["error"]["code"] == "invalid_surface"


def test_drafts_model_rebuilds_bit_for_bit(tmp_path) -> None:
    train_drafts(ROOT / "data" / "drafts", tmp_path / "m", log=lambda m: None)
    shipped = ROOT / "ruangaman" / "resources" / "drafts_model"
    for name in ("model.json", "model.npz"):
        assert hashlib.sha256((tmp_path / "m" / name).read_bytes()).digest() == \
            hashlib.sha256((shipped / name).read_bytes()).digest()
