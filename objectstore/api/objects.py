"""Swift requests to an object: PUT (and copies), GET/HEAD, POST, DELETE."""

from __future__ import annotations

import mimetypes
from collections.abc import AsyncIterator
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api import etag_quoter, object_lock_guard, symlinks, version_archive, versioning
from objectstore.api.backend import Backend
from objectstore.api.dlo import manifest_metadata, open_dynamic
from objectstore.api.expiry import asked_delete_at, delete_at_of, open_expired, queue
from objectstore.api.header_case import title_user_metadata
from objectstore.api.metadata import user_metadata
from objectstore.api.names import SwiftPath, header_text, parse_swift_path
from objectstore.api.responses import http_date
from objectstore.api.segment_access import segment_guard, segment_opener
from objectstore.api.slo import (
    create_only,
    manifest_response,
    put_manifest,
    raw_manifest,
    store_manifest,
)
from objectstore.api.slo import whole_object_headers as slo_headers
from objectstore.api.slo_delete import delete_manifest
from objectstore.api.slo_parts import one_part, part_response
from objectstore.api.swift_errors import (
    LengthRequired,
    MethodNotAllowed,
    TransferCodingNotImplemented,
)
from objectstore.api.symlink_requests import follow, located, put_symlink, resolve
from objectstore.api.truth import is_true
from objectstore.api.unsupported import refuse_unknown_manifest_query
from objectstore.crypto.protection import kept_encryption
from objectstore.http.reads import ReadPolicy, answer_read
from objectstore.proxy import copies
from objectstore.proxy.copies import SourceConditions
from objectstore.proxy.default_encryption import default_encryption
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.object_info import DLO_MANIFEST, ObjectInfo, posted_system
from objectstore.proxy.put_options import (
    CONTENT_HEADERS,
    PutOptions,
    Stored,
    content_headers_of,
)
from objectstore.proxy.version_names import DELETE_MARKER_TYPE, NULL, VERSION_ID
from objectstore.proxy.versions import DeleteMarker
from objectstore.timestamps import Timestamp

# Headers stored with an object and returned with it (besides its user metadata).
OBJECT_HEADERS = ("content-type", "etag", *CONTENT_HEADERS, "x-delete-at")
DELETE_AT = "x-delete-at"
META = "x-object-meta-"
# several ranges: multipart/byteranges; If-Match and If-Unmodified-Since both apply
READS = ReadPolicy(multi_range=True, independent_conditions=True)
DLO_READS = ReadPolicy(multi_range=False, independent_conditions=True)  # a DLO: whole
DELETED = {"content-type": "text/html; charset=UTF-8"}    # Swift's 204 says so too
ABOUT = "object_headers"    # request.state: the public headers of the object it is about


