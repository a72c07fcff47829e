"""The OpenStack Swift REST API as one ASGI app, translating onto the proxy core: this
module authenticates and routes; accounts.py, containers.py and objects.py answer.

Every response carries X-Trans-Id. Errors from below are typed (objectstore.errors)
and mapped to Swift's statuses and bodies in one place (swift_errors.SWIFT_ERRORS), by
the one handler in `__call__`; request handlers only raise.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Mapping
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from objectstore import errors, request_id
from objectstore.api import cors, policies, project_domains
from objectstore.api.access import (
    OWNER_HEADERS,
    RESELLER,
    Access,
    Principal,
    owner_headers_in,
    principal_of,
)
from objectstore.api.accounts import account_request
from objectstore.api.backend import Backend
from objectstore.api.bulk import bulk_delete, extract_archive
from objectstore.api.containers import container_request
from objectstore.api.expiry import STATE as EXPIRY_STATE
from objectstore.api.expiry import asks_open_expired
from objectstore.api.formpost import form_post
from objectstore.api.link_requests import invalid_response, through_link
from objectstore.api.metadata import check_header_sizes
from objectstore.api.names import SwiftPath, parse_swift_path
from objectstore.api.objects import ABOUT, copy_sides, object_request
from objectstore.api.permissions import authorize
from objectstore.api.staticweb import web_mode
from objectstore.api.staticweb_requests import web_request
from objectstore.api.swift_errors import MethodNotAllowed, error_response
from objectstore.api.symlink_requests import EXTRA_HEADERS, MAY
from objectstore.api.tempauth import TOKEN_PREFIX, TempAuth
from objectstore.api.tempurl import LinkQuery, TempURLInvalid
from objectstore.api.unsupported import (
    WRITES,
    refuse_unsupported_headers,
)
from objectstore.http.forms import boundary_of
from objectstore.proxy.core import Proxy
from objectstore.proxy.keystone import Keystone

AUTH_PATHS = ("/auth/v1.0", "/auth/v1.0/", "/v1.0", "/v1.0/")


def trans_id() -> str:
    return request_id.request_id()     # the outer layer's id for this request


def realm(raw_path: bytes) -> str:
    """The realm of a 401, as TempAuth names it: the account segment as sent
    (percent-encoded, so a quote or a newline in it cannot break the header)."""
    parts = raw_path.split(b"?", 1)[0].split(b"/")
    if len(parts) > 2 and parts[1] == b"v1" and parts[2]:
        return parts[2].decode("latin-1").replace('"', "%22")
    return "unknown"


class SwiftAPI:
    def __init__(self, proxy: Proxy, auth: TempAuth, capabilities: dict[str, Any],
                 keystone: Keystone | None = None) -> None:
        """`keystone`: tokens that are not TempAuth's are Keystone's to validate."""
        self.proxy = proxy
        self.backend = Backend.over(proxy)
        self.auth = auth
        self.capabilities = capabilities
        self.keystone = keystone

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tx = trans_id()
        request = Request(scope, receive)
        raw_path = scope.get("raw_path") or scope["path"].encode()
        try:
            response = await self.route(request, raw_path)
            await self._cors(request, response)
        except errors.ObjectStoreError as exc:
            response = error_response(exc, getattr(request.state, ABOUT, None))
            response.headers.update(getattr(exc, EXTRA_HEADERS, {}))   # e.g. a link's target
            # a browser may read errors too (when the container cannot be read, the
            # error goes without them)
            with contextlib.suppress(errors.ObjectStoreError):
                await self._cors(request, response)
        except ClientDisconnect:
            response = Response(b"client disconnected", status_code=499)
        if response.status_code == 401 and "www-authenticate" not in response.headers:
            response.headers["www-authenticate"] = f'Swift realm="{realm(raw_path)}"'
        response.headers["x-trans-id"] = tx
        response.headers["x-openstack-request-id"] = tx
        for name, value in scope["headers"]:
            if name == b"connection":    # asked to keep the connection: say it is kept
                if value.lower() == b"keep-alive" and response.status_code < 400:
                    response.headers["connection"] = "keep-alive"
                break
        await response(scope, receive, send)

    async def route(self, request: Request, raw_path: bytes) -> Response:
        path = raw_path.split(b"?", 1)[0]
        if path == b"/healthcheck":
            request_id.note_operation("swift", "healthcheck")
            return Response(b"OK", media_type="text/plain")
        if path == b"/info":
            request_id.note_operation("swift", "info")
            return self.info(request)
        if path.decode("latin-1") in AUTH_PATHS:
            request_id.note_operation("swift", "auth")
            return await self.login(request)
        target = parse_swift_path(path)
        request_id.note_operation("swift", f"{request.method} {target.level}",
                                  target.container or "")
        cors.answering_for(request, target)
        if target.version != "v1":
            raise errors.NotFound("unknown API version")
        check_header_sizes(request.scope["headers"])
        query = request.query_params
        if request.method == "OPTIONS":     # a browser's preflight: no token comes with it
            return await self._options(target, request.headers)
        if request.method == "POST" and target.container is not None:
            boundary = boundary_of(request.headers.get("content-type", ""))
            if boundary is not None:       # a browser's form upload: signed, no token
                request_id.note_account(target.account)
                return await form_post(self.backend, request, target, path, boundary)
        link = LinkQuery.of(query)
        if link is not None:        # a temporary URL: the link is the credential
            request_id.note_account(target.account)
            try:
                return await through_link(self.backend, request, target, link)
            except TempURLInvalid:
                return invalid_response(request.method)
        token = request.headers.get("x-auth-token") or request.headers.get("x-storage-token")
        who = await self._who(token)
        request_id.note_account(target.account)
        setattr(request.state, RESELLER, who.reseller)
        method = request.method

        async def may(path: SwiftPath, method: str) -> None:
            await authorize(self.backend, who, request, path, method)
        setattr(request.state, MAY, may)     # a symlink's target, with these rights
        if "bulk-delete" in query and method in ("POST", "DELETE"):   # paths: the account's
            request_id.note_operation("swift", "bulk-delete")
            return await bulk_delete(self.backend, request, target.account, may)
        if "extract-archive" in query and method == "PUT":
            request_id.note_operation("swift", "extract-archive", target.container or "")
            return await extract_archive(self.backend, request, target,
                                         query["extract-archive"], may)
        # a COPY reads the object it names (and writes its Destination: _authorize_copy)
        access = await authorize(self.backend, who, request, target,
                                 "GET" if method == "COPY" else method)
        level = target.level
        if access is not Access.OWNER and method in WRITES and level != "object" and \
                owner_headers_in(request.headers):
            raise errors.Forbidden("only the account's owners may set ACLs and TempURL "
                                   f"keys: {', '.join(owner_headers_in(request.headers))}")
        # (where the config does not allow it, the header is not honoured: an expired
        # object stays not found)
        if level == "object" and method in ("GET", "HEAD", "POST") and \
                asks_open_expired(request.headers) and \
                self.capabilities["swift"].get("allow_open_expired"):
            if access is not Access.OWNER:
                raise errors.Forbidden("only the account's owners may open expired objects")
            setattr(request.state, EXPIRY_STATE, True)
        if level == "object" and "version-id" in query and access is not Access.OWNER:
            # (Swift's: a version is read or removed only by the account's owners)
            raise errors.Forbidden("only the account's owners may ask for a version")
        refuse_unsupported_headers(method, level, request.headers, target.account,
                                   manifest_put=query.get("multipart-manifest") == "put")
        web = None
        if method in ("GET", "HEAD") and target.container is not None and (
                who.account is None or web_mode(request.headers)):
            web = await web_request(self.backend, request, target, path)
        if web is not None:
            response = web
        elif target.obj is not None:
            await self._authorize_copy(who, request, target)
            response = await object_request(self.backend, request, target)
        elif target.container is not None:
            response = await container_request(self.backend, request, target)
        else:
            response = await account_request(self.backend, request, target)
        if access is not Access.OWNER:
            for name in [k for k in response.headers if k in OWNER_HEADERS]:
                del response.headers[name]
        if who.domain is not None and response.status_code < 300:
            await project_domains.remember(self.backend, who, target, method)
        return response

    def info(self, request: Request) -> Response:
        """/info: what this cluster does, for anyone (a page on any origin too)."""
        if request.method == "OPTIONS":
            return Response(status_code=200, headers={"allow": ", ".join(cors.INFO_METHODS)})
        if request.method not in ("GET", "HEAD"):
            raise MethodNotAllowed(request.method)
        ring = self.proxy.ring.current()
        swift = {**self.capabilities["swift"], "policies": policies.info(ring.policies)}
        info = {**self.capabilities, "swift": swift, "objectstore_ring": {
            "version": ring.version, "checksum": ring.checksum}}
        response = Response(json.dumps(info).encode(),      # (the charset as Swift's)
                            media_type="application/json; charset=UTF-8")
        origin = request.headers.get("origin")
        if origin:
            cors.decorate_info(response, origin, request.method)
        return response

    async def identity_of_token(self, token: str) -> Principal:
        """Who a token stands for (the admin API's Swift credential)."""
        return await self._who(token)

    async def _who(self, token: str | None) -> Principal:
        """Who a token stands for: TempAuth's own tokens, else Keystone's (if any)."""
        if not token:
            return principal_of(None)
        if self.keystone is None or token.startswith(TOKEN_PREFIX):
            await self.auth.users.fresh()
            return principal_of(self.auth.user_of(token))
        return await self.keystone.identity_of(token)

    async def _container_meta(self, t: SwiftPath) -> dict[str, str]:
        assert t.container is not None
        try:
            return await self.backend.containers.head_container(t.account, t.container)
        except errors.NotFound:
            return {}

    async def _options(self, t: SwiftPath, headers: Mapping[str, str]) -> Response:
        if t.container is None:     # (an account has no CORS settings: no preflight)
            return Response(status_code=200, headers={"allow": ", ".join(cors.METHODS)})
        return cors.options(await self._container_meta(t), headers, t.obj is not None)

    async def _cors(self, request: Request, response: Response) -> None:
        """An answer to a browser on another origin (it sent Origin; not a preflight):
        the CORS headers its container's settings give (requests without Origin never
        read them)."""
        origin = request.headers.get("origin")
        t = cors.answering_target(request)
        if origin and t is not None and t.container is not None and \
                request.method != "OPTIONS":
            cors.decorate(response, await self._container_meta(t), origin, request.method,
                          t.obj is not None)

    async def _authorize_copy(self, who: Principal, request: Request, t: SwiftPath) -> None:
        """A copy reads its source and writes its destination (perhaps in another
        account): the side the request's path does not name must be allowed too."""
        sides = copy_sides(request, t)
        if sides is None:
            return
        source, destination = sides
        if request.method == "COPY":
            # the source is read first, as Swift's copy does: a missing one is 404
            # whatever the destination would have allowed
            assert source.container is not None and source.obj is not None
            if "version-id" not in request.query_params:  # (a version: read as copied)
                await self.backend.proxy.head_object(source.account, source.container,
                                                     source.obj)
            await authorize(self.backend, who, request, destination, "PUT")
        else:
            await authorize(self.backend, who, request, source, "GET")

    async def login(self, request: Request) -> Response:
        await self.auth.users.fresh()
        token, session = self.auth.login(
            request.headers.get("x-auth-user") or request.headers.get("x-storage-user"),
            request.headers.get("x-auth-key") or request.headers.get("x-storage-pass"))
        base = str(request.base_url).rstrip("/")
        url = f"{base}/v1/{session.user.swift_account}"
        return Response(status_code=200, headers={
            "x-auth-token": token, "x-storage-token": token, "x-storage-url": url,
            "x-auth-token-expires": str(int(session.expires - time.time()))})
