"""Mindful Makers: quiz bank and scoring, completion rules, certificates, roles, progress, CLI.

Everything that touches the store runs on SQLite and then on a real PostgreSQL
(``database_url`` / ``make_server``); nothing is mocked.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import httpx
import pytest
import yaml

from conftest import run_cli
from test_service import assert_error_shape

ROOT = Path(__file__).resolve().parents[1]

# Drafts the bundled check treats the same way every time (model output, not rules of thumb).
BAD = "TRAGIS!!! Mahasiswi nekat gantung diri di kamar kos gara-gara diputusin pacar. Akhirnya dia bebas dan tenang."
MIDDLING = "Seorang mahasiswi meninggal karena bunuh diri minggu lalu. Penyebabnya kompleks."
GOOD = [
    "Kabar duka: seorang mahasiswi meninggal karena bunuh diri. Kalau kamu sedang merasa berat, cerita ke orang "
    "yang kamu percaya atau hubungi SEJIWA 119 ext 8 / healing119.id.",
    "Pemulihan itu mungkin. Kalau kamu punya pikiran untuk bunuh diri, kamu tidak sendirian: ngobrol sama orang "
    "yang kamu percaya atau hubungi SEJIWA 119 ext 8.",
    "Depresi bisa diobati. Kalau kamu merasa sedih terus-menerus, ngobrol sama psikolog atau datang ke Puskesmas "
    "terdekat.",
]
OFF_TOPIC = ["Tutorial makeup natural untuk ke kampus.", "Resep nasi goreng kampung yang gampang banget.",
             "Review sepatu lari lokal di bawah 500 ribu."]


# -- the question bank and scoring (no database) ------------------------------------------------

def _bank():
    from ruangaman.workshop import default_bank

    return default_bank()


def test_the_bundled_bank_is_complete() -> None:
    from ruangaman.workshop.quiz import SOURCES

    bank = _bank()
    assert len(bank.questions) >= 30
    assert {q.source for q in bank.questions} == set(SOURCES)
    for m in bank.modules:
        assert len(bank.module_questions(m)) >= 5, m
    for q in bank.questions:
        assert 3 <= len(q.options) <= 4 and q.answer in "abcd"[:len(q.options)]
        for lang in ("id", "en"):
            assert q.text[lang] and q.explanation[lang] and all(o[lang] for o in q.options), q.id
    # the answer key never leaks into what a creator is shown
    shown = json.dumps(bank.quiz("detail", "en"))
    assert '"answer"' not in shown and "explanation" not in shown


MINI = {
    "modules": {"m": {"id": "Modul", "en": "Module"}},
    "questions": [
        {"id": f"q{i}", "module": "m", "source": "#chatsafe", "answer": a,
         "text": {"id": f"Soal {i}", "en": f"Question {i}"},
         "options": [{"id": f"pilihan {j}", "en": f"option {j}"} for j in range(3)],
         "explanation": {"id": "karena", "en": "because"}}
        for i, a in enumerate("abca")],
}


@pytest.mark.parametrize("answers,score,passed", [
    ({"q0": "a", "q1": "b", "q2": "c", "q3": "a"}, 1.0, True),
    ({"q0": "A", "q1": " b ", "q2": "c", "q3": "b"}, 0.75, False),   # case and spaces do not matter
    ({"q0": "a", "q1": "b", "q2": "c"}, 0.75, False),               # unanswered counts as wrong
    ({"q0": "a", "q1": "a"}, 0.25, False),
    ({"q0": "b", "q1": "c", "q2": "a", "q3": "c"}, 0.0, False),
])
def test_quiz_scoring(answers, score, passed) -> None:
    from ruangaman.workshop.quiz import check_bank

    result = check_bank(MINI).score("m", answers, pass_score=0.8, lang="en")
    assert (result.score, result.passed, result.total) == (score, passed, 4)
    assert [r["correct"] for r in result.results].count(True) == result.correct
    assert all(r["explanation"] == "because" for r in result.results)


def test_the_pass_mark_is_inclusive_and_the_bundled_key_scores_full() -> None:
    from ruangaman.workshop.quiz import check_bank

    assert check_bank(MINI).score("m", {"q0": "a", "q1": "b", "q2": "c"}, pass_score=0.75).passed
    bank = _bank()
    for m in bank.modules:
        assert bank.score(m, {q.id: q.answer for q in bank.module_questions(m)}, 0.8).score == 1.0


@pytest.mark.parametrize("answers,message", [
    ({"q9": "a"}, "unknown ids ['q9']"),
    ({"q0": "d"}, "must be one of ['a', 'b', 'c']. Got 'd'"),
    ({"q0": 1}, "must be one of ['a', 'b', 'c']. Got 1"),
    ({}, "non-empty mapping"),
    (["a"], "non-empty mapping"),
])
def test_a_malformed_answer_sheet_is_refused(answers, message) -> None:
    from ruangaman.workshop.quiz import check_bank

    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_bank(MINI).score("m", answers, pass_score=0.8)


def _broken(path: str, value) -> dict:
    """MINI with one value replaced (``value=None`` deletes it); path like 'questions.1.text.en'."""
    data = copy.deepcopy(MINI)
    *parents, last = path.split(".")
    node = data
    for p in parents:
        node = node[int(p)] if isinstance(node, list) else node[p]
    key = int(last) if isinstance(node, list) else last
    if value is None:
        del node[key]
    else:
        node[key] = value
    return data


@pytest.mark.parametrize("path,value,message", [
    ("questions.1.text.en", None, r"questions\[1\] \(q1\).text.en must be a non-empty string"),
    ("questions.0.options.2.id", "  ", r"questions\[0\] \(q0\).options\[2\].id must be a non-empty string"),
    ("questions.2.answer", None, r"questions\[2\] \(q2\) must have .* Got \['answer'\] missing"),
    ("questions.3.source", None, r"Got \['source'\] missing"),
    ("questions.3.source", "Wikipedia", r"source must be one of \['WHO/IASP 2023', '#chatsafe', 'Dewan Pers 2/2019'\]"),
    ("questions.0.answer", "d", r"answer must be one of \['a', 'b', 'c'\]. Got 'd'"),
    ("questions.0.options", [{"id": "x", "en": "x"}] * 2, r"options must be a list of 3-4 options. Got 2"),
    ("questions.1.explanation", {"id": "karena"}, r"explanation.en must be a non-empty string"),
    ("questions.1.id", "q0", r"id must be unique. Got 'q0' twice"),
    ("questions.1.module", "x", r"module must be one of \['m'\]"),
    ("questions.1.hint", "psst", r"Got unknown \['hint'\]"),
])
def test_the_bank_schema_refuses_a_broken_question(path, value, message) -> None:
    from ruangaman.workshop import QuizBankError
    from ruangaman.workshop.quiz import check_bank

    check_bank(MINI)  # the unbroken bank is fine
    with pytest.raises(QuizBankError, match=message):
        check_bank(_broken(path, value))


# -- the workshop on a real database ------------------------------------------------------------

@pytest.fixture
def workshop(database_url, engine):
    from ruangaman.privacy import Hasher
    from ruangaman.store import Store
    from ruangaman.workshop import Workshop

    store = Store(database_url)
    yield Workshop(store, Hasher(b"k" * 32), engine=engine)
    store.close()


def _cohort(ws, **rules):
    c = ws.create_cohort("Angkatan Uji", "2026-03-01", "2026-04-30", **rules)
    s1 = ws.add_session(c["id"], "Kata dan pembingkaian", "bahasa", "2026-03-07T19:00")
    s2 = ws.add_session(c["id"], "Cara, tempat, gambar", "detail", "2026-03-14T19:00")
    return c, [s1["id"], s2["id"]]


def _answers(ws, module: str, wrong: int = 0) -> dict[str, str]:
    qs = ws.bank.module_questions(module)
    return {q.id: (q.answer if i >= wrong else next(x for x in "abc" if x != q.answer)) for i, q in enumerate(qs)}


# Each row: what one creator did, and the completion rules still unmet (empty: certificate).
# quiz: (module, questions answered wrong) per attempt, in order.
PASS_BOTH = [("bahasa", 0), ("detail", 0)]
COMPLETION = [
    ("all met", dict(attend=2, quiz=PASS_BOTH, drafts=GOOD), set()),
    ("a retake counts", dict(attend=2, quiz=[("bahasa", 0), ("detail", 3), ("detail", 0)], drafts=GOOD), set()),
    ("missing attendance", dict(attend=1, quiz=PASS_BOTH, drafts=GOOD), {"attendance"}),
    ("failed quiz", dict(attend=2, quiz=[("bahasa", 0), ("detail", 3)], drafts=GOOD), {"quiz"}),
    ("quiz not taken", dict(attend=2, quiz=[("bahasa", 0)], drafts=GOOD), {"quiz"}),
    ("only two passing drafts", dict(attend=2, quiz=PASS_BOTH, drafts=GOOD[:2] + [BAD]), {"drafts"}),
    ("one draft three times", dict(attend=2, quiz=PASS_BOTH, drafts=[GOOD[0]] * 2 + [GOOD[0].upper()]), {"drafts"}),
    ("off-topic drafts", dict(attend=2, quiz=PASS_BOTH, drafts=OFF_TOPIC), {"drafts"}),
    ("nothing yet", dict(attend=0, quiz=[], drafts=[]), {"attendance", "quiz", "drafts"}),
]


def test_completion_rules(workshop) -> None:
    from ruangaman.workshop import NotComplete

    ws = workshop
    c, sessions = _cohort(ws)
    ids = {}
    for i, (case, did, unmet) in enumerate(COMPLETION):
        cr = ids[case] = ws.enrol(c["id"], f"@kreator.{i}", "tiktok", "micro", "31")["id"]
        if did["attend"]:
            ws.record_attendance(sessions[0], present=[cr])
        ws.record_attendance(sessions[1], **({"present": [cr]} if did["attend"] == 2 else {"absent": [cr]}))
        for module, wrong in did["quiz"]:
            ws.submit_quiz(cr, module, _answers(ws, module, wrong))
        for text in did["drafts"]:
            ws.submit_draft(cr, text)
        progress = ws.progress(cr)
        assert progress["completion"]["complete"] == (not unmet), case
        assert {r["rule"] for r in progress["completion"]["reasons"]} == unmet, case
        if unmet:
            with pytest.raises(NotComplete) as err:
                ws.complete(cr)
            assert {r["rule"] for r in err.value.details} == unmet, case
            assert ws.progress(cr)["certificate"] is None, case
        else:
            cert = ws.complete(cr)
            assert cert["issued_now"] and cert["valid"] and cert["handle"] == f"kreator.{i}", case
            again = ws.complete(cr)  # once only
            assert (again["code"], again["issued_now"]) == (cert["code"], False), case
    failed = ws.progress(ids["failed quiz"])["completion"]["reasons"]
    assert failed[0]["module"] == "detail" and "Got a best score of 0.5714" in failed[0]["message"]


def test_rules_belong_to_the_cohort(workshop) -> None:
    ws = workshop
    c, sessions = _cohort(ws, min_attendance=0.5, drafts_required=1)
    cr = ws.enrol(c["id"], "rani", "instagram", "nano", "32.73")["id"]
    ws.record_attendance(sessions[0], present=[cr])  # 1 of 2 is enough at 50 %
    for m in ("bahasa", "detail"):
        ws.submit_quiz(cr, m, _answers(ws, m))
    ws.submit_draft(cr, GOOD[1])
    assert ws.progress(cr)["completion"] == {"complete": True, "reasons": []}


BAD_REQUESTS = [
    (lambda ws, c, s: ws.create_cohort("x", "2026-05-01", "2026-04-01"), "invalid_ends_on"),
    (lambda ws, c, s: ws.create_cohort("x", "1 Maret", "2026-04-01"), "invalid_starts_on"),
    (lambda ws, c, s: ws.create_cohort("x", "2026-03-01", "2026-04-01", quiz_pass=1.5), "invalid_quiz_pass"),
    (lambda ws, c, s: ws.create_cohort(" ", "2026-03-01", "2026-04-01"), "invalid_name"),
    (lambda ws, c, s: ws.add_session(c, "x", "bahasa", "2026-06-01T10:00"), "invalid_starts_at"),
    (lambda ws, c, s: ws.add_session(c, "x", "astrologi", "2026-03-10T10:00"), "invalid_module"),
    (lambda ws, c, s: ws.enrol(c, "rani kreator", "tiktok", "micro", "31"), "invalid_handle"),
    (lambda ws, c, s: ws.enrol(c, "rani", "myspace", "micro", "31"), "invalid_platform"),
    (lambda ws, c, s: ws.enrol(c, "rani", "tiktok", "huge", "31"), "invalid_follower_band"),
    (lambda ws, c, s: ws.enrol(c, "rani", "tiktok", "micro", "Jakarta"), "invalid_region"),
    (lambda ws, c, s: ws.enrol("co-0000000000", "rani", "tiktok", "micro", "31"), "not_found"),
    (lambda ws, c, s: ws.record_attendance(s, present=["cr-0000000000"]), "not_found"),
    (lambda ws, c, s: ws.record_attendance("se-0000000000", present=["cr-0000000000"]), "not_found"),
    (lambda ws, c, s: ws.record_attendance(s), "invalid_attendance"),
    (lambda ws, c, s: ws.progress("'; DROP TABLE workshop_creators; --"), "not_found"),
    (lambda ws, c, s: ws.quiz("detail", "fr"), "invalid_quiz"),
]


def test_bad_requests_are_refused_with_a_reason(workshop) -> None:
    from ruangaman.workshop import WorkshopError

    c, sessions = _cohort(workshop)
    for call, code in BAD_REQUESTS:
        with pytest.raises(WorkshopError) as err:
            call(workshop, c["id"], sessions[0])
        assert err.value.code == code, (code, err.value.message)
        assert " must " in err.value.message and "Got " in err.value.message, err.value.message
    other, other_sessions = _cohort(workshop)
    elsewhere = workshop.enrol(other["id"], "rani", "tiktok", "micro", "31")["id"]
    with pytest.raises(WorkshopError, match="must be enrolled in the session's cohort"):
        workshop.record_attendance(sessions[0], present=[elsewhere])
    assert workshop.cohort(c["id"])["creators"] == []


def test_drafts_are_not_stored_only_their_check(workshop) -> None:
    from sqlalchemy import select

    from ruangaman.workshop.schema import drafts

    ws = workshop
    c, _ = _cohort(ws)
    cr = ws.enrol(c["id"], "rani", "tiktok", "micro", "31")["id"]
    ws.submit_draft(cr, BAD)
    with ws.store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(drafts)).mappings()]
    stored = json.dumps(rows, default=str)
    assert len(rows) == 1 and "kamar kos" not in stored and "TRAGIS" not in stored.upper().replace("TRAGIC", "")
    assert rows[0]["n_flags"] == len(rows[0]["flags"]) >= 3


def test_the_migration_goes_down_and_up_again(database_url) -> None:
    from alembic import command
    from sqlalchemy import inspect

    from ruangaman.store import Store, current_revision, head_revision
    from ruangaman.store.store import _alembic_config

    assert head_revision() == "0002"
    store = Store(database_url)
    try:
        with store.engine.begin() as conn:
            command.downgrade(_alembic_config(store.engine, conn), "0001")
        assert current_revision(store.engine) == "0001"
        assert not [t for t in inspect(store.engine).get_table_names() if t.startswith("workshop_")]
        with store.engine.begin() as conn:
            command.upgrade(_alembic_config(store.engine, conn), "head")
        assert current_revision(store.engine) == "0002"
        store.check_schema()
    finally:
        store.close()


# -- the API: roles, progress over time, certificates ----------------------------------------------

@pytest.fixture
def server(make_server, database_url):
    return make_server(database_url)


def _client(server, secret: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return httpx.Client(base_url=server.base, headers=headers, timeout=30)


def _api_setup(server, handles=("rani.kreator", "budi_vlog")) -> dict:
    """A cohort with two sessions and enrolled creators, through the staff API; creator keys for each."""
    with server.client("staff") as s:
        cohort = s.post("/v1/workshop/cohorts", json={"name": "Angkatan 1 <Jakarta>", "starts_on": "2026-03-01",
                                                      "ends_on": "2026-04-30"}).json()
        sessions = [s.post(f"/v1/workshop/cohorts/{cohort['id']}/sessions",
                           json={"title": t, "module": m, "starts_at": at}).json()["id"]
                    for t, m, at in [("Kata", "bahasa", "2026-03-07T19:00"), ("Detail", "detail", "2026-03-14T19:00")]]
        creators = {}
        for h in handles:
            cr = s.post(f"/v1/workshop/cohorts/{cohort['id']}/creators",
                        json={"handle": "@" + h, "platform": "tiktok", "follower_band": "micro", "region": "31"})
            assert cr.status_code == 200, cr.text
            key = s.post(f"/v1/workshop/creators/{cr.json()['id']}/key").json()
            assert key["role"] == "creator" and key["creator_id"] == cr.json()["id"]
            creators[h] = {"id": cr.json()["id"], "key": key["key"]}
    return {"cohort": cohort["id"], "sessions": sessions, "creators": creators}


def _finish(server, setup: dict, handle: str) -> str:
    """Everything one creator needs, through the API; returns the certificate code."""
    cr = setup["creators"][handle]
    bank = _bank()
    with server.client("staff") as s:
        for sid in setup["sessions"]:
            assert s.post(f"/v1/workshop/sessions/{sid}/attendance", json={"present": [cr["id"]]}).status_code == 200
    with _client(server, cr["key"]) as me:
        for m in ("bahasa", "detail"):
            r = me.post("/v1/workshop/me/quiz", json={"module": m, "lang": "en", "answers": {
                q.id: q.answer for q in bank.module_questions(m)}}).json()
            assert r["passed"] and r["score"] == 1.0
        for text in GOOD:
            assert me.post("/v1/workshop/me/drafts", json={"text": text}).json()["draft"]["passed"]
    with server.client("staff") as s:
        r = s.post(f"/v1/workshop/creators/{cr['id']}/certificate")
    assert r.status_code == 200, r.text
    return r.json()["code"]


def test_roles_staff_manage_creators_see_only_their_own(server) -> None:
    setup = _api_setup(server)
    rani, budi = setup["creators"]["rani.kreator"], setup["creators"]["budi_vlog"]
    with _client(server, rani["key"]) as me:
        mine = me.get("/v1/workshop/me").json()
        assert mine["creator"]["id"] == rani["id"] and mine["creator"]["handle"] == "rani.kreator"
        assert [m["id"] for m in mine["modules"]] == ["bahasa", "detail"]
        assert me.get("/v1/workshop/me/progress").json()["creator"]["id"] == rani["id"]
        quiz = me.get("/v1/workshop/me/quiz", params={"module": "detail", "lang": "en"}).json()
        assert len(quiz["questions"]) == 7 and "answer" not in json.dumps(quiz)
        # a creator cannot manage the workshop, nor read another creator's progress
        assert_error_shape(me.post("/v1/workshop/cohorts", json={"name": "x", "starts_on": "2026-01-01",
                                                                  "ends_on": "2026-01-02"}), 403, "forbidden")
        assert_error_shape(me.get(f"/v1/workshop/creators/{budi['id']}/progress"), 403, "forbidden")
        assert_error_shape(me.get(f"/v1/workshop/creators/{rani['id']}/progress"), 403, "forbidden")
        assert_error_shape(me.post(f"/v1/workshop/sessions/{setup['sessions'][0]}/attendance",
                                   json={"present": [rani["id"]]}), 403, "forbidden")
        assert_error_shape(me.post(f"/v1/workshop/creators/{rani['id']}/certificate"), 403, "forbidden")
        assert_error_shape(me.get("/v1/workshop/me/certificate"), 404, "no_certificate")
    # staff can; a platform key cannot see any of it
    with server.client("staff") as s:
        assert s.get(f"/v1/workshop/creators/{budi['id']}/progress").json()["creator"]["handle"] == "budi_vlog"
        cohort = s.get(f"/v1/workshop/cohorts/{setup['cohort']}").json()
        assert {x["id"] for x in cohort["creators"]} == {rani["id"], budi["id"]}
        assert_error_shape(s.get("/v1/workshop/me"), 403, "forbidden")
    with server.client("platform") as p:
        assert_error_shape(p.get(f"/v1/workshop/creators/{budi['id']}/progress"), 403, "forbidden")
    # a creator key that is not linked to an enrolled creator sees nothing
    with server.client("creator") as stray:
        assert_error_shape(stray.get("/v1/workshop/me/progress"), 404, "not_enrolled")
    # a revoked creator key stops working
    key_id = rani["key"].split("_")[1]
    server.store.revoke_key(key_id)
    with _client(server, rani["key"]) as me:
        assert_error_shape(me.get("/v1/workshop/me"), 401, "unauthenticated")


def test_workshop_requests_have_the_one_error_shape(server) -> None:
    setup = _api_setup(server, handles=("rani",))
    cohort = setup["cohort"]
    rani = setup["creators"]["rani"]
    with server.client("staff") as s:
        for method, path, body, status, code in [
            ("POST", "/v1/workshop/cohorts", {"name": "x", "starts_on": "2026-01-01"}, 422, "missing_field"),
            ("POST", "/v1/workshop/cohorts", {"name": "x", "starts_on": "2026-01-01", "ends_on": "2026-01-02",
                                              "colour": "red"}, 422, "unknown_field"),
            ("POST", "/v1/workshop/cohorts", [1], 422, "invalid_request"),
            ("POST", f"/v1/workshop/cohorts/{cohort}/sessions", {"title": "x", "module": "bahasa",
                                                                 "starts_at": "kemarin"}, 422, "invalid_starts_at"),
            ("POST", f"/v1/workshop/cohorts/{cohort}/creators", {"handle": "rani", "platform": "tiktok",
                                                                 "follower_band": "micro", "region": "31"},
             409, "already_enrolled"),
            ("GET", "/v1/workshop/cohorts/co-ffffffffff", None, 404, "not_found"),
            ("POST", f"/v1/workshop/creators/{rani['id']}/certificate", None, 409, "not_complete"),
        ]:
            r = s.request(method, path, json=body) if body is not None else s.request(method, path)
            err = assert_error_shape(r, status, code)
            if code == "not_complete":
                assert {d["rule"] for d in err["details"]} == {"attendance", "quiz", "drafts"}
    with _client(server, rani["key"]) as me:
        assert_error_shape(me.post("/v1/workshop/me/quiz", json={"module": "bahasa", "answers": {"x-1": "a"}}),
                           422, "invalid_quiz")
        assert_error_shape(me.post("/v1/workshop/me/drafts", json={"text": "   "}), 422, "empty_text")
        assert_error_shape(me.post("/v1/workshop/me/drafts", json={"text": "a" * 20_001}), 413, "text_too_long")
        assert_error_shape(me.post("/v1/workshop/me/drafts", json={"text": "hai", "surface": "billboard"}),
                           422, "invalid_surface")


def test_progress_over_time_flags_per_draft_fall(server) -> None:
    setup = _api_setup(server)
    rani = setup["creators"]["rani.kreator"]
    budi = setup["creators"]["budi_vlog"]
    with _client(server, rani["key"]) as me:
        answered = [me.post("/v1/workshop/me/drafts", json={"text": t}).json() for t in [BAD, MIDDLING] + GOOD]
    with _client(server, budi["key"]) as me:
        me.post("/v1/workshop/me/drafts", json={"text": BAD})
        me.post("/v1/workshop/me/drafts", json={"text": GOOD[0]})
    assert [a["draft"]["n"] for a in answered] == [1, 2, 3, 4, 5]
    assert [a["drafts"]["passing"] for a in answered] == [0, 0, 1, 2, 3]
    with server.client("staff") as s:
        p = s.get(f"/v1/workshop/creators/{rani['id']}/progress").json()
        report = s.get(f"/v1/workshop/cohorts/{setup['cohort']}/report").json()
    counts = p["drafts"]["flags_per_draft"]
    assert counts == [len(a["flags"]) for a in answered]
    assert counts[0] >= 3 and counts[0] > counts[1] > counts[-1] == 0 and counts == sorted(counts, reverse=True)
    assert p["drafts"]["trend"]["falling"] is True and p["drafts"]["trend"]["slope"] < 0
    assert [d["flags"] for d in p["drafts"]["checked"]][0]  # flag names are kept, texts are not
    assert report["falling"] == {"creators": 2, "of": 2}
    first, second = report["flags_by_draft"][:2]
    assert first["creators"] == second["creators"] == 2 and first["mean_flags"] > second["mean_flags"]
    assert [x["creator"]["id"] for x in report["people"]] == [rani["id"], budi["id"]]


def test_certificates_anyone_can_verify(server) -> None:
    setup = _api_setup(server)
    code = _finish(server, setup, "rani.kreator")
    with server.client(None) as anyone:
        v = anyone.get(f"/v1/certificates/{code}")
        assert v.status_code == 200, v.text
        body = v.json()
        assert (body["valid"], body["handle"], body["cohort"]["name"]) == (True, "rani.kreator", "Angkatan 1 <Jakarta>")
        assert body["completed"]["drafts"]["passing"] == 3 and body["issued_on"]
        assert anyone.get(f"/v1/certificates/{code.lower().replace('-', ' ')}").json()["code"] == code  # as typed
        tampered = code[:-1] + ("0" if code[-1] != "0" else "1")
        for bad in (tampered, "MM-0000-0000-0000-0000", "not-a-code", code + "0"):
            assert_error_shape(anyone.get(f"/v1/certificates/{bad}"), 404, "not_found")
            assert_error_shape(anyone.get(f"/certificates/{bad}"), 404, "not_found")
        page = anyone.get(f"/certificates/{code}")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "@rani.kreator" in page.text and code in page.text
        assert "Angkatan 1 &lt;Jakarta&gt;" in page.text and "<Jakarta>" not in page.text  # escaped
        assert "script" not in page.text and "default-src 'none'" in page.headers["content-security-policy"]
        pdf = anyone.get(f"/certificates/{code}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    with _client(server, setup["creators"]["rani.kreator"]["key"]) as me:
        assert me.get("/v1/workshop/me/certificate").json()["code"] == code
    with _client(server, setup["creators"]["budi_vlog"]["key"]) as other:
        assert_error_shape(other.get("/v1/workshop/me/certificate"), 404, "no_certificate")
    # a revoked certificate still answers, as revoked
    from ruangaman.workshop import Workshop

    Workshop(server.store, server.app.state.runtime.core.hasher).revoke_certificate(code, "test")
    with server.client(None) as anyone:
        assert anyone.get(f"/v1/certificates/{code}").json()["status"] == "revoked"
        assert "dicabut" in anyone.get(f"/certificates/{code}").text
    with server.client("admin") as admin:
        actions = {e["action"] for e in admin.get("/v1/audit", params={"limit": 1000}).json()["events"]}
    assert {"workshop.cohort.create", "workshop.enrol", "workshop.attendance", "workshop.quiz", "workshop.draft",
            "workshop.certificate.issue", "workshop.certificate.revoke", "keys.create"} <= actions


# -- the command line, end to end ------------------------------------------------------------------

def _ok(r) -> str:
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode().strip()


def _parallel(*calls: tuple[str, ...]) -> list:
    """Independent commands at once (each start costs ~2 s of imports)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda args: run_cli(*args), calls))