async def object_request(b: Backend, request: Request, t: SwiftPath) -> Response:
    assert t.container is not None and t.obj is not None
    method = request.method
    manifest_query = request.query_params.get("multipart-manifest")
    if manifest_query is not None:
        refuse_unknown_manifest_query(request.query_params)
    vid = versioning.requested(request) if versioning.QUERY in request.query_params \
        else None
    if vid is not None and method == "POST":
        raise errors.BadRequest("POST to a specific version is not allowed")
    await object_lock_guard.guard(b, t, method, vid)
    sides = copy_sides(request, t)
    if method in ("PUT", "COPY") and (vid is None or sides is not None):
        # a legacy versioned container: archive what the write replaces (not a
        # PUT ?version-id, which restores a version of the new versioning)
        await version_archive.keep_current(b, request.headers, sides[1] if sides else t)
    if sides is not None:
        return await copy_object(b, request, *sides)
    if method == "PUT":
        if vid is not None:
            return await versioning.put_version_id(b, request, t, vid)
        if manifest_query == "put":
            return await put_manifest(b, request, t)
        if "x-symlink-target" in request.headers:
            return await put_symlink(b, request, t)
        return await put_object(b, request, t)
    if method in ("GET", "HEAD"):
        try:
            return await get_object(b, request, t, vid)
        except DeleteMarker as exc:
            return versioning.marker_response(exc)
    if method == "POST":
        if "x-symlink-target" in request.headers:
            raise errors.BadRequest("A PUT request is required to set a symlink target")
        metadata = user_metadata(request.headers, "object")
        delete_at = delete_at_of(request.headers)
        await b.containers.confirm(t.account, t.container)
        # 404 for a missing or expired object (its nodes would take the POST all the
        # same); what it is decides what the POST does next (_after_post)
        head = await b.proxy.head_object(t.account, t.container, t.obj,
                                         expired_too=open_expired(request))
        if "content-type" in request.headers or "x-object-manifest" in request.headers:
            response = await post_content_type(b, request, t, metadata, delete_at,
                                               version=head.get(VERSION_ID))
        else:
            posted = dict(metadata)
            if delete_at is not None:
                posted[DELETE_AT] = str(delete_at)
            kept = posted_system(head)      # S3's tags: a POST keeps them
            if VERSION_ID in head:      # the metadata is the current version's
                await b.proxy.post_object(t.account, t.container, t.obj, posted)
                await b.versions.post_current(t.account, t.container, t.obj,
                                              head[VERSION_ID], {**metadata, **kept})
            else:
                await b.proxy.post_object(t.account, t.container, t.obj,
                                          {**posted, **kept})
            response = Response(status_code=202)
        await queue(b, t, delete_at)
        return await _after_post(b, request, t, head, response, metadata, delete_at)
    if method == "DELETE":
        if "x-if-delete-at" in request.headers:
            await _check_delete_at(b, request.headers["x-if-delete-at"], t)
        if manifest_query == "delete":
            try:
                handle = await versioning.open_requested(b, t, vid)
            except DeleteMarker:
                handle = None
            if handle is not None:
                handle.discard()
            if isinstance(handle, ManifestHandle):
                return await delete_manifest(b, request, t, handle, vid)
        # legacy versioned writes (version-id=null too: Swift's legacy middleware, ahead
        # of the new one, sees a plain DELETE), then the new versioning, then plain
        if vid in (None, NULL) and await version_archive.delete(b, t):
            return Response(status_code=204, headers=DELETED)
        versioned = await versioning.delete(b, t, vid)
        if versioned is not None:
            return versioned
        await b.proxy.delete_object(t.account, t.container, t.obj)
        return Response(status_code=204, headers=DELETED)
    raise MethodNotAllowed(method)


async def _check_delete_at(b: Backend, value: str, t: SwiftPath) -> None:
    """`X-If-Delete-At`: delete only if the object expires at that time (Swift's, so an
    expirer-like client never deletes a version rewritten since): 400 for no number,
    412 if it expires at another time or not at all."""
    assert t.container is not None and t.obj is not None
    if not value.strip().isdigit():
        raise errors.BadRequest("Bad X-If-Delete-At header value")
    head = await b.proxy.head_object(t.account, t.container, t.obj)
    if head.get(DELETE_AT) != value.strip():
        raise errors.PreconditionFailed("X-If-Delete-At does not match")


async def put_object(b: Backend, request: Request, t: SwiftPath) -> Response:
    assert t.container is not None and t.obj is not None
    h = request.headers
    length = h.get("content-length")
    coding = h.get("transfer-encoding", "").strip().lower()
    if coding and coding != "chunked":     # e.g. gzip,chunked: Swift's 501 too
        raise TransferCodingNotImplemented(f"Transfer-Encoding {coding!r} is not supported")
    if length is None and "chunked" not in coding:
        raise LengthRequired("Missing Content-Length or Transfer-Encoding: chunked")
    if length is not None and (not length.isdigit() or int(length) > 5 * 1024 ** 3):
        raise errors.BadRequest("bad Content-Length (at most 5 GiB)")
    metadata = user_metadata(h, "object")
    # 404 if missing, 413 past a quota
    await b.containers.confirm_write(t.account, t.container,
                                     int(length) if length else None)
    content_type = h.get("content-type")
    if content_type is None or is_true(h.get("x-detect-content-type")):
        content_type = mimetypes.guess_type(t.obj)[0] or "application/octet-stream"
    delete_at = asked_delete_at(h)
    options = PutOptions(content_type=content_type,
                         content_headers=content_headers_of(h.raw),
                         user_metadata=_bare(metadata),
                         length=int(length) if length is not None else None,
                         # (Headers.get of a missing name raises inside: ~1 us more)
                         etag=h["etag"] if "etag" in h else None,  # noqa: SIM401
                         if_none_match_any=create_only(h.get("if-none-match")),
                         system_metadata=manifest_metadata(h),    # a DLO's, or {}
                         delete_at=delete_at)
    stored, vid = await versioning.store(b, t, _body(request), options)
    await queue(b, t, delete_at)
    headers = {"etag": stored.etag, "last-modified": http_date(stored.timestamp)}
    if vid is not None:
        headers[versioning.ID] = vid
    return Response(status_code=201, headers=headers)


