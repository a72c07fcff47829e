"""The admin API: `/_admin/v1/...` on the proxy port, JSON in and out (docs/admin-api.md).

Who asks is known by either API's credentials: a Swift token (X-Auth-Token, TempAuth's or
Keystone's) or an S3 signature (SigV4 or V2, in the header or presigned) -- so the CLI,
curl, boto3 and the web console can all use it. Everything but `whoami` and a user's
own usage is for reseller admins (issue 11's: they manage every account).

No S3 bucket can be named `_admin` (S3 names begin with a letter or digit), so the path
shadows none; a Swift container of that name is still reached through /v1/...
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from objectstore import errors, request_id
from objectstore.api.swift_errors import swift_error
from objectstore.proxy.authorization import Identity
from objectstore.s3compat import s3errors, sigv4

PREFIX = "/_admin"
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class Caller:
    """Who asks: an account's user, perhaps a reseller admin."""

    account: str
    user: str
    admin: bool
    reseller: bool

    def require_reseller(self) -> None:
        if not self.reseller:
            raise errors.Forbidden("only a reseller admin may do this")

    def may_see(self, account: str) -> None:
        """Its own account's figures, or any account's for a reseller admin."""
        if not self.reseller and account != self.account:
            raise errors.Forbidden("a user sees its own account's figures only")


class Asked:
    """One admin request: its method, path below /_admin/v1 split in parts, query, and
    its body read as JSON on demand."""

    def __init__(self, request: Request, parts: list[str], body: bytes) -> None:
        self.request = request
        self.method = request.method
        self.parts = parts
        self.query = request.query_params
        self._body = body

    def json(self) -> dict[str, Any]:
        try:
            doc = json.loads(self._body or b"{}")
        except ValueError:
            raise errors.BadRequest("the body is not JSON") from None
        if not isinstance(doc, dict):
            raise errors.BadRequest("the body must be a JSON object")
        return doc


Handler = Callable[[Asked, Caller], Awaitable[Response]]


def answer(doc: Any, status: int = 200) -> Response:
    return Response(json.dumps(doc, indent=1).encode() + b"\n", status_code=status,
                    media_type="application/json")


def error_answer(exc: errors.ObjectStoreError) -> Response:
    entry = swift_error(exc)
    code = entry.reason.replace(" ", "")
    return answer({"error": code, "message": str(exc) or entry.reason}, entry.status)


# (request, raw path, query pairs, whether to check the signature over the query as
# sent rather than its canonical form) -> who signed it (None: nobody did)
Signed = Callable[[Request, str, list[tuple[str, str]], bool], Awaitable["Caller | None"]]


class Authenticators:
    """How a credential becomes a Caller: a Swift token (`token`), an S3 signature
    (`signed`). Both are the APIs' own checks, given by the assembler.

    A SigV4 signature is checked over AWS's canonical query first, then over the query
    exactly as sent: botocore's signer, given a URL with its query already written
    (`?since=2026-12-06T00:00:00Z`, as the console and scripts write it), signs those
    characters as they are, while the canonical form escapes the `:` (`%3A`). Both are
    over the bytes received, so the second try admits no request the client did not
    sign; the S3 API itself keeps to AWS's canonical form."""

    def __init__(self, token: Callable[[str], Awaitable[Identity]],
                 signed: Signed) -> None:
        self.token = token
        self.signed = signed

    async def caller(self, request: Request, raw_path: str, body: bytes) -> Caller:
        token = request.headers.get("x-auth-token") or request.headers.get("x-storage-token")
        if token:
            who = await self.token(token)
            if who.account is None:
                raise errors.Unauthorized("unknown or expired token")
            account = who.account.removeprefix("AUTH_")
            return Caller(account, who.user or "", who.admin, who.reseller)
        raw_query = request.scope.get("query_string", b"").decode("latin-1")
        query = sigv4.split_query(raw_query)
        try:
            try:
                found = await self.signed(request, raw_path, query, False)
            except s3errors.SignatureDoesNotMatch:
                if not raw_query:
                    raise
                found = await self.signed(request, raw_path, query, True)
        except s3errors.S3Error as exc:
            raise errors.Unauthorized(f"{exc.code}: the signature does not verify") from None
        if found is None:
            raise errors.Unauthorized("sign the request (S3) or send X-Auth-Token (Swift)")
        declared = request.headers.get("x-amz-content-sha256", "")
        if len(declared) == 64 and declared != hashlib.sha256(body).hexdigest():
            raise errors.Unauthorized("the body is not the one signed")
        return found


class AdminAPI:
    def __init__(self, auth: Authenticators, routes: dict[str, Handler]) -> None:
        """`routes`: the first path part below /_admin/v1 -> its handler."""
        self.auth = auth
        self.routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        try:
            response = await self.handle(request)
        except errors.ObjectStoreError as exc:
            response = error_answer(exc)
        except ClientDisconnect:
            response = Response(b"client disconnected", status_code=499)
        response.headers["x-trans-id"] = request_id.request_id()
        response.headers["cache-control"] = "no-store"
        await response(scope, receive, send)

    async def handle(self, request: Request) -> Response:
        raw = (request.scope.get("raw_path") or request.scope["path"].encode()).decode(
            "latin-1").split("?", 1)[0]
        parts = [p for p in request.scope["path"].removeprefix(PREFIX).split("/") if p]
        if parts[:1] != ["v1"] or len(parts) < 2:
            raise errors.NotFound("the admin API is /_admin/v1/<resource>")
        request_id.note_operation("admin", f"{request.method} {parts[1]}")
        body = await _body(request)
        caller = await self.auth.caller(request, raw, body)
        request_id.note_account(caller.account)
        handler = self.routes.get(parts[1])
        if handler is None:
            raise errors.NotFound(f"no admin resource {parts[1]!r}")
        return await handler(Asked(request, parts[2:], body), caller)


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared and (not declared.isdigit() or int(declared) > MAX_BODY):
        raise errors.BadRequest(f"an admin request body is at most {MAX_BODY} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise errors.BadRequest(f"an admin request body is at most {MAX_BODY} bytes")
    return bytes(body)
