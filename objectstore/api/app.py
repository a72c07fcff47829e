"""The OpenStack Swift REST API as one ASGI app, translating onto the proxy core.

Every response carries X-Trans-Id. Errors from below are typed (objectstore.errors)
and mapped to Swift's statuses and bodies in one place (swift_errors.SWIFT_ERRORS), by
the one handler in `__call__`; request handlers only raise.
"""

from __future__ import annotations

import json
import mimetypes
import time
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote, unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from objectstore import errors, request_id
from objectstore.api.metadata import check_limits, user_metadata
from objectstore.api.names import SwiftPath, parse_swift_path
from objectstore.api.responses import (
    container_entry,
    http_date,
    listing_format,
    object_entry,
    render_listing,
)
from objectstore.api.swift_errors import MethodNotAllowed, error_response
from objectstore.api.tempauth import TempAuth
from objectstore.api.unsupported import (
    TEMPURL_QUERY,
    manifest_query_refused,
    not_implemented,
    refuse_unsupported_headers,
    refuse_unsupported_query,
)
from objectstore.http.reads import ReadPolicy, answer_read
from objectstore.proxy import copies
from objectstore.proxy.bucket_names import BucketNames
from objectstore.proxy.containers import Containers
from objectstore.proxy.copies import SourceConditions
from objectstore.proxy.core import Proxy
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.object_info import ObjectInfo
from objectstore.proxy.put_options import CONTENT_HEADERS, PutOptions, content_headers_of
from objectstore.timestamps import Timestamp

# Headers stored with an object and returned with it (besides its user metadata).
OBJECT_HEADERS = ("content-type", "etag", *CONTENT_HEADERS)
META = "x-object-meta-"
READS = ReadPolicy(multi_range=True)    # several ranges: multipart/byteranges
AUTH_PATHS = ("/auth/v1.0", "/auth/v1.0/", "/v1.0", "/v1.0/")
ABOUT = "object_headers"    # request.state: the public headers of the object it is about


def trans_id() -> str:
    return request_id.request_id()     # the outer layer's id for this request