async def post_content_type(b: Backend, request: Request, t: SwiftPath,
                            metadata: dict[str, str], delete_at: int | None,
                            keep_manifest: bool = True, version: str | None = None
                            ) -> Response:
    """A POST that changes the content type (or a DLO's X-Object-Manifest). The
    nodes' metadata update (.meta) keeps user metadata only, so the object is
    rewritten onto itself with the new type -- Swift's own post-as-copy -- keeping its
    content headers and system metadata, with the POST's metadata replacing the user
    metadata as a POST does. The current `version` of a versioned object is rewritten
    where it is kept (and its pointer then shows the new type)."""
    assert t.container is not None and t.obj is not None
    h = request.headers
    dlo = manifest_metadata(h) if "x-object-manifest" in h or not keep_manifest else None

    kept: dict[str, str] = {}       # S3's tags, for a plain POST to keep

    def rewritten(source: ObjectInfo) -> PutOptions | None:
        kept.update(posted_system(source.system.other))
        new_type = h.get("content-type", source.content_type)
        system = source.system.headers()
        if dlo is not None:
            system.pop(DLO_MANIFEST, None)
            system.update(dlo)
        if new_type == source.content_type and system == source.system.headers():
            return None                 # a plain POST will do
        return PutOptions(content_type=new_type,
                          content_headers={**source.content_headers,
                                           **content_headers_of(h.raw)},
                          user_metadata=_bare({k: v for k, v in metadata.items() if v}),
                          system_metadata=system, delete_at=delete_at)

    async def itself(handle: ObjectHandle | ManifestHandle) -> ObjectHandle | ManifestHandle:
        # a large object's manifest is rewritten, not the object it makes
        return handle.manifest if isinstance(handle, ManifestHandle) else handle

    path = versioning.copy_source(t, version)
    _, stored = await copies.copy_object(b.proxy, path, path, None, rewritten,
                                         resolve=itself, as_stored=True)
    if stored is None:
        posted = dict(metadata)
        if delete_at is not None:
            posted[DELETE_AT] = str(delete_at)
        if version is not None:
            await b.proxy.post_object(t.account, t.container, t.obj, posted)
            await b.versions.post_current(t.account, t.container, t.obj, version,
                                          {**metadata, **kept})
        else:
            await b.proxy.post_object(t.account, t.container, t.obj, {**posted, **kept})
    elif version is not None:
        await b.versions.make_current(t.account, t.container, t.obj, version, delete_at)
    return Response(status_code=202)


