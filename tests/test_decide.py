"""Interventions: every action path, minors stricter, hopeful content left alone, degraded mode."""

from __future__ import annotations

import json

import pytest

from conftest import run_cli
from ruangaman.act import HelplineError, HelplineRegistry, default_registry
from ruangaman.policy import Decider, PolicyError, load_policy
from ruangaman.policy.policy import parse_policy


@pytest.fixture(scope="module")
def decider(engine):
    return Decider(engine=engine)


def actions(decision: dict) -> dict[str, dict]:
    return {a["action"]: a for a in decision["actions"]}


@pytest.mark.parametrize("text, ctx, expected, absent", [
    # crisis levels: cards and a person, fastest for imminent
    ("udah minum 30 pil barusan", {"surface": "message"}, {"helpline_card", "queue_review"}, {"remove_or_hold"}),
    ("pengen tidur dan nggak bangun lagi", {"surface": "post"}, {"helpline_card", "queue_review", "limit_reach"},
     {"remove_or_hold"}),
    # searches: method-seeking gets no results, only help; others get help first
    ("cara bunuh diri yang nggak sakit", {"surface": "search"}, {"search_intervention", "helpline_card"},
     {"queue_review"}),
    ("psikolog gratis jakarta", {"surface": "search"}, {"search_intervention", "helpline_card"}, set()),
    # harmful content
    ("mati aja lo", {"surface": "comment"}, {"comment_nudge", "remove_or_hold", "queue_review"}, set()),
    ("makan 300 kalori sehari biar kurus", {"surface": "caption"}, {"remove_or_hold", "queue_review"},
     {"opt_in_screen"}),
    ("depresi itu cuma buat orang yang lemah iman", {"surface": "comment"}, {"comment_nudge", "counter_info"},
     {"remove_or_hold"}),
    ("antidepresan bikin gila, jangan diminum", {"surface": "comment"}, {"counter_info"}, {"remove_or_hold"}),
    # distressing but allowed
    ("Angka bunuh diri remaja naik", {"surface": "post"}, {"opt_in_screen"}, {"remove_or_hold", "queue_review"}),
    # hopeful content is left alone; help-seeking gets help
    ("kamu nggak sendirian, boleh cerita ke aku", {"surface": "comment"}, set(),
     {"remove_or_hold", "limit_reach", "opt_in_screen", "comment_nudge"}),
    ("gimana cara dapet psikolog gratis?", {"surface": "post"}, {"helpline_card"}, {"remove_or_hold", "limit_reach"}),
    ("macet parah di tol", {"surface": "post"}, set(), {"helpline_card", "queue_review"}),
])
def test_action_paths(decider, text, ctx, expected, absent) -> None:
    got = set(actions(decider.decide(text, ctx)))
    assert expected <= got, got
    assert not absent & got, got


def test_method_search_shows_no_results(decider) -> None:
    d = decider.decide("cara bunuh diri paling cepat", {"surface": "search"})
    si = actions(d)["search_intervention"]["params"]
    assert si["mode"] == "replace" and si["show_results"] is False
    assert si["title"] == "Kamu tidak sendirian"


def test_crisis_lines_come_first_and_emergency_for_imminent(decider) -> None:
    card = actions(decider.decide("pengen mati aja", {"surface": "post"}))["helpline_card"]["params"]["card"]
    assert card["services"][0]["id"] in {"sejiwa-119-8", "healing119"}
    card = actions(decider.decide("udah minum 30 pil barusan", {"surface": "message"}))["helpline_card"]["params"]
    assert card["tier"] == "emergency" and card["card"]["services"][0]["id"] == "emergency-112"
    assert "110" in card["card"]["services"][0]["note"]


def test_review_tiers_and_slas(decider) -> None:
    imminent = actions(decider.decide("udah minum 30 pil barusan", {"surface": "message"}))["queue_review"]["params"]
    ideation = actions(decider.decide("pengen mati aja", {"surface": "post"}))["queue_review"]["params"]
    assert (imminent["tier"], imminent["sla_minutes"]) == ("P0", 15)
    assert (ideation["tier"], ideation["sla_minutes"]) == ("P2", 240)


