"""Swift dynamic large objects: an object written with `X-Object-Manifest:
<container>/<prefix>` reads as the concatenation of the objects of that container
whose names start with the prefix, in name order, as listed when the read starts.
Its ETag is the quoted MD5 of their ETags; ranges work across them (the proxy's
ManifestHandle reads them, as it reads an SLO's).

Who: the segment container is read with the requester's own rights (a TempURL made
with a container's key reaches that container only), checked before any header is
sent."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import unquote

from starlette.requests import Request

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.names import MAX_CONTAINER, header_text
from objectstore.api.segment_access import segment_guard, segment_opener
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle, Segment, listed_etags
from objectstore.proxy.object_info import DLO_MANIFEST

HEADER = "x-object-manifest"
MAX_SEGMENTS = 10_000       # listed at once; a larger DLO is refused (409)
PAGE = 10_000


def split(value: str) -> tuple[str, str]:
    """(container, prefix) of an X-Object-Manifest value (URL-encoded or not)."""
    container, slash, prefix = unquote(header_text(value.strip())).partition("/")
    if not slash or not container or len(container.encode()) > MAX_CONTAINER:
        raise errors.BadRequest("X-Object-Manifest must be in the format container/prefix")
    return container, prefix


def manifest_metadata(headers: Mapping[str, str]) -> dict[str, str]:
    """The system metadata a PUT with X-Object-Manifest stores ({} without one)."""
    if HEADER not in headers:       # (the plain PUT's case: one lookup)
        return {}
    value = headers[HEADER].strip()
    if not value:
        return {}
    split(value)
    return {DLO_MANIFEST: value}


def is_dynamic(handle: ObjectHandle | ManifestHandle) -> bool:
    return DLO_MANIFEST in handle.headers


async def open_dynamic(b: Backend, request: Request, account: str, handle: ObjectHandle
                       ) -> ManifestHandle:
    """The whole object a DLO manifest names, its segments listed now."""
    container, prefix = split(handle.headers[DLO_MANIFEST])
    guard = segment_guard(request)
    await guard(account, container)
    segments: list[Segment] = []
    marker = ""
    while True:
        try:
            listing = await b.containers.list_container(account, container, prefix=prefix,
                                                        marker=marker, limit=PAGE)
        except errors.ContainerNotFound:
            break
        entries = [e for e in listing.entries if "name" in e]
        segments += [Segment(container, e["name"], int(e["bytes"]),
                             listed_etags(str(e["hash"]))[0])
                     for e in entries]
        if len(segments) > MAX_SEGMENTS:
            raise errors.Conflict(f"a dynamic large object of more than {MAX_SEGMENTS} "
                                  "segments is not served")
        if len(entries) < PAGE:
            break
        marker = entries[-1]["name"]
    whole = ManifestHandle(segment_opener(b, request), account, handle, segments)
    whole.verify = False        # listed just now; a segment may change as in Swift
    whole.swift_view()
    return whole