async def copy_object(b: Backend, request: Request, src: SwiftPath, dst: SwiftPath) -> Response:
    """Server-side copy: the source streams from its replicas into a new write. Its
    metadata comes along (unless X-Fresh-Metadata), request metadata on top."""
    assert src.container and src.obj and dst.container and dst.obj
    vid = versioning.requested(request) if request.method == "COPY" else None
    if vid is None:
        src = await resolve(b, request, src)
    assert src.container and src.obj
    await b.containers.confirm(dst.account, dst.container)
    if b.proxy.known_containers.has_quota(dst.account, dst.container):
        size = (await b.proxy.head_object_info(src.account, src.container, src.obj)).size
        await b.containers.confirm_write(dst.account, dst.container, size)
    h = request.headers
    fresh = is_true(h.get("x-fresh-metadata"))
    metadata = _bare(user_metadata(h, "object"))
    delete_at = delete_at_of(h)

    manifest_only = request.query_params.get("multipart-manifest") == "get"

    def destination(source: ObjectInfo) -> PutOptions:
        content = {} if fresh else dict(source.content_headers)
        content.update(content_headers_of(h.raw))
        user = {} if fresh else dict(source.user_metadata)
        user.update(metadata)
        system = {k: v for k, v in source.system.other.items()      # ?symlink=get
                  if k.startswith(symlinks.SYSMETA)}
        if system and symlinks.LISTING_ETAG in source.system.other:
            system[symlinks.LISTING_ETAG] = source.system.other[symlinks.LISTING_ETAG]
        account = header_text(h.get("x-symlink-target-account", "")).strip()
        if account:
            symlinks.retarget_account(system, unquote(account))
        # the manifest itself of a DLO is copied as one (an SLO's: _copy_manifest)
        dlo = source.system.other.get(DLO_MANIFEST) if manifest_only else None
        if dlo:
            system[DLO_MANIFEST] = dlo
        # encrypted as the destination bucket says, else as the source was
        encryption = default_encryption(b.proxy.known_containers.sysmeta(
            dst.account, dst.container or ""), b.proxy.keyring) or kept_encryption(
            source.system.other)
        return PutOptions(content_type=h.get("content-type", source.content_type),
                          content_headers=content, user_metadata=user,
                          system_metadata=system, delete_at=delete_at,
                          encryption=encryption)

    async def whole(handle: ObjectHandle | ManifestHandle
                    ) -> ObjectHandle | ManifestHandle:
        """A large object is copied whole, its segments read with the requester's
        rights (a DLO's manifest alone with ?multipart-manifest=get)."""
        if handle.headers.get("content-type") == DELETE_MARKER_TYPE and vid:
            handle.discard()
            raise errors.ObjectNotFound(src.obj or "")
        if isinstance(handle, ManifestHandle):
            handle.guard = segment_guard(request)
            handle.open_object = segment_opener(b, request)
            part = request.query_params.get("part-number")
            return handle if part is None else one_part(handle, part)
        if DLO_MANIFEST in handle.headers and not manifest_only:
            handle.discard()
            return await open_dynamic(b, request, src.account, handle)
        return handle

    conditions = SourceConditions(dict(h), lambda ts: ts.seconds, as_read=False)
    if manifest_only:
        copied = await _copy_manifest(b, request, src, dst, destination, vid)
        if copied is not None:
            return copied
    written: list[str] = []

    async def write(account: str, container: str, obj: str, body: AsyncIterator[bytes],
                    options: PutOptions) -> Stored:
        stored, version = await versioning.store(b, dst, body, options)
        written.extend([version] if version else [])
        return stored

    source, stored = await copies.copy_object(
        b.proxy, versioning.copy_source(src, vid),
        (dst.account, dst.container, dst.obj), conditions, destination,
        source_range=h.get("range"), resolve=whole, write=write)
    assert stored is not None
    await queue(b, dst, delete_at)
    headers = {
        "etag": stored.etag, "last-modified": http_date(stored.timestamp),
        "x-copied-from": quote(f"{src.container}/{src.obj}"),
        "x-copied-from-account": quote(src.account),
        "x-copied-from-last-modified": http_date(source.timestamp)}
    if written:
        headers[versioning.ID] = written[0]
    return Response(status_code=201, headers=headers)

async def _copy_manifest(b: Backend, request: Request, src: SwiftPath, dst: SwiftPath,
                         destination: copies.Destination, vid: str | None
                         ) -> Response | None:
    """A COPY of an SLO's manifest itself (`?multipart-manifest=get`): the manifest
    is written again at the destination, checked against the segments there with the
    requester's rights, as a PUT of it would be. None: the source is no SLO."""
    assert src.container and src.obj
    handle = await versioning.open_requested(b, src, vid)
    handle.discard()
    if not isinstance(handle, ManifestHandle):
        return None
    options = destination(handle.info)
    assert options is not None
    return await store_manifest(b, request, dst, raw_manifest(handle.segments), options)


async def get_object(b: Backend, request: Request, t: SwiftPath, vid: str | None = None
                     ) -> Response:
    assert t.container is not None and t.obj is not None
    whole = request.method == "GET" and "range" not in request.headers
    handle = await versioning.open_requested(b, t, vid, prefetch=whole,
                                             expired_too=open_expired(request))
    where = None
    try:
        if symlinks.is_link(handle.headers):
            if request.query_params.get("symlink") == "get":
                response = await _answer_get(b, request, t, handle)
                response.headers.update(symlinks.shown_headers(handle.headers))
                return response
            handle, where = await follow(b, request, t, handle, whole)
            if where is not None:       # a large object's segments: in its own account
                t = parse_swift_path(where.encode())
        try:
            response = await _answer_get(b, request, t, handle)
        except errors.ObjectStoreError as exc:     # a 304/412 names the link's target too
            raise located(exc, where) from None
        if where is not None:
            response.headers["content-location"] = where
        elif vid is None and VERSION_ID in handle.headers:     # the current version
            response.headers["content-location"] = versioning.location(
                t, handle.headers[VERSION_ID])
        return response
    finally:
        handle.discard()        # unless the response is streaming it