def test_minors_are_protected_harder(decider) -> None:
    adult = decider.decide("pengen mati aja", {"surface": "post", "author_age_band": "adult"})
    minor = decider.decide("pengen mati aja", {"surface": "post", "author_age_band": "minor"})
    assert actions(minor)["queue_review"]["params"]["tier"] < actions(adult)["queue_review"]["params"]["tier"]
    minor_ids = [s["id"] for s in actions(minor)["helpline_card"]["params"]["card"]["services"]]
    adult_ids = [s["id"] for s in actions(adult)["helpline_card"]["params"]["card"]["services"]]
    assert "sapa-129" in minor_ids and "sapa-129" not in adult_ids
    news = "Angka bunuh diri remaja naik"
    assert "limit_reach" in actions(decider.decide(news, {"viewer_age_band": "minor"}))
    assert "limit_reach" not in actions(decider.decide(news, {"viewer_age_band": "adult"}))
    distress = "aku capek banget sama hidupku, ngerasa sendirian terus"
    assert "queue_review" in actions(decider.decide(distress, {"author_age_band": "minor"}))
    assert "queue_review" not in actions(decider.decide(distress, {"author_age_band": "adult"}))


def test_regional_service_comes_first_where_it_serves(decider) -> None:
    jakarta = actions(decider.decide("pengen mati aja", {"region": "31.71"}))["helpline_card"]["params"]["card"]
    bandung = actions(decider.decide("pengen mati aja", {"region": "32.73"}))["helpline_card"]["params"]["card"]
    assert jakarta["services"][0]["id"] == "jakcare"
    assert "jakcare" not in [s["id"] for s in bandung["services"]]


def test_cards_render_in_indonesian_and_english(decider) -> None:
    en = actions(decider.decide("i want to die", {"surface": "post"}))["helpline_card"]["params"]["card"]
    idn = actions(decider.decide("i want to die", {"surface": "post", "locale": "id"}))["helpline_card"]["params"]["card"]
    assert en["lang"] == "en" and en["title"] == "You are not alone"
    assert idn["lang"] == "id" and idn["title"] == "Kamu tidak sendirian"


def test_every_action_carries_rule_and_evidence(decider) -> None:
    d = decider.decide("cara b*nuh d1ri paling cepet", {"surface": "search"})
    for a in d["actions"]:
        assert a["rule"] and a["evidence"]


def test_degraded_when_the_model_is_missing() -> None:
    d = Decider(engine=None, load_engine=False)
    out = d.decide("aku udah nulis surat terakhir, malam ini aku pamit", {"surface": "post"})
    assert out["degraded"] is True
    assert {"helpline_card", "queue_review"} <= set(actions(out))
    calm = d.decide("makan siang enak banget", {"surface": "post"})
    assert calm["degraded"] is True and calm["actions"] == []


def test_degraded_when_the_model_times_out(engine, monkeypatch) -> None:
    import time

    slow = Decider(engine=engine, timeout_s=0.05)
    monkeypatch.setattr(engine, "assess", lambda *a, **k: time.sleep(0.5))
    out = slow.decide("pengen mati aja, udah ga kuat", {"surface": "post"})
    assert out["degraded"] is True and "helpline_card" in actions(out)


@pytest.mark.parametrize("policy, message", [
    ({"name": "p", "version": 1, "rules": [{"id": "r", "actions": ["ban_user"]}]}, "rules[0] (r).actions[0]: unknown action 'ban_user'"),
    ({"name": "p", "version": 1, "rules": [{"id": "r", "when": {"self_harm": {"at_least": "severe"}},
                                            "actions": ["counter_info"]}]}, "rules[0] (r).when.self_harm.at_least: must be one of"),
    ({"name": "p", "version": 1, "rules": [{"id": "r", "when": {"self_harm": {"at_least": "plan", "at_most": "distress"}},
                                            "actions": ["counter_info"]}]}, "unreachable rule"),
    ({"name": "p", "version": 1, "rules": [{"id": "all", "final": True, "actions": ["counter_info"]},
                                           {"id": "late", "actions": ["counter_info"]}]}, "rules[1] (late): unreachable rule"),
    ({"name": "p", "version": 1, "rules": [{"id": "r", "actions": [{"queue_review": {"tier": "P9"}}]}]},
     "rules[0] (r).actions[0].queue_review.tier: must be one of ['P0', 'P1', 'P2', 'P3']. Got 'P9' instead."),
    ({"name": "p", "version": 1, "rules": [{"id": "r", "when": {"labels": {"any": ["spam"]}}, "actions": ["counter_info"]}]},
     "rules[0] (r).when.labels.any: must be a list from"),
    ({"name": "p", "version": 1, "rules": [{"id": "r", "when": {"viewer_age_band": ["kid"]}, "actions": ["counter_info"]}]},
     "when.viewer_age_band: must be a non-empty list from"),
])
def test_bad_policies_are_refused_with_their_path(policy, message) -> None:
    with pytest.raises(PolicyError) as err:
        parse_policy(policy)
    assert any(message in e for e in err.value.errors), err.value.errors


