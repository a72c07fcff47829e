"""Swift requests to an object: PUT (and copies), GET/HEAD, POST, DELETE."""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncIterator
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api import symlinks
from objectstore.api.backend import Backend
from objectstore.api.expiry import delete_at_of, queue
from objectstore.api.metadata import user_metadata
from objectstore.api.names import SwiftPath, parse_swift_path
from objectstore.api.responses import http_date
from objectstore.api.swift_errors import LengthRequired, MethodNotAllowed
from objectstore.api.symlink_requests import follow, put_symlink, resolve
from objectstore.api.unsupported import manifest_query_refused, not_implemented
from objectstore.http.reads import ReadPolicy, answer_read
from objectstore.proxy import copies
from objectstore.proxy.copies import SourceConditions
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.object_info import ObjectInfo
from objectstore.proxy.put_options import CONTENT_HEADERS, PutOptions, content_headers_of
from objectstore.timestamps import Timestamp

# Headers stored with an object and returned with it (besides its user metadata).
OBJECT_HEADERS = ("content-type", "etag", *CONTENT_HEADERS, "x-delete-at")
DELETE_AT = "x-delete-at"
META = "x-object-meta-"
# several ranges: multipart/byteranges; If-Match and If-Unmodified-Since both apply
READS = ReadPolicy(multi_range=True, independent_conditions=True)
DELETED = {"content-type": "text/html; charset=UTF-8"}    # Swift's 204 says so too
ABOUT = "object_headers"    # request.state: the public headers of the object it is about


async def object_request(b: Backend, request: Request, t: SwiftPath) -> Response:
    assert t.container is not None and t.obj is not None
    method = request.method
    sides = copy_sides(request, t)
    if sides is not None:
        return await copy_object(b, request, *sides)
    if method == "PUT":
        if "x-symlink-target" in request.headers:
            return await put_symlink(b, request, t)
        return await put_object(b, request, t)
    if method in ("GET", "HEAD"):
        return await get_object(b, request, t)
    if method == "POST":
        if "x-symlink-target" in request.headers:
            raise errors.BadRequest("A PUT request is required to set a symlink target")
        metadata = user_metadata(request.headers, "object")
        delete_at = delete_at_of(request.headers)
        await b.containers.confirm(t.account, t.container)
        if "content-type" in request.headers:
            response = await post_content_type(b, request, t, metadata, delete_at)
        else:
            posted = dict(metadata)
            if delete_at is not None:
                posted[DELETE_AT] = str(delete_at)
            await b.proxy.post_object(t.account, t.container, t.obj, posted)
            response = Response(status_code=202)
        await queue(b, t, delete_at)
        return await _redirect_if_link(b, t, response)
    if method == "DELETE":
        if "multipart-manifest" in request.query_params:
            head = await b.proxy.head_object_info(t.account, t.container, t.obj)
            manifest_query_refused(request.query_params, head.system.manifest)
        await b.proxy.delete_object(t.account, t.container, t.obj)
        return Response(status_code=204, headers=DELETED)
    raise MethodNotAllowed(method)


async def put_object(b: Backend, request: Request, t: SwiftPath) -> Response:
    assert t.container is not None and t.obj is not None
    h = request.headers
    length = h.get("content-length")
    if length is None and "chunked" not in h.get("transfer-encoding", "").lower():
        raise LengthRequired("Missing Content-Length or Transfer-Encoding: chunked")
    if length is not None and (not length.isdigit() or int(length) > 5 * 1024 ** 3):
        raise errors.BadRequest("bad Content-Length (at most 5 GiB)")
    metadata = user_metadata(h, "object")
    # 404 if missing, 413 past a quota
    await b.containers.confirm_write(t.account, t.container,
                                     int(length) if length else None)
    content_type = h.get("content-type")
    if content_type is None or h.get("x-detect-content-type", "").lower() in (
            "true", "1", "yes", "on"):
        content_type = mimetypes.guess_type(t.obj)[0] or "application/octet-stream"
    delete_at = delete_at_of(h) if "x-delete-at" in h or "x-delete-after" in h else None
    options = PutOptions(content_type=content_type,
                         content_headers=content_headers_of(h.raw),
                         user_metadata=_bare(metadata),
                         length=int(length) if length is not None else None,
                         # (Headers.get of a missing name raises inside: ~1 us more)
                         etag=h["etag"] if "etag" in h else None,  # noqa: SIM401
                         if_none_match_any=_create_only(h.get("if-none-match")),
                         delete_at=delete_at)
    stored = await b.proxy.put_object(t.account, t.container, t.obj, _body(request),
                                         options)
    await queue(b, t, delete_at)
    return Response(status_code=201, headers={"etag": stored.etag,
                                              "last-modified": http_date(stored.timestamp)})


async def post_content_type(b: Backend, request: Request, t: SwiftPath,
                            metadata: dict[str, str], delete_at: int | None) -> Response:
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
                          system_metadata=source.system.headers(), delete_at=delete_at)

    path = (t.account, t.container, t.obj)
    _, stored = await copies.copy_object(b.proxy, path, path, None, rewritten)
    if stored is None:
        posted = dict(metadata)
        if delete_at is not None:
            posted[DELETE_AT] = str(delete_at)
        await b.proxy.post_object(t.account, t.container, t.obj, posted)
    return Response(status_code=202)