async def _after_post(b: Backend, request: Request, t: SwiftPath, head: dict[str, str],
                      response: Response, metadata: dict[str, str], delete_at: int | None
                      ) -> Response:
    """A POST to a symlink changed the link (as Swift's does) and answers 307 with the
    target, so a client that meant the target knows where it is. A POST without
    X-Object-Manifest to a DLO makes it a plain object, as in Swift (where the header
    is metadata like any other, replaced by the POST's). `head`: the object as it was
    before the POST."""
    if DLO_MANIFEST in head and "x-object-manifest" not in request.headers:
        await post_content_type(b, request, t, metadata, delete_at, keep_manifest=False)
    if not symlinks.is_link(head):
        return response
    headers = {"location": symlinks.location(symlinks.target_of(head, t.account))}
    if symlinks.TARGET_ETAG in head:            # a static link says which ETag it wants
        headers["x-symlink-target-etag"] = head[symlinks.TARGET_ETAG]
    return Response(status_code=307, headers=headers)


async def _answer_get(b: Backend, request: Request, t: SwiftPath,
                      handle: ObjectHandle | ManifestHandle) -> Response:
    ts = handle.timestamp
    headers, has_meta = _object_headers(handle.headers, ts)
    version = versioning.shown_id(b, t, handle.headers)
    if version is not None:
        headers[versioning.ID] = version
    policy = READS
    if isinstance(handle, ManifestHandle) or DLO_MANIFEST in handle.headers:
        dynamic = not isinstance(handle, ManifestHandle)
        large = await _large_object(b, request, t, handle, headers)
        if isinstance(large, Response):
            return large
        if dynamic and large is not handle:
            policy = DLO_READS
        handle = large
    if "etag" in headers and await etag_quoter.wanted(b, t.account, t.container or ""):
        headers["etag"] = etag_quoter.quote(headers["etag"])
    setattr(request.state, ABOUT, headers)   # a 304 or 416 quotes some of them
    if has_meta:
        title_user_metadata()
    return await answer_read(handle, request.method, dict(request.headers), headers,
                             ts.seconds, policy)


async def _large_object(b: Backend, request: Request, t: SwiftPath,
                        handle: ObjectHandle | ManifestHandle, headers: dict[str, str]
                        ) -> ManifestHandle | ObjectHandle | Response:
    """An SLO or DLO read whole (its segments read with the requester's rights), or
    its manifest itself with `?multipart-manifest=get`."""
    manifest_only = request.query_params.get("multipart-manifest") == "get"
    if isinstance(handle, ManifestHandle):
        if manifest_only:
            raw = request.query_params.get("format") == "raw"
            return manifest_response(handle, request.method, raw, headers)
        handle.guard = segment_guard(request)
        handle.open_object = segment_opener(b, request)
        slo_headers(handle, headers)
        part = request.query_params.get("part-number")
        if part is not None:
            return await part_response(handle, request.method, part, headers)
        return handle
    if manifest_only:
        return handle
    handle.discard()
    whole = await open_dynamic(b, request, t.account, handle)
    headers["etag"] = f'"{whole.slo_etag}"'
    headers["content-length"] = str(whole.size)
    return whole


def _bare(metadata: dict[str, str]) -> dict[str, str]:
    """x-object-meta-<name> -> <name>, as PutOptions wants user metadata."""
    return {k[len(META):]: v for k, v in metadata.items()}


async def _body(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        yield chunk


def _object_headers(node: dict[str, str], ts: Timestamp) -> tuple[dict[str, str], bool]:
    """The response headers of a read, and whether user metadata is among them."""
    out: dict[str, str] = {}
    has_meta = False
    for k, v in node.items():
        if k.startswith(META):
            out[k] = v
            has_meta = True
        elif k in OBJECT_HEADERS or k in ("content-length", "content-range"):
            out[k] = v
    if DLO_MANIFEST in node:
        out["x-object-manifest"] = node[DLO_MANIFEST]
    out["x-timestamp"] = ts.normal
    out["last-modified"] = http_date(ts)
    out["accept-ranges"] = "bytes"
    return out, has_meta


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
    container, _, obj = unquote(header_text(header)).lstrip("/").partition("/")
    if not container or not obj:
        raise errors.PreconditionFailed("copy source/destination must be container/object")
    return parse_swift_path(f"/v1/{quote(account)}/{quote(container)}/{quote(obj)}".encode())
