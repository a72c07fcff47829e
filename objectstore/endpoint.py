"""The public port: Swift's paths go to the Swift API, every other path is S3 (DESIGN §6).

Reserved on this port: /auth/v1.0 (and /v1.0), /v1/..., /info, /healthcheck. None of
them can be an S3 path-style bucket request except /info and /healthcheck, which the
design reserves.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SWIFT_EXACT = frozenset({"/auth/v1.0", "/auth/v1.0/", "/v1.0", "/v1.0/", "/info",
                         "/healthcheck", "/v1"})


class Endpoint:
    def __init__(self, swift: ASGIApp, s3: ASGIApp) -> None:
        self.swift = swift
        self.s3 = s3

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        app = self.swift if path in SWIFT_EXACT or path.startswith("/v1/") else self.s3
        await app(scope, receive, _close_on_error(scope, send) if _has_body(scope) else send)


def _has_body(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    return headers.get(b"content-length", b"0") not in (b"", b"0") or \
        b"transfer-encoding" in headers


def _close_on_error(scope: Scope, send: Send) -> Send:
    """An error answered before the request body was read leaves that body on the
    connection, where it would be parsed as the next request: close it instead."""
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start" and message["status"] >= 400:
            message = {**message,
                       "headers": [*message.get("headers", []), (b"connection", b"close")]}
        await send(message)
    return wrapped