async def copy_object(b: Backend, request: Request, src: SwiftPath, dst: SwiftPath) -> Response:
    """Server-side copy: the source streams from its replicas into a new write. Its
    metadata comes along (unless X-Fresh-Metadata), request metadata on top."""
    assert src.container and src.obj and dst.container and dst.obj
    src = await resolve(b, request, src)
    assert src.container and src.obj
    await b.containers.confirm(dst.account, dst.container)
    if b.proxy.known_containers.has_quota(dst.account, dst.container):
        size = (await b.proxy.head_object_info(src.account, src.container, src.obj)).size
        await b.containers.confirm_write(dst.account, dst.container, size)
    h = request.headers
    fresh = h.get("x-fresh-metadata", "").lower() in ("true", "1", "yes")
    metadata = _bare(user_metadata(h, "object"))
    delete_at = delete_at_of(h)

    def destination(source: ObjectInfo) -> PutOptions:
        content = {} if fresh else dict(source.content_headers)
        content.update(content_headers_of(h.raw))
        user = {} if fresh else dict(source.user_metadata)
        user.update(metadata)
        link = {k: v for k, v in source.system.other.items()      # ?symlink=get
                if k.startswith(symlinks.SYSMETA) or k == symlinks.LISTING_ETAG}
        return PutOptions(content_type=h.get("content-type", source.content_type),
                          content_headers=content, user_metadata=user,
                          system_metadata=link, delete_at=delete_at)

    conditions = SourceConditions(dict(h), lambda ts: ts.seconds, as_read=False)
    source, stored = await copies.copy_object(
        b.proxy, (src.account, src.container, src.obj),
        (dst.account, dst.container, dst.obj), conditions, destination,
        h.get("range"))
    assert stored is not None
    await queue(b, dst, delete_at)
    return Response(status_code=201, headers={
        "etag": stored.etag, "last-modified": http_date(stored.timestamp),
        "x-copied-from": quote(f"{src.container}/{src.obj}"),
        "x-copied-from-account": quote(src.account),
        "x-copied-from-last-modified": http_date(source.timestamp)})


async def get_object(b: Backend, request: Request, t: SwiftPath) -> Response:
    assert t.container is not None and t.obj is not None
    whole = request.method == "GET" and "range" not in request.headers
    handle = await b.proxy.open_object(t.account, t.container, t.obj, prefetch=whole)
    where = None
    try:
        if symlinks.is_link(handle.headers):
            if request.query_params.get("symlink") == "get":
                response = await _answer_get(request, handle)
                response.headers.update(symlinks.shown_headers(handle.headers))
                return response
            handle, where = await follow(b, request, t, handle, whole)
        manifest_query_refused(request.query_params, isinstance(handle, ManifestHandle))
        response = await _answer_get(request, handle)
        if where is not None:
            response.headers["content-location"] = where
        return response
    finally:
        handle.discard()        # unless the response is streaming it


async def _redirect_if_link(b: Backend, t: SwiftPath, response: Response) -> Response:
    """A POST to a symlink changed the link (as Swift's does) and answers 307 with the
    target, so a client that meant the target knows where it is."""
    assert t.container is not None and t.obj is not None
    head = await b.proxy.head_object(t.account, t.container, t.obj)
    if not symlinks.is_link(head):
        return response
    return Response(status_code=307, headers={
        "location": symlinks.location(symlinks.target_of(head, t.account))})


async def _answer_get(request: Request, handle: ObjectHandle | ManifestHandle
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


def _object_headers(node: dict[str, str], ts: Timestamp) -> dict[str, str]:
    out = {k: v for k, v in node.items()
           if k in OBJECT_HEADERS or k.startswith(META)
           or k in ("content-length", "content-range")}
    out["x-timestamp"] = ts.normal
    out["last-modified"] = http_date(ts)
    out["accept-ranges"] = "bytes"
    return out


def copy_sides(request: Request, t: SwiftPath) -> tuple[SwiftPath, SwiftPath] | None:
    """(source, destination) of a copy -- a PUT with X-Copy-From (-Account) or a COPY
    with Destination (-Account) -- or None for any other request."""
    h = request.headers
    if request.method == "PUT" and "x-copy-from" in h:
        account = unquote(h.get("x-copy-from-account", "")) or t.account
        return copy_source(h["x-copy-from"], account), t
    if request.method == "COPY":
        account = unquote(h.get("destination-account", "")) or t.account
        return t, copy_source(h.get("destination", ""), account)
    return None


def copy_source(header: str, account: str) -> SwiftPath:
    """`container/object` (URL-encoded, an optional leading slash) in `account`."""
    container, _, obj = unquote(header).lstrip("/").partition("/")
    if not container or not obj:
        raise errors.PreconditionFailed("copy source/destination must be container/object")
    return parse_swift_path(f"/v1/{quote(account)}/{quote(container)}/{quote(obj)}".encode())
