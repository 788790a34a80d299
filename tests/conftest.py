"""Shared fixtures: one engine on the bundled model for the whole session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).with_name("ruangaman"))]


@pytest.fixture(scope="session")
def engine():
    from ruangaman import AssessmentEngine

    return AssessmentEngine()


def run_cli(*args: str, input: bytes | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the real `ruangaman` command in a subprocess from the repository root."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    return subprocess.run(CLI + list(args), input=input, capture_output=True, cwd=ROOT, env=env, timeout=timeout)


# -- service fixtures: a real uvicorn server on loopback over a real database -----------------

import glob
import shutil
import socket
import tempfile
import threading
import time
import uuid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster from the Debian packages (or RUANGAMAN_TEST_POSTGRES_URL)."""
    url = os.environ.get("RUANGAMAN_TEST_POSTGRES_URL")
    if url:
        yield url
        return
    initdb = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not initdb:  # ./test.sh installs it (scripts/test-deps.sh)
        pytest.fail("PostgreSQL must be installed for the store tests: apt-get install postgresql")
    bindir = Path(initdb[-1]).parent
    root = Path(tempfile.mkdtemp(prefix="ruangaman-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # postgres refuses to run as root
        shutil.chown(root, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = root / "data"
    subprocess.run(as_user + [str(bindir / "initdb"), "-D", str(data), "-U", "ruangaman", "--auth=trust", "-E", "UTF8"],
                   check=True, capture_output=True)
    subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-w", "-l", str(root / "log"), "-o",
                              f"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql://ruangaman@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(as_user + [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def _fresh_postgres_db(server_url: str) -> str:
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server_url.replace("postgresql://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A new, migrated database: SQLite in a temp folder, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ruangaman.db'}"
    else:
        url = _fresh_postgres_db(request.getfixturevalue("postgres_server"))
    from ruangaman.store import Store, upgrade

    store = Store(url)
    upgrade(store.engine)
    store.close()
    return url


class Server:
    """uvicorn serving create_app() in a thread; keys for every role."""

    def __init__(self, app, port: int):
        import uvicorn

        self.app = app
        self.base = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                                    loop="asyncio", lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.02)
        self.store = app.state.runtime.store
        self.keys = {role: self.store.create_key(f"{role}-test", role, "acme")[0]
                     for role in ("platform", "reviewer", "analyst", "admin", "staff", "creator")}

    def client(self, role: str | None = "platform"):
        import httpx

        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.base, headers=headers, timeout=30)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)


@pytest.fixture
def make_server(engine, tmp_path):
    """Start servers on given settings; every one is stopped at the end of the test."""
    from ruangaman.service import Settings, create_app
    from ruangaman.store import Store, upgrade

    started: list[tuple[Server, Store]] = []

    def start(database_url: str, **settings):
        """``database_url=""`` is the embedded default: SQLite in the data folder."""
        s = Settings.load(env={}, data_dir=str(tmp_path / "data"), database_url=database_url, **settings)
        store = Store(s.database_url, key_cache_s=s.key_cache_seconds)
        upgrade(store.engine)
        server = Server(create_app(s, store=store, engine=engine), free_port())
        started.append((server, store))
        return server

    yield start
    for server, store in started:
        server.stop()
        store.close()