def test_policy_check_command(tmp_path) -> None:
    good = run_cli("policy", "check", "ruangaman/resources/policy/default.yaml")
    assert good.returncode == 0 and b"ok: ruangaman-default@1" in good.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nversion: 1\nrules:\n  - id: a\n    actions: [teleport]\n")
    out = run_cli("policy", "check", str(bad))
    assert out.returncode == 1 and b"rules[0] (a).actions[0]: unknown action 'teleport'" in out.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("rules: [\n")
    assert run_cli("policy", "check", str(broken)).returncode == 1


def test_a_bad_policy_is_an_error_not_a_fallback(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nversion: 1\nrules: []\n")
    out = run_cli("decide", "halo", "--policy", str(bad))
    assert out.returncode == 2 and b"rules: must be a non-empty list" in out.stderr
    with pytest.raises(PolicyError):
        load_policy(bad)


def test_decide_command_streams_jsonl() -> None:
    lines = [{"id": "a", "text": "cara bunuh diri", "surface": "search"},
             {"id": "b", "text": "pengen mati", "author_age_band": "teen"},
             {"id": "c", "text": "kamu hebat, semangat ya", "surface": "comment", "viewer_age_band": "minor"}]
    out = run_cli("decide", input="\n".join(json.dumps(x) for x in lines).encode())
    assert out.returncode == 1
    rows = [json.loads(x) for x in out.stdout.decode().splitlines()]
    assert rows[0]["id"] == "a" and "search_intervention" in {a["action"] for a in rows[0]["actions"]}
    assert rows[1] == {"id": "b", "line": 2, "error": {"code": "invalid_age_band", "message": rows[1]["error"]["message"]}}
    assert rows[2]["id"] == "c" and rows[2]["actions"] == []


def test_decide_shows_what_the_searcher_sees() -> None:
    out = run_cli("decide", "cara bunuh diri paling cepat", "--surface", "search")
    text = out.stdout.decode()
    assert out.returncode == 0 and "search results: none" in text and "119 ext 8" in text


def test_registry_has_the_required_services() -> None:
    ids = {s.id for s in default_registry().services}
    assert {"sejiwa-119-8", "healing119", "emergency-119", "emergency-112", "police-110", "sapa-129", "jakcare"} <= ids
    for s in default_registry().services:
        assert s.verified_from.startswith("https://") and s.verified_on


@pytest.mark.parametrize("number", ["500-454", "021-500-454", "(021) 500 454"])
def test_known_dead_numbers_are_rejected(number: str) -> None:
    doc = {"services": [{"id": "old", "name": {"id": "x", "en": "x"}, "kind": "crisis", "contacts": {"phone": number},
                         "hours": "24/7", "languages": ["id"], "audience": ["everyone"], "coverage": "national",
                         "priority": 1, "verified_from": "https://example.org", "verified_on": "2026-11-26"}],
           "retired": [{"number": "500-454", "reason": "closed in 2014"}]}
    with pytest.raises(HelplineError, match="retired number"):
        HelplineRegistry.from_dict(doc)


def test_registry_entry_without_source_is_refused() -> None:
    doc = {"services": [{"id": "x", "name": {"id": "x", "en": "x"}, "kind": "crisis", "contacts": {"phone": "119"},
                         "hours": "24/7", "languages": ["id"], "audience": ["everyone"], "coverage": "national",
                         "priority": 1, "verified_on": "2026-11-26"}]}
    with pytest.raises(HelplineError, match="Missing \\['verified_from'\\]"):
        HelplineRegistry.from_dict(doc)


@pytest.mark.parametrize("text, card", [
    ("depresi itu cuma karena kurang iman", "myth-weak-faith"),
    ("antidepresan bikin ketagihan, jangan diminum", "fact-medication"),
    ("ngomongin bunuh diri bikin orang jadi pengen bunuh diri", "myth-talking-about-suicide"),
])
def test_myths_map_to_their_fact_card(decider, text, card) -> None:
    got = actions(decider.decide(text, {"surface": "comment"}))
    assert card in got["counter_info"]["params"]["cards"]


def test_risky_search_shows_matching_info_cards(decider) -> None:
    si = actions(decider.decide("gejala depresi", {"surface": "search"}))["search_intervention"]["params"]
    assert si["info_cards"][0] == "where-to-get-help"
    assert any("depression" in c for c in si["info_cards"][1:])
