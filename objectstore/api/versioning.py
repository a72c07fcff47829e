"""Swift's object versioning (`X-Versions-Enabled`), over the store's one version
model (objectstore.proxy.versions): what OpenStack Swift's object_versioning
middleware answers, request by request.

- A container: `X-Versions-Enabled: true|false` on PUT/POST (enabling makes its hidden
  versions container; it is never unversioned again, only disabled); HEAD/GET show it,
  and count the versions' bytes in X-Container-Bytes-Used; `?versions` lists every
  version (JSON only: 406 otherwise); DELETE is 409 while versions remain.
- An object in an enabled container: PUT stores a new version (X-Object-Version-Id),
  DELETE writes a delete marker, POST changes the current version's metadata.
- `?version-id=<id|null>` on GET/HEAD/DELETE/COPY reads or removes that version; PUT
  with it (and no body) makes that version current again; POST with it is 400.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.listings import MAX_LIMIT, stats_headers
from objectstore.api.names import SwiftPath
from objectstore.api.responses import iso_date, listing_format
from objectstore.api.swift_errors import ConflictWithReason, LengthRequired, NotAcceptable
from objectstore.api.truth import TRUE
from objectstore.proxy.containers import listed_etag
from objectstore.proxy.default_encryption import default_encryption
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.object_info import MANIFEST
from objectstore.proxy.put_options import PutOptions, Stored
from objectstore.proxy.version_names import (
    DELETE_MARKER_TYPE,
    NULL,
    VERSION_ID,
    parse_version_id,
    version_object,
    versions_container,
)
from objectstore.proxy.versions import DeleteMarker, state_of
from objectstore.timestamps import Timestamp

HEADER = "x-versions-enabled"
ID = "x-object-version-id"
CURRENT_ID = "x-object-current-version-id"
QUERY = "version-id"
CAPABILITIES: dict[str, Any] = {}
# what a version id may not share with a delimiter (it would split the ids)
_ID_CHARACTERS = set("0123456789.\x00")


# -- containers ---------------------------------------------------------------------------
async def container_metadata(b: Backend, request: Request, t: SwiftPath) -> dict[str, str]:
    """The versioning state a container PUT or POST sets (none unless it says)."""
    value = request.headers.get(HEADER)
    if value is None:
        return {}
    assert t.container is not None
    # (on a container with a legacy location: refused first, versioned_writes.py)
    return await b.versions.prepare(t.account, t.container, value.strip().lower() in TRUE)


async def container_headers(b: Backend, t: SwiftPath, node: dict[str, str],
                            shown: dict[str, str]) -> None:
    """X-Versions-Enabled, and the versions' bytes added to the container's."""
    state = state_of(node)
    if not state:
        return
    assert t.container is not None
    shown["x-versions-enabled"] = "True" if state == "true" else "False"
    _, used = await b.versions.counts(t.account, t.container)
    key = "x-container-bytes-used"
    shown[key] = str(int(shown.get(key, "0")) + used)


async def delete_container(b: Backend, t: SwiftPath) -> None:
    """Delete a container (409 while it is not empty, or while versions of its objects
    remain), and its versions container with it."""
    assert t.container is not None
    if not await b.containers.versioning(t.account, t.container):   # 404 if none
        await b.containers.delete_container(t.account, t.container)
        return
    try:
        await b.versions.delete_container(t.account, t.container)
    except errors.ContainerNotEmpty:
        raise
    except errors.Conflict as exc:
        raise ConflictWithReason(str(exc)) from None


async def list_versions(b: Backend, request: Request, t: SwiftPath) -> Response:
    """`GET ?versions`: every version, as Swift lists them (JSON only)."""
    assert t.container is not None
    q = request.query_params
    if listing_format(q.get("format"), request.headers.get("accept") or
                      "application/json") != "json":
        raise NotAcceptable("version listings are JSON only")
    delimiter = q.get("delimiter", "")
    if set(delimiter) & _ID_CHARACTERS:
        raise errors.BadRequest("invalid delimiter param")
    marker, version_marker = q.get("marker", ""), q.get("version_marker", "")
    if version_marker and not marker:
        raise errors.BadRequest("version_marker param requires marker")
    if version_marker and version_marker != NULL:
        _check_id(version_marker, "invalid version_marker param")
    limit = q.get("limit", "")
    count = int(limit) if limit.isdigit() else MAX_LIMIT
    if count > MAX_LIMIT:
        raise errors.PreconditionFailed(f"Maximum limit is {MAX_LIMIT}")
    head = await b.containers.head_container(t.account, t.container)
    entries = await b.versions.list_versions(
        t.account, t.container, prefix=q.get("prefix", ""), delimiter=delimiter,
        marker=marker, version_marker=version_marker, limit=count,
        reverse=q.get("reverse", "").lower() in TRUE,
        look_up_marker=version_marker != NULL)
    body: list[dict[str, Any]] = []
    for e in entries:
        if e.subdir is not None:
            body.append({"subdir": e.subdir})
            continue
        body.append({"name": e.name, "bytes": e.size, "hash": listed_etag(e.etag),
                     "content_type": e.content_type,
                     "last_modified": iso_date(Timestamp.parse(e.timestamp)),
                     "is_latest": e.is_latest, "version_id": e.version_id})
    headers = stats_headers(head, "container", b.proxy.ring.current().policies)
    await container_headers(b, t, head, headers)
    return Response(json.dumps(body).encode(), headers={
        **headers, "content-type": "application/json; charset=utf-8"})


# -- objects ------------------------------------------------------------------------------
def requested(request: Request) -> str | None:
    """The version a request names (`?version-id`), checked; None if it names none."""
    vid = request.query_params.get(QUERY)
    if vid is None or vid == "":
        return None
    if vid != NULL:
        _check_id(vid, "Invalid version parameter")
    return vid


def _check_id(vid: str, message: str) -> None:
    try:
        parse_version_id(vid)
    except ValueError:
        raise errors.BadRequest(message) from None


async def state(b: Backend, t: SwiftPath) -> str:
    assert t.container is not None
    return await b.containers.versioning(t.account, t.container)


def shown_id(b: Backend, t: SwiftPath, node: dict[str, str]) -> str | None:
    """The X-Object-Version-Id a read answers with: the version read, or "null" for a
    plain object in a container that is (or was) versioned."""
    vid = node.get(VERSION_ID)
    if vid is not None:
        return vid
    assert t.container is not None
    known = b.proxy.known_containers
    if known.known(t.account, t.container) and known.versioning(t.account, t.container):
        return NULL
    return None


async def open_requested(b: Backend, t: SwiftPath, vid: str | None, prefetch: bool = False,
                         expired_too: bool = False) -> ObjectHandle | ManifestHandle:
    """The object a read is about: the current one (even expired, with
    `expired_too`), or the version `vid` names."""
    assert t.container is not None and t.obj is not None
    if vid is None:
        return await b.proxy.open_object(t.account, t.container, t.obj, prefetch=prefetch,
                                         expired_too=expired_too)
    if vid == NULL:
        handle = await b.proxy.open_object(t.account, t.container, t.obj, prefetch=prefetch)
        if VERSION_ID in handle.headers:    # the current one has a real id: no null one
            handle.discard()
            raise errors.ObjectNotFound(t.obj)
        handle.headers[VERSION_ID] = NULL
        return handle
    if not await state(b, t):
        raise errors.BadRequest(
            "version-aware operations require that the container is versioned")
    return await b.versions.open_version(t.account, t.container, t.obj, vid)


def location(t: SwiftPath, vid: str) -> str:
    """Where a version is read (a current version's Content-Location)."""
    assert t.container is not None and t.obj is not None
    return quote(f"/v1/{t.account}/{t.container}/{t.obj}") + f"?version-id={vid}"


def marker_response(exc: DeleteMarker) -> Response:
    """A read of a delete marker: 404, saying which marker it is."""
    return Response(b"", status_code=404, headers={ID: exc.version_id,
                                                   "content-type": DELETE_MARKER_TYPE})


async def store(b: Backend, t: SwiftPath, body: AsyncIterator[bytes], options: PutOptions,
                obj: str | None = None, container: str | None = None
                ) -> tuple[Stored, str | None]:
    """Write an object: as a new version in an enabled container, plainly otherwise;
    encrypted as the bucket's default encryption says when the write names none (a
    large object's manifest is not: its segments are). Returns what was stored and its
    version id (None when not versioned)."""
    container = container or t.container
    obj = obj or t.obj
    assert container is not None and obj is not None
    if options.encryption is None and MANIFEST not in options.system_metadata:
        options.encryption = default_encryption(
            b.proxy.known_containers.sysmeta(t.account, container), b.proxy.keyring)
    if await b.containers.versioning(t.account, container) == "true":
        written = await b.versions.put(t.account, container, obj, body, options)
        return written.stored, written.version_id
    return await b.proxy.put_object(t.account, container, obj, body, options), None


async def delete_object(b: Backend, t: SwiftPath, vid: str | None) -> None:
    """A delete as `delete` does it, for bulk deletes: ObjectNotFound if there was
    nothing to delete."""
    assert t.container is not None and t.obj is not None
    answer = await delete(b, t, vid)
    if answer is None:
        await b.proxy.delete_object(t.account, t.container, t.obj)
    elif answer.status_code == 404:
        raise errors.ObjectNotFound(t.obj)


async def delete(b: Backend, t: SwiftPath, vid: str | None) -> Response | None:
    """A DELETE that versioning changes (None: an ordinary one)."""
    assert t.container is not None and t.obj is not None
    if vid == NULL:             # Swift: the container's own object, whatever it is
        return None
    if vid is not None:
        if not await state(b, t):
            raise errors.BadRequest(
                "version-aware operations require that the container is versioned")
        removed = await b.versions.delete_version(t.account, t.container, t.obj, vid,
                                                  promote=False)
        return Response(status_code=204, headers={ID: removed.version_id,
                                                  CURRENT_ID: removed.current})
    if await state(b, t) != "true":
        return None
    marker, existed = await b.versions.delete(t.account, t.container, t.obj)
    headers = {ID: marker, "content-type": "text/html; charset=UTF-8"}
    if not existed:
        return Response(b"<html><h1>Not Found</h1><p>The resource could not be found."
                        b"</p></html>", status_code=404, headers=headers)
    return Response(status_code=204, headers=headers)


async def put_version_id(b: Backend, request: Request, t: SwiftPath, vid: str) -> Response:
    """`PUT ?version-id=<id>` with no body: that version becomes current again."""
    assert t.container is not None and t.obj is not None
    if vid == NULL:
        raise errors.BadRequest("Invalid version parameter")
    length = request.headers.get("content-length")
    chunked = "chunked" in request.headers.get("transfer-encoding", "").lower()
    if length is None and not chunked:
        raise LengthRequired("Length Required")
    body = b"".join([chunk async for chunk in _first(request)])
    if body or (length not in (None, "0")):
        raise errors.BadRequest("PUT version-id requests require a zero byte body")
    if not await state(b, t):
        raise errors.BadRequest(
            "version-aware operations require that the container is versioned")
    try:
        handle = await b.versions.make_current(t.account, t.container, t.obj, vid)
    except (errors.ObjectNotFound, DeleteMarker):
        return Response(b"The specified version does not exist", status_code=404,
                        media_type="text/plain")
    return Response(status_code=201, headers={"etag": handle.headers.get("etag", ""),
                                              ID: vid})


async def _first(request: Request) -> AsyncIterator[bytes]:
    """At most the first chunk of a body (enough to know it is not empty)."""
    async for chunk in request.stream():
        if chunk:
            yield chunk[:1]
            return


def copy_source(t: SwiftPath, vid: str | None) -> tuple[str, str, str]:
    """Where a copy reads: the object, or one of its versions."""
    assert t.container is not None and t.obj is not None
    if vid is None or vid == NULL:
        return t.account, t.container, t.obj
    return t.account, versions_container(t.container), version_object(t.obj, vid)
