"""Information cards: sourced, dated, bilingual; found by informal Indonesian and English queries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from conftest import run_cli
from ruangaman.act.actions import _MYTH_CARDS
from ruangaman.info import CardError, default_cards, default_index, evaluate, load_cards, search_info
from ruangaman.info.cards import TOPICS

ROOT = Path(__file__).resolve().parents[1]
CARDS = ROOT / "ruangaman" / "resources" / "cards"


def test_at_least_80_cards_every_topic_and_both_languages() -> None:
    cards = default_cards()
    assert len(cards) >= 80
    assert {c.topic for c in cards} == set(TOPICS)
    for c in cards:
        assert set(c.text) == {"id", "en"} and all(c.text[lang]["title"] and c.text[lang]["body"] for lang in c.text)
        assert c.sources and c.reviewed_on and c.reviewer
        if c.topic == "myth":
            assert all(c.text[lang]["myth"] and c.text[lang]["fact"] for lang in c.text)


def _card_doc() -> dict:
    return yaml.safe_load((CARDS / "depression.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("field, value, message", [
    ("sources", [], "sources is required"),
    ("reviewed_on", None, "reviewed_on is required"),
    ("reviewed_on", "kemarin", "must be a date YYYY-MM-DD"),
    ("en_text", None, "en_text is required"),
    ("topic", "gossip", "topic: must be one of"),
])
def test_schema_check_refuses_bad_cards(tmp_path, field, value, message) -> None:
    doc = _card_doc()
    doc[field] = value
    (tmp_path / "depression.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CardError, match=message):
        load_cards(tmp_path)


def test_source_needs_a_url(tmp_path) -> None:
    doc = _card_doc()
    doc["sources"] = [{"title": "x", "publisher": "y"}]
    (tmp_path / "depression.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CardError, match="must have title, publisher and url"):
        load_cards(tmp_path)


def test_cards_the_actions_point_to_exist() -> None:
    ids = {c.id for c in default_cards()}
    referenced = {card for _, card in _MYTH_CARDS} | {"fact-mental-health-is-health", "where-to-get-help",
                                                       "safety-planning"}
    assert referenced <= ids, referenced - ids


@pytest.mark.parametrize("query, expected", [
    ("gejala depresi", {"depression", "depression-signs-in-teens"}),
    ("knp aku panik mulu tiba2 sesak", {"panic-attacks"}),
    ("cara bantu temen yg mau bundir", {"help-a-friend-who-talks-about-suicide"}),
    ("depresi itu kurang iman ya", {"myth-weak-faith"}),
    ("ke psikolog berarti gila?", {"myth-therapy-is-for-crazy-people"}),
    ("bpjs nanggung psikolog ga", {"bpjs-mental-health-coverage"}),
    ("how to help a friend who self harms", {"helping-a-friend-who-self-harms"}),
    ("antidepresan bikin ketagihan?", {"fact-medication"}),
])
def test_slang_and_english_queries_rank_the_right_card(query, expected) -> None:
    top3 = [c["id"] for c in search_info(query, "id", 3)]
    assert expected & set(top3), top3


def test_cards_render_in_the_asked_language() -> None:
    en = search_info("gejala depresi", "en", 1)[0]
    idn = search_info("gejala depresi", "id", 1)[0]
    assert en["id"] == idn["id"] and en["lang"] == "en" and en["title"] != idn["title"]
    with pytest.raises(ValueError, match="lang must be 'id' or 'en'"):
        search_info("x", "fr")


def test_retrieval_eval_meets_the_target() -> None:
    queries = [json.loads(line) for line in (ROOT / "data" / "info-eval" / "queries.jsonl").read_text().splitlines()]
    assert len(queries) >= 150
    report = evaluate(default_index(), queries)
    assert report["recall@3"] >= 0.90, report["misses"][:10]


def test_info_command() -> None:
    out = run_cli("info", "ciri2 anxiety")
    assert out.returncode == 0 and b"source:" in out.stdout and b"reviewed" in out.stdout
    ev = run_cli("info", "--eval", "data/info-eval/queries.jsonl")
    assert ev.returncode == 0 and b"recall@3" in ev.stdout and b"mrr" in ev.stdout
