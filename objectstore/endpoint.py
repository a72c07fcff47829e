"""The public port: which API a request is for, decided by the whole request (DESIGN §6).

A request that carries an S3 signature (an `Authorization: AWS4-...` or `AWS ...` header,
or a presigned URL's X-Amz-Signature / X-Amz-Credential / AWSAccessKeyId query) is S3,
whatever its path: so buckets may be named `info`, `healthcheck`, `v1.0` or `auth`.
Anything else is Swift when its path has Swift's shape -- /auth/v1.0 and /v1.0 (TempAuth),
/v1 and /v1/..., /info, /healthcheck, and any path beginning `//` -- and S3 otherwise
(where an unsigned request is anonymous: it gets what ACLs and policies grant everyone).
Swift clients authenticate with X-Auth-Token, never with an AWS signature, so no Swift
request is taken for S3; an unsigned GET /info
or /healthcheck stays Swift's /info and the health check. `/_admin/...` is the admin
API, signed or not (it takes either API's credentials; no S3 bucket name begins `_`).
Other services of the port (`/metrics`, `/console/`) are `unsigned` routes: an unsigned
request whose path is the route's, or below it, goes there; a signed one stays S3's, so
a bucket may still have such a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SWIFT_EXACT = frozenset({"/auth/v1.0", "/auth/v1.0/", "/v1.0", "/v1.0/", "/info",
                         "/healthcheck", "/v1"})
S3_QUERY_SIGNATURES = frozenset({"X-Amz-Signature", "X-Amz-Credential", "AWSAccessKeyId"})


def is_s3_signed(scope: Scope) -> bool:
    """The request carries an S3 signature (header or presigned query)."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            return bytes(value).startswith((b"AWS4-", b"AWS "))
    query = scope.get("query_string", b"").decode("latin-1")
    return any(k in S3_QUERY_SIGNATURES for k, _ in parse_qsl(query, keep_blank_values=True))


def is_swift(scope: Scope) -> bool:
    """(A path beginning `//` is no S3 bucket's: a Swift client that doubled the slash
    of its storage URL gets Swift's 404, not an S3 error.)"""
    path = scope["path"]
    return (path in SWIFT_EXACT or path.startswith(("/v1/", "//"))) and \
        not is_s3_signed(scope)


ADMIN = "/_admin"       # the admin API; no S3 bucket can have this name


def is_admin(scope: Scope) -> bool:
    path: str = scope["path"]
    return path == ADMIN or path.startswith(ADMIN + "/")


class Endpoint:
    def __init__(self, swift: ASGIApp, s3: ASGIApp, admin: ASGIApp | None = None,
                 unsigned: Mapping[str, ASGIApp] | None = None) -> None:
        """`unsigned`: a path (e.g. "/metrics") -> the app for unsigned requests to it
        and below it."""
        self.swift = swift
        self.s3 = s3
        self.admin = admin
        self.unsigned = dict(unsigned or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        if self.admin is not None and is_admin(scope):
            app = self.admin
        else:
            app = (self.unsigned and self._unsigned_route(scope)) or \
                (self.swift if is_swift(scope) else self.s3)
        await app(scope, receive, _close_on_error(scope, send) if _has_body(scope) else send)


    def _unsigned_route(self, scope: Scope) -> ASGIApp | None:
        path: str = scope["path"]
        root = "/" + path[1:].split("/", 1)[0]
        app = self.unsigned.get(root)
        if app is None or is_s3_signed(scope):
            return None
        return app


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
