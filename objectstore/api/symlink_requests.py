"""The Swift requests that make, follow or copy symlinks (api/symlinks.py says what a
link is). Every target is reached with the requester's rights: `may(path, method)`,
which the router leaves in `request.state` (an ACL check, or a TempURL's scope)."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api import cors, symlinks, versioning
from objectstore.api.backend import Backend
from objectstore.api.expiry import asked_delete_at, queue
from objectstore.api.metadata import user_metadata
from objectstore.api.names import SwiftPath
from objectstore.api.responses import http_date
from objectstore.api.swift_errors import ConflictWithReason
from objectstore.api.symlinks import May, TooManyLinks
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.object_info import SLO_ETAG
from objectstore.proxy.put_options import PutOptions, content_headers_of

Handle = ObjectHandle | ManifestHandle
MAY = "may"     # request.state: the requester's rights, for targets
EXTRA_HEADERS = "extra_headers"     # on an error: headers its answer carries as well


def located(exc: errors.ObjectStoreError, where: str | None) -> errors.ObjectStoreError:
    """An error about a link's target says which target (Content-Location), as Swift's."""
    if where is not None:
        setattr(exc, EXTRA_HEADERS, {"content-location": where})
    return exc


def may_of(request: Request) -> May:
    found: May | None = getattr(request.state, MAY, None)
    if found is None:       # every router sets it; refuse rather than grant
        raise errors.Forbidden("no authorization for a symlink's target")
    return found


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""       # (an async generator that yields nothing)


async def _empty_body(request: Request) -> None:
    length = request.headers.get("content-length")
    if length is not None:
        if length != "0":
            raise errors.BadRequest("Symlink requests require a zero byte body")
        return
    async for chunk in request.stream():
        if chunk:
            raise errors.BadRequest("Symlink requests require a zero byte body")


async def put_symlink(b: Backend, request: Request, t: SwiftPath) -> Response:
    assert t.container is not None and t.obj is not None
    h = request.headers
    link = symlinks.link_request(h, t)
    await _empty_body(request)
    metadata = user_metadata(h, "object")
    await b.containers.confirm_write(t.account, t.container, 0)
    content_type = h.get("content-type")
    target_etag = target_bytes = target_slo_etag = None
    if link.etag is not None:       # a static link: the target must be there, as named
        target = link.target
        assert target.container is not None and target.obj is not None
        await may_of(request)(target, "HEAD")
        try:
            head = await b.proxy.head_object(target.account, target.container, target.obj)
        except errors.ObjectNotFound:
            raise ConflictWithReason("X-Symlink-Target does not exist") from None
        found = head.get(symlinks.TARGET_ETAG) or head.get("etag", "")
        if found != link.etag:
            raise ConflictWithReason(f"Object Etag {found!r} does not match "
                                  f"X-Symlink-Target-Etag header {link.etag!r}")
        target_etag = found
        target_slo_etag = head.get(SLO_ETAG)       # a large object's, for listings
        target_bytes = head.get("x-object-sysmeta-manifest-size") or \
            head.get("content-length", "0")
        content_type = content_type or head.get("content-type")
    options = PutOptions(
        content_type=content_type or symlinks.DEFAULT_CONTENT_TYPE,
        content_headers=content_headers_of(h.raw),
        user_metadata={k[len("x-object-meta-"):]: v for k, v in metadata.items()},
        system_metadata=symlinks.system_metadata(link, target_etag, target_bytes,
                                                 target_slo_etag),
        length=0,
        delete_at=asked_delete_at(h))
    stored, vid = await versioning.store(b, t, _nothing(), options)
    await queue(b, t, options.delete_at)
    headers = {"etag": stored.etag, "last-modified": http_date(stored.timestamp)}
    if vid is not None:
        headers[versioning.ID] = vid
    return Response(status_code=201, headers=headers)


async def follow(b: Backend, request: Request, t: SwiftPath, handle: Handle,
                 prefetch: bool) -> tuple[Handle, str | None]:
    """The object a link leads to (through at most SYMLOOP_MAX links), and where it is
    (for Content-Location); `handle` itself if it is no link. 409 for too many links
    or a static link whose target changed."""
    expected: str | None = None
    where: str | None = None
    hops = 0
    method = request.method
    while symlinks.is_link(handle.headers):
        static = handle.headers.get(symlinks.TARGET_ETAG)
        found = static or handle.headers.get("etag", "")
        target = symlinks.target_of(handle.headers, t.account)
        handle.discard()
        if expected is not None and expected != found:
            raise located(ConflictWithReason("X-Symlink-Target-Etag headers do not match"),
                          where)
        if hops >= symlinks.SYMLOOP_MAX:
            raise TooManyLinks("Too many levels of symbolic links, maximum allowed is "
                               f"{symlinks.SYMLOOP_MAX}")
        cors.answering_for(request, target)     # its container's CORS settings count
        try:                # a refusal still says where the link points, as Swift's
            await may_of(request)(target, method)
        except errors.ObjectStoreError as exc:
            raise located(exc, symlinks.location(target)) from None
        assert target.container is not None and target.obj is not None
        where, expected, hops, t = symlinks.location(target), static, hops + 1, target
        try:
            handle = await b.proxy.open_object(target.account, target.container,
                                               target.obj, prefetch=prefetch)
        except errors.ObjectNotFound as exc:
            raise located(exc, where) from None
    # a large object's link names its manifest's ETag (as Swift's does)
    etag = handle.manifest_etag if isinstance(handle, ManifestHandle) \
        else handle.headers.get("etag", "").strip('"')
    if expected is not None and expected != etag:
        handle.discard()
        raise located(ConflictWithReason(f"Object Etag {etag!r} does not match "
                                         f"X-Symlink-Target-Etag header {expected!r}"),
                      where)
    return handle, where


async def resolve(b: Backend, request: Request, t: SwiftPath) -> SwiftPath:
    """Where a copy's source really is: the object its links lead to (unless
    ?symlink=get asks for the link itself)."""
    if request.query_params.get("symlink") == "get":
        return t
    assert t.container is not None and t.obj is not None
    for _ in range(symlinks.SYMLOOP_MAX + 1):
        try:
            head = await b.proxy.head_object(t.account, t.container, t.obj)
        except errors.ObjectNotFound:
            return t            # the copy answers 404 itself
        if not symlinks.is_link(head):
            return t
        t = symlinks.target_of(head, t.account)
        await may_of(request)(t, "GET")
        assert t.container is not None and t.obj is not None
    raise TooManyLinks(f"Too many levels of symbolic links, maximum allowed is "
                       f"{symlinks.SYMLOOP_MAX}")

