"""Durability and privacy of the store, through the real commands and a real server process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from conftest import free_port, run_cli

ROOT = Path(__file__).resolve().parents[1]
RUANGAMAN = str(Path(sys.executable).with_name("ruangaman"))
MARKER = "zanzibarkuning"  # a word no redaction touches, to look for in log and database bytes


def server_env(database_url: str) -> dict[str, str]:
    """The environment of a server or command: no stray RUANGAMAN_* settings, the store given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUANGAMAN_")}
    env["RUANGAMAN_DATABASE_URL"] = database_url
    return env


def start_server(data_dir: Path, port: int, log_path: Path, database_url: str) -> subprocess.Popen:
    env = server_env(database_url)
    log = open(log_path, "ab")
    proc = subprocess.Popen([RUANGAMAN, "serve", "--port", str(port), "--data-dir", str(data_dir)],
                            stdout=log, stderr=log, env=env, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert proc.poll() is None, log_path.read_text()
        time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not become ready")


def create_key(data_dir: Path, database_url: str, role: str = "platform") -> str:
    r = subprocess.run([RUANGAMAN, "keys", "create", "--name", f"{role}-kill", "--role", role, "--data-dir",
                        str(data_dir)], env=server_env(database_url), capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr.decode()
    return r.stdout.decode().strip()


def test_sigkill_mid_stream_loses_no_acknowledged_item(tmp_path, database_url) -> None:
    """SQLite (WAL, synchronous=FULL) and PostgreSQL: an answered item survives a crash of the server."""
    data, port, log = tmp_path / "data", free_port(), tmp_path / "server.log"
    proc = start_server(data, port, log, database_url)
    key = create_key(data, database_url)
    acked: set[str] = set()
    lock = threading.Lock()
    stop = threading.Event()

    def client(worker: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"},
                          timeout=10) as c:
            n = 0
            while not stop.is_set():
                ids = [f"w{worker}-{n}-{i}" for i in range(25)]
                n += 1
                items = [{"id": i, "text": f"{MARKER} aku capek banget hari ini nomor {i}", "author_id": "u-9"}
                         for i in ids]
                try:
                    r = c.post("/v1/assess/batch", json={"items": items})
                except httpx.HTTPError:
                    return  # the server is gone
                if r.status_code == 200:
                    assert r.json()["failed"] == 0
                    with lock:
                        acked.update(ids)

    threads = [threading.Thread(target=client, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    while len(acked) < 1500:
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)  # mid-stream: requests are in flight
    proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=30)

    proc = start_server(data, port, log, database_url)  # the store opens cleanly after the crash
    try:
        from sqlalchemy import text

        from ruangaman.store import Store

        store = Store(database_url)

        with store.engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT item_id FROM items"))]
        store.close()
        assert acked <= set(ids), f"{len(acked - set(ids))} acknowledged items lost"
        assert len(ids) == len(set(ids))
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers={"Authorization": f"Bearer {key}"}) as c:
            sample = sorted(acked)[:5]
            items = [{"id": i, "text": f"{MARKER} aku capek banget hari ini nomor {i}", "author_id": "u-9"}
                     for i in sample]
            again = c.post("/v1/assess/batch", json={"items": items}).json()["results"]
            assert all(r["replayed"] for r in again)  # a client retrying after the crash stores nothing twice
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    assert MARKER not in log.read_text(errors="replace"), "raw text must never reach the logs"


def db_bytes(data: Path) -> bytes:
    return b"".join(p.read_bytes() for p in data.glob("ruangaman.db*"))


def test_purge_removes_the_bytes_from_the_database_files_wal_included(make_server, tmp_path) -> None:
    server = make_server("")  # the embedded default: SQLite in the data folder
    data = tmp_path / "data"
    with server.client("platform") as c:
        for i in range(50):
            r = c.post("/v1/assess", json={"id": f"p-{i}", "text": f"aku {MARKER} pengen mati aja {i}"})
            assert r.status_code == 200
    assert MARKER.encode() in db_bytes(data)  # the check below can fail

    kept = run_cli("purge", "--data-dir", str(data))  # default retention: nothing this fresh goes
    assert kept.returncode == 0 and "of 0 items" in kept.stdout.decode()
    r = run_cli("purge", "--older-than-days", "0", "--data-dir", str(data))
    assert r.returncode == 0, r.stderr.decode()
    assert "of 50 items" in r.stdout.decode()
    assert MARKER.encode() not in db_bytes(data)
    with server.client("platform") as c:
        item = c.get("/v1/items/assess/p-3").json()
    assert item["text"] is None and item["purged_at"] is not None and item["self_harm"]  # the decision stays
    with server.client("admin") as c:
        assert "items.purge" in {e["action"] for e in c.get("/v1/audit", params={"limit": 1000}).json()["events"]}


def test_erasure_removes_the_bytes_too(make_server, tmp_path) -> None:
    server = make_server("")
    data = tmp_path / "data"
    with server.client("platform") as c:
        for i in range(20):
            c.post("/v1/assess", json={"id": f"e-{i}", "text": f"{MARKER} capek hidup {i}", "author_id": "u-1"})
        assert MARKER.encode() in db_bytes(data)
        assert c.post("/v1/subjects/erase", json={"author_id": "u-1"}).json() == {"erased": 20}
    assert MARKER.encode() not in db_bytes(data)


def test_keys_and_db_commands(tmp_path) -> None:
    data = str(tmp_path / "d")
    assert run_cli("db", "upgrade", "--data-dir", data).returncode == 0
    current = run_cli("db", "current", "--data-dir", data).stdout.decode()
    assert current.split()[1] == current.split()[3]
    bad = run_cli("keys", "create", "--name", "x", "--role", "superuser", "--data-dir", data)
    assert bad.returncode == 2 and b"role must be one of" in bad.stderr
    key = run_cli("keys", "create", "--name", "Platform A", "--role", "platform", "--data-dir", data).stdout.decode()
    assert key.startswith("ra_")
    listed = run_cli("keys", "list", "--data-dir", data).stdout.decode()
    key_id = key.split("_")[1]
    assert key_id in listed and key.strip() not in listed and "live" in listed
    assert run_cli("keys", "revoke", key_id, "--data-dir", data).returncode == 0
    assert "revoked" in run_cli("keys", "list", "--data-dir", data).stdout.decode()
    assert run_cli("keys", "revoke", "nope", "--data-dir", data).returncode == 1


def test_a_server_database_must_be_migrated_on_purpose(postgres_server, tmp_path) -> None:
    from conftest import _fresh_postgres_db

    url = _fresh_postgres_db(postgres_server)
    env = dict(os.environ, RUANGAMAN_DATABASE_URL=url, RUANGAMAN_DATA_DIR=str(tmp_path))
    r = subprocess.run([RUANGAMAN, "serve", "--port", str(free_port())], env=env, capture_output=True, timeout=60)
    assert r.returncode == 2 and b"ruangaman db upgrade" in r.stderr
    r = subprocess.run([RUANGAMAN, "db", "upgrade"], env=env, capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("name,value,message", [
    ("RUANGAMAN_STORE_TEXT", "everything", "must be one of"),
    ("RUANGAMAN_MAX_BATCH_ITEMS", "many", "must be an integer"),
    ("RUANGAMAN_RETENTION_DAYS", "-1", "must be at least 0"),
    ("RUANGAMAN_SECRET_KEY", "short", "at least 32 characters"),
    ("RUANGAMAN_DATABASE_URL", "mysql://x@y/z", "must be sqlite or postgresql"),
])
def test_a_bad_setting_is_an_error_not_a_fallback(tmp_path, name, value, message) -> None:
    env = dict(os.environ, RUANGAMAN_DATA_DIR=str(tmp_path), **{name: value})
    r = subprocess.run([RUANGAMAN, "serve", "--port", str(free_port())], env=env, capture_output=True, timeout=60)
    assert r.returncode == 2 and message.encode() in r.stderr, r.stderr
