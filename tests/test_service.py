"""The HTTP API against a real server and real databases (SQLite, then PostgreSQL)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("platform", "reviewer", "analyst", "admin", "staff", "creator")
ALL = set(ROLES)
PUBLIC = "public"

# Who may call what.  Written here, independently of the app, and checked both ways: every
# route of the app must be in this table, and every role must get exactly what it says.
ROUTE_ROLES = {
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/v1/ping"): ALL,
    ("POST", "/v1/assess"): {"platform"},
    ("POST", "/v1/assess/batch"): {"platform"},
    ("POST", "/v1/decide"): {"platform"},
    ("GET", "/v1/items/{kind}/{item_id}"): {"platform"},
    ("POST", "/v1/subjects/export"): {"platform"},
    ("POST", "/v1/subjects/erase"): {"platform"},
    ("POST", "/v1/subjects/profile"): {"platform"},
    ("GET", "/v1/review/queue"): {"reviewer"},
    ("GET", "/v1/stats"): {"analyst", "admin"},
    ("GET", "/v1/audit"): {"admin"},
    ("GET", "/v1/info/search"): ALL,
    ("GET", "/v1/helplines"): ALL,
    ("POST", "/v1/drafts/check"): {"platform", "creator", "staff"},
    ("GET", "/creators/check"): PUBLIC,
    ("GET", "/creators/check.js"): PUBLIC,
    # Mindful Makers: staff run the workshop, a creator key sees only its own creator
    ("POST", "/v1/workshop/cohorts"): {"staff"},
    ("GET", "/v1/workshop/cohorts"): {"staff"},
    ("GET", "/v1/workshop/cohorts/{cohort_id}"): {"staff"},
    ("POST", "/v1/workshop/cohorts/{cohort_id}/sessions"): {"staff"},
    ("POST", "/v1/workshop/cohorts/{cohort_id}/creators"): {"staff"},
    ("GET", "/v1/workshop/cohorts/{cohort_id}/report"): {"staff"},
    ("POST", "/v1/workshop/sessions/{session_id}/attendance"): {"staff"},
    ("POST", "/v1/workshop/creators/{creator_id}/key"): {"staff"},
    ("GET", "/v1/workshop/creators/{creator_id}/progress"): {"staff"},
    ("POST", "/v1/workshop/creators/{creator_id}/certificate"): {"staff"},
    ("GET", "/v1/workshop/me"): {"creator"},
    ("GET", "/v1/workshop/me/quiz"): {"creator"},
    ("POST", "/v1/workshop/me/quiz"): {"creator"},
    ("POST", "/v1/workshop/me/drafts"): {"creator"},
    ("GET", "/v1/workshop/me/progress"): {"creator"},
    ("GET", "/v1/workshop/me/certificate"): {"creator"},
    ("GET", "/v1/certificates/{code}"): PUBLIC,
    ("GET", "/certificates/{code}"): PUBLIC,
    ("GET", "/certificates/{code}.pdf"): PUBLIC,
}
# A valid request for each route, so an allowed role gets a success.
EXAMPLES = {
    "/v1/assess": {"id": "ex-1", "text": "hari ini capek banget"},
    "/v1/assess/batch": {"items": [{"id": "ex-2", "text": "semangat ya"}]},
    "/v1/decide": {"id": "ex-3", "text": "aku pengen mati aja"},
    "/v1/subjects/export": {"author_id": "u-1"},
    "/v1/subjects/erase": {"author_id": "u-2"},
    "/v1/subjects/profile": {"author_id": "u-3"},
    "/v1/drafts/check": {"text": "Kisah inspiratif tentang bangkit dari masa sulit. Butuh teman bicara? Hubungi 119 ext 8."},
    "/v1/workshop/cohorts": {"name": "Angkatan contoh", "starts_on": "2026-03-01", "ends_on": "2026-04-30"},
    "/v1/workshop/cohorts/{cohort_id}/sessions": {"title": "Kata", "module": "bahasa", "starts_at": "2026-03-07T19:00"},
    "/v1/workshop/cohorts/{cohort_id}/creators": {"handle": "@rani", "platform": "tiktok", "follower_band": "micro",
                                                  "region": "31"},
    "/v1/workshop/sessions/{session_id}/attendance": {"present": ["cr-0000000000"]},
    "/v1/workshop/creators/{creator_id}/key": None,
    "/v1/workshop/creators/{creator_id}/certificate": None,
    "/v1/workshop/me/quiz": {"module": "bahasa", "answers": {"bahasa-01": "b"}},
    "/v1/workshop/me/drafts": {"text": "Kalau kamu sedang berat, hubungi 119 ext 8."},
}
QUERIES = {"/v1/info/search": {"q": "depresi itu kurang iman"}, "/v1/items/{kind}/{item_id}": None,
           "/v1/workshop/me/quiz": {"module": "bahasa"}}
# Ids and codes that do not exist: an allowed role gets 404 (the test keys' creator is not enrolled either).
PATHS = {"/v1/items/{kind}/{item_id}": "/v1/items/assess/ex-1", "/v1/certificates/{code}": "/v1/certificates/MM-0000",
         "/certificates/{code}": "/certificates/MM-0000", "/certificates/{code}.pdf": "/certificates/MM-0000.pdf"}
for _name, _id in (("cohort_id", "co-0000000000"), ("session_id", "se-0000000000"), ("creator_id", "cr-0000000000")):
    PATHS.update({p: p.replace("{" + _name + "}", _id) for _, p in ROUTE_ROLES if "{" + _name + "}" in p})


def assert_error_shape(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) <= {"code", "message", "details"} and {"code", "message"} <= set(body["error"]), body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    if code is not None:
        assert body["error"]["code"] == code, body
    return body["error"]


def call(client, method: str, path: str):
    url = PATHS.get(path, path)
    if method == "GET":
        return client.get(url, params=QUERIES.get(path))
    return client.post(url, json=EXAMPLES[path])


@pytest.fixture
def server(make_server, database_url):
    return make_server(database_url)


def test_the_role_table_covers_every_route(server) -> None:
    routes = {(m, r.path) for r in server.app.routes for m in getattr(r, "methods", ()) if m != "HEAD"}
    assert routes == set(ROUTE_ROLES), routes ^ set(ROUTE_ROLES)


def test_roles_on_every_endpoint(server) -> None:
    for (method, path), allowed in sorted(ROUTE_ROLES.items()):
        with server.client(None) as anonymous:
            r = call(anonymous, method, path)
            if allowed == PUBLIC:  # a public path with an id: 404 for an id that does not exist
                assert r.status_code in ((200, 404) if "{" in path else (200,)), (path, r.text)
                continue
            assert_error_shape(r, 401, "unauthenticated")
        for role in ROLES:
            with server.client(role) as c:
                r = call(c, method, path)
            if role in allowed:
                assert r.status_code in (200, 404), (role, path, r.text)  # 404: the item read before it exists
            else:
                assert_error_shape(r, 403, "forbidden")


def test_a_wrong_or_revoked_key_is_refused(server) -> None:
    import httpx

    r = httpx.get(server.base + "/v1/ping", headers={"Authorization": "Bearer ra_000000000000_nope"})
    assert_error_shape(r, 401, "unauthenticated")
    secret, info = server.store.create_key("short-lived", "platform")
    assert httpx.get(server.base + "/v1/ping", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    server.store.revoke_key(info.key_id)
    r = httpx.get(server.base + "/v1/ping", headers={"Authorization": f"Bearer {secret}"})
    assert_error_shape(r, 401, "unauthenticated")


BAD_REQUESTS = [
    # (method, path, body bytes or json, status, code)
    ("GET", "/nowhere", None, 404, "not_found"),
    ("DELETE", "/v1/assess", None, 405, "method_not_allowed"),
    ("POST", "/v1/assess", b"{not json", 400, "invalid_json"),
    ("POST", "/v1/assess", b'{"id": "x", "text": "\xff\xfe"}', 400, "invalid_utf8"),
    ("POST", "/v1/assess", b"", 400, "invalid_json"),
    ("POST", "/v1/assess", {"id": "x", "text": "hai", "mood": "sad"}, 422, "unknown_field"),
    ("POST", "/v1/assess", {"text": "hai"}, 422, "missing_id"),
    ("POST", "/v1/assess", {"id": "x", "text": "   "}, 422, "empty_text"),
    ("POST", "/v1/assess", {"id": "x", "text": "hai", "surface": "billboard"}, 422, "invalid_surface"),
    ("POST", "/v1/assess", {"id": "x", "text": "hai", "author_age_band": "teen"}, 422, "invalid_age_band"),
    ("POST", "/v1/assess", {"id": "x", "text": "a" * 20_001}, 413, "text_too_long"),
    ("POST", "/v1/assess", b'{"id": "x", "text": "' + b"a" * (4 * 1024 * 1024) + b'"}', 413, "body_too_large"),
    ("POST", "/v1/assess/batch", {"items": [{"id": str(i), "text": "hai"} for i in range(1001)]}, 413, "batch_too_large"),
    ("POST", "/v1/assess/batch", {"items": []}, 422, "empty_batch"),
    ("POST", "/v1/assess/batch", [{"id": "x", "text": "hai"}], 422, "invalid_request"),
    ("POST", "/v1/decide", {"id": "x", "text": "hai", "region": "Jakarta"}, 422, "invalid_region"),
    ("GET", "/v1/info/search", None, 422, "invalid_request"),
    ("GET", "/v1/items/report/x", None, 422, "invalid_kind"),
    ("GET", "/v1/items/assess/never-sent", None, 404, "not_found"),
    ("POST", "/v1/subjects/export", {"user": "u1"}, 422, "invalid_request"),
]


def test_every_error_has_the_one_shape(server) -> None:
    with server.client("platform") as c:
        for method, path, body, status, code in BAD_REQUESTS:
            kwargs = {"content": body} if isinstance(body, bytes) else ({"json": body} if body is not None else {})
            r = c.request(method, path, **kwargs)
            assert_error_shape(r, status, code)


def test_a_streamed_body_over_the_limit_is_413(server) -> None:
    def chunks():
        for _ in range(80):
            yield b"x" * 65536

    with server.client("platform") as c:
        r = c.post("/v1/assess", content=chunks())  # chunked: no Content-Length to refuse up front
    assert_error_shape(r, 413, "body_too_large")


def test_same_id_twice_is_answered_from_the_store(server) -> None:
    item = {"id": "post-1", "text": "aku udah ga kuat, pengen pergi selamanya aja"}
    with server.client("platform") as c:
        first = c.post("/v1/assess", json=item)
        second = c.post("/v1/assess", json=item)
        assert first.status_code == second.status_code == 200
        assert first.headers["idempotent-replayed"] == "false" and second.headers["idempotent-replayed"] == "true"
        assert first.json() == second.json()
        assert first.json()["self_harm"] in ("ideation", "plan", "imminent")
        conflict = c.post("/v1/assess", json={"id": "post-1", "text": "teks lain"})
        assert_error_shape(conflict, 409, "id_conflict")
    assert server.store.count_items("acme") == 1


def test_concurrent_duplicates_store_one_item(server) -> None:
    item = {"id": "dup-1", "text": "gw capek bgt sama hidup ini"}
    results: list = []

    def post() -> None:
        with server.client("platform") as c:
            results.append(c.post("/v1/assess", json=item))

    threads = [threading.Thread(target=post) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.status_code for r in results] == [200] * 16
    assert len({r.text for r in results}) == 1
    assert sorted(r.headers["idempotent-replayed"] for r in results).count("false") == 1
    assert server.store.count_items("acme") == 1


def test_batch_reports_bad_items_in_place_and_goes_on(server) -> None:
    items = [{"id": "b-1", "text": "semangat kuliahnya!"}, {"id": "b-2", "text": ""},
             {"id": "b-3", "text": "aku mau bunuh diri malam ini"}, {"id": "b-1", "text": "semangat kuliahnya!"},
             {"id": "b-4", "text": "hai", "extra": 1}, {"id": "b-1", "text": "lain"}]
    with server.client("platform") as c:
        r = c.post("/v1/assess/batch", json={"items": items})
    assert r.status_code == 200
    body = r.json()
    res = body["results"]
    assert [x.get("id") for x in res] == ["b-1", "b-2", "b-3", "b-1", "b-4", "b-1"]
    assert res[1]["error"]["code"] == "empty_text" and res[1]["index"] == 1
    assert res[4]["error"]["code"] == "unknown_field"
    assert res[5]["error"]["code"] == "id_conflict"
    assert res[2]["self_harm"] in ("plan", "imminent")
    assert res[0]["replayed"] is False and res[3]["replayed"] is True and res[3]["self_harm"] == res[0]["self_harm"]
    assert (body["ok"], body["failed"]) == (3, 3)
    assert server.store.count_items("acme") == 2


def test_stored_text_is_redacted_and_evidence_follows_it(server) -> None:
    text = "wa aku 0812-9988-7766 ya, aku pengen mati aja. email rani.k@mail.com"
    with server.client("platform") as c:
        answered = c.post("/v1/assess", json={"id": "r-1", "text": text}).json()
        stored = c.get("/v1/items/assess/r-1").json()
    assert stored["text"] == "wa aku [PHONE] ya, aku pengen mati aja. email [EMAIL]"
    assert stored["result"] == answered
    for ev_stored, ev in zip(stored["evidence"], answered["evidence"]):
        assert stored["text"][ev_stored["start"]:ev_stored["end"]] == text[ev["start"]:ev["end"]]


def test_store_text_none_keeps_only_a_hash(make_server, database_url) -> None:
    server = make_server(database_url, store_text="none")
    with server.client("platform") as c:
        c.post("/v1/assess", json={"id": "n-1", "text": "aku pengen mati aja"})
        stored = c.get("/v1/items/assess/n-1").json()
        assert stored["text"] is None and stored["evidence"] is None
        again = c.post("/v1/assess", json={"id": "n-1", "text": "aku pengen mati aja"})
        assert again.headers["idempotent-replayed"] == "true"  # the keyed hash still recognises the text
        assert_error_shape(c.post("/v1/assess", json={"id": "n-1", "text": "lain"}), 409, "id_conflict")


def test_decide_is_stored_with_its_review_tier_and_reaches_the_queue(server) -> None:
    with server.client("platform") as c:
        d = c.post("/v1/decide", json={"id": "d-1", "text": "udah siapin tali, malam ini aku pamit",
                                       "author_age_band": "minor"}).json()
        c.post("/v1/decide", json={"id": "d-2", "text": "makan siang enak banget hari ini"})
    assert any(a["action"] == "helpline_card" for a in d["actions"])
    with server.client("reviewer") as c:
        queue = c.get("/v1/review/queue").json()["items"]
    assert [q["id"] for q in queue] == ["d-1"] and queue[0]["review_priority"] == "P0"
    assert queue[0]["author_age_band"] == "minor"


def test_subject_export_erase_and_no_profile_for_minors(server) -> None:
    with server.client("platform") as c:
        c.post("/v1/assess", json={"id": "s-1", "text": "capek banget hari ini", "author_id": "user-77"})
        c.post("/v1/assess", json={"id": "s-2", "text": "pengen hilang aja", "author_id": "user-77"})
        c.post("/v1/assess", json={"id": "s-3", "text": "semangat!", "author_id": "user-88"})
        c.post("/v1/assess", json={"id": "s-4", "text": "aku sedih terus", "author_id": "kid-1",
                                   "author_age_band": "minor"})
        exported = c.post("/v1/subjects/export", json={"author_id": "user-77"}).json()["items"]
        assert [i["id"] for i in exported] == ["s-1", "s-2"]
        profile = c.post("/v1/subjects/profile", json={"author_id": "user-77"}).json()
        assert sum(profile["self_harm"].values()) == 2
        assert_error_shape(c.post("/v1/subjects/profile", json={"author_id": "kid-1"}), 422, "minor_no_profile")
        assert c.post("/v1/subjects/erase", json={"author_id": "user-77"}).json() == {"erased": 2}
        assert c.post("/v1/subjects/export", json={"author_id": "user-77"}).json()["items"] == []
        assert c.get("/v1/items/assess/s-3").status_code == 200
    with server.client("admin") as c:
        events = c.get("/v1/audit").json()["events"]
    assert {"subject.export", "subject.erase", "subject.profile", "items.create"} <= {e["action"] for e in events}
    assert "user-77" not in json.dumps(events) and "kid-1" not in json.dumps(events)


def test_audit_log_is_append_only_in_the_database(server) -> None:
    from sqlalchemy import text

    with pytest.raises(Exception, match="append-only"):
        with server.store.engine.begin() as conn:
            conn.execute(text("UPDATE audit_events SET action = 'nothing'"))
    with pytest.raises(Exception, match="append-only"):
        with server.store.engine.begin() as conn:
            conn.execute(text("DELETE FROM audit_events"))


def test_stats_are_counts_only(server) -> None:
    with server.client("platform") as c:
        c.post("/v1/assess/batch", json={"items": [{"id": f"st-{i}", "text": t} for i, t in enumerate(
            ["aku pengen mati", "semangat ya kak", "orang depresi itu kurang iman"])]})
    with server.client("analyst") as c:
        stats = c.get("/v1/stats").json()
    assert stats["items"] == 3 and sum(stats["self_harm"].values()) == 3
    assert "text" not in json.dumps(stats)


def test_helplines_info_and_draft_check(server) -> None:
    with server.client("reviewer") as c:
        services = c.get("/v1/helplines", params={"minor": True, "lang": "en"}).json()["services"]
        assert {"sejiwa-119-8"} <= {s["id"] for s in services}
        assert all("500-454" not in json.dumps(s) for s in services)
        hits = c.get("/v1/info/search", params={"q": "depresi itu kurang iman", "lang": "en"}).json()["results"]
        assert hits and hits[0]["id"].startswith(("myth", "fact"))
    with server.client("platform") as c:
        report = c.post("/v1/drafts/check", json={"text": "Dia bunuh diri dengan gantung diri di kamar kosnya, "
                                                  "gara-gara putus cinta."}).json()
    assert {"method_or_location", "single_cause"} & {f["flag"] for f in report["flags"]}


def test_model_failure_degrades_to_the_safety_net(tmp_path, database_url) -> None:
    from conftest import Server, free_port

    from ruangaman.service import Settings, create_app
    from ruangaman.store import Store

    s = Settings.load(env={}, data_dir=str(tmp_path / "d"), database_url=database_url)
    store = Store(s.database_url)
    server = Server(create_app(s, store=store, engine=None, load_model=False), free_port())
    try:
        with server.client(None) as c:
            assert c.get("/readyz").json()["status"] == "degraded"
        with server.client("platform") as c:
            a = c.post("/v1/assess", json={"id": "m-1", "text": "aku mau bunuh diri malam ini"}).json()
            d = c.post("/v1/decide", json={"id": "m-2", "text": "aku mau bunuh diri malam ini"}).json()
        assert a["degraded"] is True and a["self_harm"] in ("ideation", "plan", "imminent")
        assert d["degraded"] is True and any(x["action"] == "helpline_card" for x in d["actions"])
    finally:
        server.stop()
        store.close()


def test_store_failure_still_answers_and_says_not_stored(server) -> None:
    from sqlalchemy import text

    with server.store.engine.begin() as conn:
        conn.execute(text("DROP TABLE items"))
    with server.client("platform") as c:
        r = c.post("/v1/decide", json={"id": "f-1", "text": "aku mau bunuh diri malam ini"})
    assert r.status_code == 503
    body = r.json()
    assert body["error"]["code"] == "store_unavailable"
    assert any(a["action"] == "helpline_card" for a in body["results"][0]["actions"])  # act on it anyway


def test_metrics_count_requests_by_route_not_by_id(server) -> None:
    with server.client("platform") as c:
        c.post("/v1/assess", json={"id": "secret-id-123", "text": "aku pengen mati"})
        c.get("/v1/items/assess/secret-id-123")
    with server.client(None) as c:
        text = c.get("/metrics").text
    assert 'route="/v1/assess"' in text and 'route="/v1/items/{kind}/{item_id}"' in text
    assert "secret-id-123" not in text and "ruangaman_assessed_total" in text


def test_the_committed_openapi_document_is_current(server) -> None:
    committed = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))
    assert committed == server.app.openapi(), "run: ruangaman openapi > docs/openapi.json"


def test_documented_request_schemas_match_what_is_accepted() -> None:
    from ruangaman.assess.stream import INPUT_FIELDS
    from ruangaman.service import schemas
    from ruangaman.service.core import ASSESS_FIELDS, DECIDE_FIELDS

    assert set(schemas.AssessIn.model_fields) == INPUT_FIELDS | ASSESS_FIELDS
    assert set(schemas.DecideIn.model_fields) == INPUT_FIELDS | DECIDE_FIELDS


def test_concurrent_batches_each_get_their_own_answers(server, engine) -> None:
    texts = ["semangat kuliahnya!", "aku mau bunuh diri malam ini", "mati lampu lagi di rumah",
             "gw capek bgt pengen ilang aja", "depresi itu kurang iman", "makan 300 kalori aja sehari biar kurus"]
    answers: dict[int, list] = {}

    def post(k: int) -> None:
        items = [{"id": f"cb-{k}-{i}", "text": texts[(k + i) % len(texts)]} for i in range(25)]
        with server.client("platform") as c:
            answers[k] = c.post("/v1/assess/batch", json={"items": items}).json()["results"]

    threads = [threading.Thread(target=post, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for k in range(8):
        assert [r["id"] for r in answers[k]] == [f"cb-{k}-{i}" for i in range(25)]
        for i, r in enumerate(answers[k]):
            alone = engine.assess(texts[(k + i) % len(texts)], "post", r["id"]).to_dict()
            assert (r["self_harm"], r["labels"], r["probabilities"]) == (alone["self_harm"], alone["labels"],
                                                                         alone["probabilities"])
    assert server.store.count_items("acme") == 200
    with server.client(None) as c:
        metrics = c.get("/metrics").text
    assert "ruangaman_batch_group_texts_sum 200.0" in metrics  # every text went through an engine call once


def test_the_loop_batcher_groups_waiting_requests_and_splits_the_answers() -> None:
    import asyncio

    from ruangaman.service.app import _LoopBatcher

    calls: list[list[str]] = []

    def assess(items):
        calls.append([it["id"] for it in items])
        if any(it["id"] == "boom" for it in items):
            raise RuntimeError("model and safety net both failed")
        return [it["id"].upper() for it in items]

    async def main():
        b = _LoopBatcher(assess, max_items=5)
        futs = [b.put([{"id": f"{g}{i}"} for i in range(n)]) for g, n in (("a", 2), ("b", 3), ("c", 4))]
        answers = await asyncio.gather(*futs)
        boom = b.put([{"id": "boom"}])
        fine = b.put([{"id": "z"}])
        errors = await asyncio.gather(boom, fine, return_exceptions=True)
        return answers, errors

    answers, errors = asyncio.run(main())
    assert answers == [["A0", "A1"], ["B0", "B1", "B2"], ["C0", "C1", "C2", "C3"]]
    assert calls[:2] == [["a0", "a1", "b0", "b1", "b2"], ["c0", "c1", "c2", "c3"]]  # at most 5 texts a call
    assert all(isinstance(e, RuntimeError) for e in errors)  # the group shared the failure; none hangs
