"""`/metrics`: the Prometheus text format of one registry, to those the access rule
lets in (metrics/access.py), for GET and HEAD; a plain-text 403 or 405 otherwise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.types import Receive, Scope, Send

from objectstore.metrics.access import MetricsSettings, refusal
from objectstore.request_id import note_operation

PATH = "/metrics"


class MetricsApp:
    def __init__(self, registry: CollectorRegistry, settings: MetricsSettings,
                 refresh: Callable[[], Awaitable[None]] | None = None) -> None:
        """`refresh`: brings slow figures up to date before a scrape (a node's disk
        walk, off the event loop); collecting itself runs on the loop, where the
        figures are counted, so it never reads them half-changed."""
        self.registry = registry
        self.settings = settings
        self.refresh = refresh

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        note_operation("metrics", "scrape")
        method = scope["method"]
        if scope["path"] != PATH:
            await _plain(send, 404, b"no such path (the metrics are at /metrics)\n")
        elif method not in ("GET", "HEAD"):
            await _plain(send, 405, b"/metrics is read with GET or HEAD\n",
                         [(b"allow", b"GET, HEAD")])
        elif (why := refusal(self.settings, scope)) is not None:
            await _plain(send, 403, why.encode() + b"\n")
        else:
            if self.refresh is not None:
                await self.refresh()
            body = generate_latest(self.registry)
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", CONTENT_TYPE_LATEST.encode()),
                (b"content-length", b"%d" % len(body)),
                (b"cache-control", b"no-store")]})
            await send({"type": "http.response.body",
                        "body": b"" if method == "HEAD" else body})


async def _plain(send: Send, status: int, body: bytes,
                 headers: list[tuple[bytes, bytes]] | None = None) -> None:
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", b"%d" % len(body)), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})