def test_workshop_cli_end_to_end(tmp_path, engine) -> None:
    from ruangaman.privacy import Hasher
    from ruangaman.service import Settings
    from ruangaman.store import Store, upgrade
    from ruangaman.workshop import Workshop

    data = str(tmp_path / "d")
    dd = ("--data-dir", data)
    settings = Settings.load(env={}, data_dir=data)
    store = Store(settings.database_url)
    upgrade(store.engine)  # `ruangaman db upgrade`, tested with the keys commands
    broken = copy.deepcopy(yaml.safe_load((ROOT / "ruangaman/resources/workshop/quiz.yaml").read_text()))
    del broken["questions"][4]["text"]["en"]
    (tmp_path / "quiz.yaml").write_text(yaml.safe_dump(broken, allow_unicode=True), encoding="utf-8")
    try:
        cohort = _ok(run_cli("workshop", "cohort-create", "--name", "Angkatan CLI", "--starts-on", "2026-03-01",
                             "--ends-on", "2026-04-30", *dd))
        session, bad, creator, bank, broken_bank = _parallel(
            ("workshop", "session-add", cohort, "--title", "Kata", "--module", "bahasa", "--starts-at",
             "2026-03-07T19:00", *dd),
            ("workshop", "session-add", cohort, "--title", "x", "--module", "bahasa", "--starts-at", "2027-01-01", *dd),
            ("workshop", "enrol", cohort, "--handle", "@Rani.Kreator", "--platform", "tiktok", "--follower-band",
             "micro", "--region", "31", *dd),
            ("workshop", "quiz-check",),
            ("workshop", "quiz-check", str(tmp_path / "quiz.yaml")))
        s1, cr = _ok(session), _ok(creator)
        assert bad.returncode == 2 and b"starts_at must fall within the cohort's dates" in bad.stderr
        assert int(_ok(bank).split()[0]) >= 30
        assert broken_bank.returncode == 1
        assert b"questions[4] (bahasa-05).text.en must be a non-empty string" in broken_bank.stderr

        attended, key, not_yet = _parallel(("workshop", "attend", s1, "--present", cr, *dd),
                                           ("workshop", "creator-key", cr, *dd), ("workshop", "complete", cr, *dd))
        assert _ok(attended).endswith("1 present, 0 absent")
        secret = _ok(key)
        assert secret.startswith("ra_")
        assert not_yet.returncode == 1 and b"quiz of module 'bahasa' must be passed" in not_yet.stderr

        # the creator's part (through the API with the creator key), on the same database
        ws = Workshop(store, Hasher(settings.secret_key), engine=engine)
        assert ws.creator_for_key(store.lookup_key(secret)) == cr
        ws.submit_quiz(cr, "bahasa", _answers(ws, "bahasa"))
        for text in [BAD] + GOOD:
            ws.submit_draft(cr, text)
    finally:
        store.close()

    progress, done = _parallel(("workshop", "progress", cr, "--json", *dd), ("workshop", "complete", cr, *dd))
    progress = json.loads(_ok(progress))
    assert progress["completion"]["complete"] and progress["drafts"]["trend"]["falling"]
    code = _ok(done)
    tampered = code[:-1] + ("0" if code[-1] != "0" else "1")
    verified, unknown, exported = _parallel(("workshop", "verify", code.lower(), *dd),
                                            ("workshop", "verify", tampered, *dd),
                                            ("workshop", "certificate", code, "-o", str(tmp_path / "c.pdf"), *dd))
    assert _ok(verified).startswith("valid: @rani.kreator (tiktok) completed Angkatan CLI (2026-03-01..2026-04-30)")
    assert unknown.returncode == 1 and b"Got an unknown code" in unknown.stderr
    _ok(exported)
    assert (tmp_path / "c.pdf").read_bytes().startswith(b"%PDF")