class SwiftAPI:
    def __init__(self, proxy: Proxy, auth: TempAuth, capabilities: dict[str, Any]) -> None:
        self.proxy = proxy
        self.containers = Containers(proxy)
        self.names = BucketNames(proxy, self.containers)
        self.auth = auth
        self.capabilities = capabilities

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        tx = trans_id()
        request = Request(scope, receive)
        raw_path = scope.get("raw_path") or scope["path"].encode()
        try:
            response = await self.route(request, raw_path)
        except errors.ObjectStoreError as exc:
            response = error_response(exc, getattr(request.state, ABOUT, None))
        except ClientDisconnect:
            response = Response(b"client disconnected", status_code=499)
        response.headers["x-trans-id"] = tx
        response.headers["x-openstack-request-id"] = tx
        await response(scope, receive, send)

    async def route(self, request: Request, raw_path: bytes) -> Response:
        path = raw_path.split(b"?", 1)[0]
        if path == b"/healthcheck":
            return Response(b"OK", media_type="text/plain")
        if path == b"/info":
            ring = self.proxy.ring.current()
            info = {**self.capabilities, "objectstore_ring": {
                "version": ring.version, "checksum": ring.checksum}}
            return Response(json.dumps(info).encode(),
                            media_type="application/json; charset=utf-8")
        if path.decode("latin-1") in AUTH_PATHS:
            return self.login(request)
        target = parse_swift_path(path)
        if target.version != "v1":
            raise errors.NotFound("unknown API version")
        query = request.query_params
        refuse_unsupported_query(query, TEMPURL_QUERY)   # a temporary URL has no token
        token = request.headers.get("x-auth-token") or request.headers.get("x-storage-token")
        user = self.auth.check(token, target.account)
        request_id.note_account(target.account)
        if not user.admin:
            # until ACLs exist there is nothing a non-admin user may do (auth still works)
            raise errors.Forbidden("not an admin user; no ACL grants access yet")
        refuse_unsupported_query(query)
        level = ("object" if target.obj is not None else
                 "container" if target.container is not None else "account")
        refuse_unsupported_headers(request.method, level, request.headers, target.account)
        if target.obj is not None:
            return await self.object(request, target)
        if target.container is not None:
            return await self.container(request, target)
        return await self.account(request, target)

    def login(self, request: Request) -> Response:
        token, session = self.auth.login(
            request.headers.get("x-auth-user") or request.headers.get("x-storage-user"),
            request.headers.get("x-auth-key") or request.headers.get("x-storage-pass"))
        base = str(request.base_url).rstrip("/")
        url = f"{base}/v1/{session.user.swift_account}"
        return Response(status_code=200, headers={
            "x-auth-token": token, "x-storage-token": token, "x-storage-url": url,
            "x-auth-token-expires": str(int(session.expires - time.time()))})

    # -- accounts ------------------------------------------------------------------------
    async def account(self, request: Request, t: SwiftPath) -> Response:
        method = request.method
        if method in ("GET", "HEAD"):
            params = _listing_params(request)
            listing = await self.containers.list_account(t.account, **params)
            headers = _stats_headers(listing.headers, "account")
            if method == "HEAD":
                return Response(status_code=204, headers=headers)
            fmt = listing_format(request.query_params.get("format"),
                                 request.headers.get("accept"))
            entries = [container_entry(e) for e in listing.entries]
            return _listing_response(fmt, "account", t.account, "container", entries, headers)
        if method == "POST":
            metadata = user_metadata(request.headers, "account")
            current = await self.containers.list_account(t.account, limit="1")
            _check_total(current.headers, metadata, "account")
            await self.containers.post_account(t.account, metadata)
            return Response(status_code=204)
        raise MethodNotAllowed(method)

    # -- containers ----------------------------------------------------------------------
    async def container(self, request: Request, t: SwiftPath) -> Response:
        assert t.container is not None
        if "/" in t.container:
            raise errors.BadRequest("container names may not contain '/'")
        method = request.method
        if method == "PUT":
            return await self.put_container(request, t)
        if method in ("GET", "HEAD"):
            if method == "HEAD":
                info = await self.containers.head_container(t.account, t.container)
                return Response(status_code=204, headers=_stats_headers(info, "container"))
            listing = await self.containers.list_container(t.account, t.container,
                                                           **_listing_params(request))
            fmt = listing_format(request.query_params.get("format"),
                                 request.headers.get("accept"))
            entries = [object_entry(e) for e in listing.entries]
            return _listing_response(fmt, "container", t.container, "object", entries,
                                     _stats_headers(listing.headers, "container"))
        if method == "POST":
            metadata = user_metadata(request.headers, "container")
            current = await self.containers.head_container(t.account, t.container)
            _check_total(current, metadata, "container")
            await self.containers.post_container(t.account, t.container, metadata)
            return Response(status_code=204)
        if method == "DELETE":
            await self.containers.delete_container(t.account, t.container)
            await self.names.release(t.account, t.container)
            return Response(status_code=204)
        raise MethodNotAllowed(method)

    async def put_container(self, request: Request, t: SwiftPath) -> Response:
        """Create (201) or update (202) a container, after claiming its name in the one
        namespace S3 shares (409 with the reason if another account holds it)."""
        assert t.container is not None
        metadata = user_metadata(request.headers, "container")
        claimed = await self.names.claim(t.account, t.container)
        try:
            created = await self.containers.put_container(t.account, t.container, metadata)
        except errors.ObjectStoreError:
            if claimed:          # do not keep a name for a container that was not made
                await self.names.release(t.account, t.container)
            raise
        return Response(status_code=201 if created else 202)

    # -- objects -------------------------------------------------------------------------
    async def object(self, request: Request, t: SwiftPath) -> Response:
        assert t.container is not None and t.obj is not None
        method = request.method
        if method == "PUT" and "x-copy-from" in request.headers:
            source = _copy_source(request.headers["x-copy-from"], t.account)
            return await self.copy_object(request, source, t)
        if method == "COPY":
            destination = _copy_source(request.headers.get("destination", ""), t.account)
            return await self.copy_object(request, t, destination)
        if method == "PUT":
            return await self.put_object(request, t)
        if method in ("GET", "HEAD"):
            return await self.get_object(request, t)
        if method == "POST":
            metadata = user_metadata(request.headers, "object")
            await self.containers.confirm(t.account, t.container)
            if "content-type" in request.headers:
                return await self.post_content_type(request, t, metadata)
            await self.proxy.post_object(t.account, t.container, t.obj, metadata)
            return Response(status_code=202)
        if method == "DELETE":
            if "multipart-manifest" in request.query_params:
                head = await self.proxy.head_object_info(t.account, t.container, t.obj)
                manifest_query_refused(request.query_params, head.system.manifest)
            await self.proxy.delete_object(t.account, t.container, t.obj)
            return Response(status_code=204)
        raise MethodNotAllowed(method)

    async def put_object(self, request: Request, t: SwiftPath) -> Response:
        assert t.container is not None and t.obj is not None
        h = request.headers
        length = h.get("content-length")
        if length is None and "chunked" not in h.get("transfer-encoding", "").lower():
            raise errors.BadRequest("Missing Content-Length or Transfer-Encoding: chunked")
        if length is not None and (not length.isdigit() or int(length) > 5 * 1024 ** 3):
            raise errors.BadRequest("bad Content-Length (at most 5 GiB)")
        metadata = user_metadata(h, "object")
        await self.containers.confirm(t.account, t.container)   # 404 if missing
        content_type = h.get("content-type")
        if content_type is None or h.get("x-detect-content-type", "").lower() in (
                "true", "1", "yes", "on"):
            content_type = mimetypes.guess_type(t.obj)[0] or "application/octet-stream"
        options = PutOptions(content_type=content_type,
                             content_headers=content_headers_of(h.raw),
                             user_metadata=_bare(metadata),
                             length=int(length) if length is not None else None,
                             # (Headers.get of a missing name raises inside: ~1 us more)
                             etag=h["etag"] if "etag" in h else None,  # noqa: SIM401
                             if_none_match_any=_create_only(h.get("if-none-match")))
        stored = await self.proxy.put_object(t.account, t.container, t.obj, _body(request),
                                             options)
        return Response(status_code=201, headers={"etag": stored.etag,
                                                  "last-modified": http_date(stored.timestamp)})

    async def post_content_type(self, request: Request, t: SwiftPath,
                                metadata: dict[str, str]) -> Response:
        """A POST that changes the content type. The nodes' metadata update (.meta) keeps
        user metadata only, so the object is rewritten onto itself with the new type --
        Swift's own post-as-copy -- keeping its content headers and system metadata, with
        the POST's metadata replacing the user metadata as a POST does."""
        assert t.container is not None and t.obj is not None
        h = request.headers
        new_type = h["content-type"]

        def rewritten(source: ObjectInfo) -> PutOptions | None:
            if new_type == source.content_type:
                return None                 # a plain POST will do
            if source.system.manifest:
                raise not_implemented("changing the Content-Type of a segmented object")
            return PutOptions(content_type=new_type,
                              content_headers={**source.content_headers,
                                               **content_headers_of(h.raw)},
                              user_metadata=_bare({k: v for k, v in metadata.items() if v}),
                              system_metadata=source.system.headers())

        path = (t.account, t.container, t.obj)
        _, stored = await copies.copy_object(self.proxy, path, path, None, rewritten)
        if stored is None:
            await self.proxy.post_object(t.account, t.container, t.obj, metadata)
        return Response(status_code=202)

    async def copy_object(self, request: Request, src: SwiftPath, dst: SwiftPath) -> Response:
        """Server-side copy: the source streams from its replicas into a new write. Its
        metadata comes along (unless X-Fresh-Metadata), request metadata on top."""
        assert src.container and src.obj and dst.container and dst.obj
        await self.containers.confirm(dst.account, dst.container)
        h = request.headers
        fresh = h.get("x-fresh-metadata", "").lower() in ("true", "1", "yes")
        metadata = _bare(user_metadata(h, "object"))

        def destination(source: ObjectInfo) -> PutOptions:
            content = {} if fresh else dict(source.content_headers)
            content.update(content_headers_of(h.raw))
            user = {} if fresh else dict(source.user_metadata)
            user.update(metadata)
            return PutOptions(content_type=h.get("content-type", source.content_type),
                              content_headers=content, user_metadata=user)

        conditions = SourceConditions(dict(h), lambda ts: ts.seconds, as_read=False)
        source, stored = await copies.copy_object(
            self.proxy, (src.account, src.container, src.obj),
            (dst.account, dst.container, dst.obj), conditions, destination)
        assert stored is not None
        return Response(status_code=201, headers={
            "etag": stored.etag, "last-modified": http_date(stored.timestamp),
            "x-copied-from": quote(f"{src.container}/{src.obj}"),
            "x-copied-from-account": quote(src.account),
            "x-copied-from-last-modified": http_date(source.timestamp)})

    async def get_object(self, request: Request, t: SwiftPath) -> Response:
        assert t.container is not None and t.obj is not None
        whole = request.method == "GET" and "range" not in request.headers
        handle = await self.proxy.open_object(t.account, t.container, t.obj, prefetch=whole)
        try:
            manifest_query_refused(request.query_params, isinstance(handle, ManifestHandle))
            return await self._answer_get(request, handle)
        finally:
            handle.discard()        # unless the response is streaming it

    async def _answer_get(self, request: Request, handle: ObjectHandle | ManifestHandle
                          ) -> Response:
        ts = handle.timestamp
        headers = _object_headers(handle.headers, ts)
        setattr(request.state, ABOUT, headers)   # a 304 or 416 quotes some of them
        return await answer_read(handle, request.method, dict(request.headers), headers,
                                 ts.seconds, READS)


