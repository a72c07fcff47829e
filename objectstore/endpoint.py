"""The public port: Swift's paths go to the Swift API, every other path is S3 (DESIGN §6).

Reserved on this port: /auth/v1.0 (and /v1.0), /v1/..., /info, /healthcheck. None of
them can be an S3 path-style bucket request except /info and /healthcheck, which the
design reserves.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

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
        if path in SWIFT_EXACT or path.startswith("/v1/"):
            await self.swift(scope, receive, send)
        else:
            await self.s3(scope, receive, send)
