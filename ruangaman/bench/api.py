"""Load benchmark of the HTTP API on loopback, bounded in requests and in time.

A real server process (``ruangaman serve``, SQLite with synchronous=FULL) and a load
generator in this process: keep-alive HTTP/1.1 connections on asyncio streams.  Three runs,
the same client and connections for each: ``GET /v1/ping`` (a constant answer behind the
same key check: the baseline), ``POST /v1/assess`` (one text, stored) and
``POST /v1/assess/batch``.  Every assess request carries a new id, so each one is a real
write, not an idempotent replay.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

__all__ = ["run_api_bench"]


@dataclass
class Run:
    name: str
    requests: int
    texts: int
    seconds: float
    latencies_ms: np.ndarray
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def tps(self) -> float:
        return self.texts / self.seconds

    def pct(self, q: float) -> float:
        return float(np.percentile(self.latencies_ms, q)) if len(self.latencies_ms) else float("nan")


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    if length:
        await reader.readexactly(length)
    return status


async def _load(port: int, make: Callable[[int], tuple[bytes, int]], n: int, seconds: float, conns: int) -> Run:
    issued = 0
    lat: list[float] = []
    texts = 0
    errors = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal issued, texts, errors
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            while issued < n and time.perf_counter() < deadline:
                k = issued
                issued += 1
                request, count = make(k)
                t0 = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                lat.append((time.perf_counter() - t0) * 1000)
                if status == 200:
                    texts += count
                else:
                    errors += 1
        finally:
            writer.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(conns)))
    return Run("", len(lat), texts, time.perf_counter() - t0, np.asarray(lat), errors)


def _request(method: str, path: str, key: str, body: bytes = b"") -> bytes:
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


def run_api_bench(n: int = 20000, seconds: float = 10.0, connections: int = 8, batch_size: int = 100,
                  corpus: Path | None = None, workers: int = 1) -> dict:
    """Start a server, measure ping, single assess and batch assess; print and return the figures."""
    from rich.console import Console
    from rich.table import Table

    from ruangaman.bench.run import DEFAULT_CORPUS

    path = corpus or DEFAULT_CORPUS
    if not path.exists():
        raise SystemExit(f"error: bench corpus must exist. Got {path} instead (run from the repository root).")
    texts = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory(prefix="ruangaman-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("RUANGAMAN_")}
        exe = str(Path(sys.executable).with_name("ruangaman"))
        key = subprocess.run([exe, "keys", "create", "--name", "bench", "--role", "platform", "--data-dir", tmp],
                             env=env, capture_output=True, check=False)
        if key.returncode != 0:  # the schema is made by serve on first start; make it now
            subprocess.run([exe, "db", "upgrade", "--data-dir", tmp], env=env, capture_output=True, check=True)
            key = subprocess.run([exe, "keys", "create", "--name", "bench", "--role", "platform", "--data-dir", tmp],
                                 env=env, capture_output=True, check=True)
        secret = key.stdout.decode().strip()
        port = _free_port()
        server = subprocess.Popen([exe, "serve", "--port", str(port), "--data-dir", tmp, "--workers", str(workers),
                                   "--log-level", "warning"], env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        try:
            _wait_ready(port, server)

            def ping(_: int) -> tuple[bytes, int]:
                return _request("GET", "/v1/ping", secret), 1

            def single(k: int) -> tuple[bytes, int]:
                body = json.dumps({"id": f"s-{k}", "text": texts[k % len(texts)]}).encode()
                return _request("POST", "/v1/assess", secret, body), 1

            def batch(k: int) -> tuple[bytes, int]:
                items = [{"id": f"b-{k}-{i}", "text": texts[(k * batch_size + i) % len(texts)]}
                         for i in range(batch_size)]
                return _request("POST", "/v1/assess/batch", secret, json.dumps({"items": items}).encode()), batch_size

            runs: dict[str, Run] = {}

            async def main() -> None:
                for name, make, count in (("ping (constant)", ping, n), ("assess (single)", single, n),
                                          ("assess/batch", batch, max(1, n // batch_size))):
                    await _load(port, make, min(200, count), seconds, connections)  # warm-up
                    run = await _load(port, make, count, seconds, connections)
                    run.name = name
                    runs[name] = run

            try:
                import uvloop

                uvloop.run(main())
            except ImportError:
                asyncio.run(main())
            rss_mb = _peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    table = Table(title=f"HTTP API on loopback: {connections} connections, {workers} worker(s), SQLite "
                        f"synchronous=FULL, batch of {batch_size}")
    for col in ("run", "requests", "req/s", "texts/s", "p50 ms", "p99 ms", "errors"):
        table.add_column(col, justify="right")
    for r in runs.values():
        table.add_row(r.name, str(r.requests), f"{r.rps:,.0f}", f"{r.tps:,.0f}", f"{r.pct(50):.2f}", f"{r.pct(99):.2f}",
                      str(r.errors))
    out = Console()
    out.print(table)
    base, one, many = runs["ping (constant)"], runs["assess (single)"], runs["assess/batch"]
    ratio = one.rps / base.rps
    out.print(f"single assess / constant endpoint: {ratio:.2f} of the req/s (target >= 0.60); "
              f"single p99 {one.pct(99):.2f} ms (target <= 20)")
    out.print(f"batch assess: {many.tps:,.0f} texts/s (target >= 10,000); server peak RSS {rss_mb:.0f} MB")
    return {"ping_rps": base.rps, "single_rps": one.rps, "single_ratio": ratio, "single_p50_ms": one.pct(50),
            "single_p99_ms": one.pct(99), "batch_texts_per_s": many.tps, "batch_p99_ms": many.pct(99),
            "errors": sum(r.errors for r in runs.values()), "server_rss_mb": rss_mb}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_ready(port: int, server: subprocess.Popen) -> None:
    import urllib.request

    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"error: the server exited: {server.stderr.read().decode()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("error: the server did not become ready in 60 s")


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")