def _create_only(value: str | None) -> bool:
    """`If-None-Match: *` on PUT: create only (412 if the object exists). Swift takes
    no other value there."""
    if value is None:
        return False
    if value.strip() != "*":
        raise errors.BadRequest("If-None-Match only supports *")
    return True


def _bare(metadata: dict[str, str]) -> dict[str, str]:
    """x-object-meta-<name> -> <name>, as PutOptions wants user metadata."""
    return {k[len(META):]: v for k, v in metadata.items()}


async def _body(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        yield chunk


def _check_total(current: dict[str, str], update: dict[str, str], kind: str) -> None:
    """Swift's metadata limits hold for what an account or container keeps, not just
    for one request: the stored items, updated by this request (empty deletes)."""
    prefix = f"x-{kind}-meta-"
    merged = {k: v for k, v in current.items() if k.startswith(prefix)}
    merged.update(update)
    check_limits({k: v for k, v in merged.items() if v}, prefix)


def _listing_params(request: Request) -> dict[str, Any]:
    q = request.query_params
    limit = q.get("limit")
    if limit is not None and (not limit.isdigit() or int(limit) > 10_000):
        raise errors.PreconditionFailed("Maximum limit is 10000")
    return {"prefix": q.get("prefix"), "delimiter": q.get("delimiter"),
            "marker": q.get("marker"), "end_marker": q.get("end_marker"),
            "limit": limit, "reverse": "true" if q.get("reverse", "").lower() in (
                "true", "1", "yes", "on") else None}


def _stats_headers(node: dict[str, str], kind: str) -> dict[str, str]:
    count, used = node.get("x-item-count", "0"), node.get("x-bytes-used", "0")
    headers = {f"x-{kind}-bytes-used": used}
    if kind == "account":
        headers["x-account-container-count"] = count
        headers["x-account-object-count"] = node.get("x-object-count", "0")
    else:
        headers["x-container-object-count"] = count
    if "x-put-timestamp" in node:
        headers["x-timestamp"] = Timestamp.parse(node["x-put-timestamp"]).normal
    headers.update({k: v for k, v in node.items() if k.startswith(f"x-{kind}-meta-")})
    return headers


def _listing_response(fmt: str, root: str, name: str, tag: str, entries: list[dict[str, Any]],
                      headers: dict[str, str]) -> Response:
    body, content_type = render_listing(fmt, root, name, tag, entries)
    if fmt == "text" and not entries:
        return Response(status_code=204, headers=headers)
    return Response(body, status_code=200, headers={**headers, "content-type": content_type})


def _object_headers(node: dict[str, str], ts: Timestamp) -> dict[str, str]:
    out = {k: v for k, v in node.items()
           if k in OBJECT_HEADERS or k.startswith(META)
           or k in ("content-length", "content-range")}
    out["x-timestamp"] = ts.normal
    out["last-modified"] = http_date(ts)
    out["accept-ranges"] = "bytes"
    return out


def _copy_source(header: str, account: str) -> SwiftPath:
    """`container/object` (URL-encoded, an optional leading slash) in `account`."""
    container, _, obj = unquote(header).lstrip("/").partition("/")
    if not container or not obj:
        raise errors.PreconditionFailed("copy source/destination must be container/object")
    return parse_swift_path(f"/v1/{quote(account)}/{quote(container)}/{quote(obj)}".encode())
