"""Pure ASGI middleware: the request-body limit (Starlette sets none) and Prometheus metrics."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram

from ruangaman.service.errors import error_body

__all__ = ["BodyLimit", "Metrics"]


class _TooLarge(Exception):
    pass


class BodyLimit:
    """413 in the common error shape for a body over ``max_bytes``, declared or streamed."""

    def __init__(self, app: Any, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    return await _send_error(send, 400, "bad_request", "content-length must be an integer.")
                if declared > self.max_bytes:
                    return await self._too_large(send, declared)
        seen = 0
        started = False

        async def limited_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge()
            return message

        async def tracking_send(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._too_large(send, seen)

    async def _too_large(self, send: Any, size: int) -> None:
        await _send_error(send, 413, "body_too_large",
                          f"request body must be at most {self.max_bytes} bytes. Got {size}{'+' if size else ''} instead.")


async def _send_error(send: Any, status: int, code: str, message: str) -> None:
    body = error_body(code, message)
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class Metrics:
    """Request counts and latencies by route template (never by raw path: ids stay out), assessments by level."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("ruangaman_http_requests_total", "HTTP requests by route and status",
                                ["method", "route", "status"], registry=self.registry)
        self.latency = Histogram("ruangaman_http_request_seconds", "HTTP request latency by route", ["route"],
                                 buckets=(.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5),
                                 registry=self.registry)
        self.assessed = Counter("ruangaman_assessed_total", "Texts assessed, by level", ["self_harm"],
                                registry=self.registry)
        self.degraded = Counter("ruangaman_degraded_total", "Answers from the rule safety net (model failed)",
                                registry=self.registry)
        self.batch_group = Histogram("ruangaman_batch_group_texts", "Texts per engine call of the batch endpoint "
                                     "(concurrent batch requests are assessed together)",
                                     buckets=(1, 10, 50, 100, 200, 400, 600, 800, 1000), registry=self.registry)
        self.replayed = Counter("ruangaman_replayed_total", "Items answered from the store (repeated id)",
                                registry=self.registry)

    def middleware(self, app: Any) -> Any:
        metrics = self

        async def wrapped(scope: dict, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                return await app(scope, receive, send)
            t0 = time.perf_counter()
            status = 500

            async def send_status(message: dict) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = message["status"]
                await send(message)

            try:
                await app(scope, receive, send_status)
            finally:
                route = scope.get("route")
                name = getattr(route, "path", None) or "unmatched"
                metrics.requests.labels(scope.get("method", ""), name, str(status)).inc()
                metrics.latency.labels(name).observe(time.perf_counter() - t0)

        return wrapped
