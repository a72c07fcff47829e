"""A server-side copy, for both APIs: one skeleton.

Open the source (the newest version a quorum knows of; a manifest as the whole object),
check the request's conditions on it, let the API build the destination's PutOptions
from the source's ObjectInfo and the request, and stream the source into
`Proxy.put_object` (which checks the destination's own conditions first, before any
byte of the source is read). S3's CopyObject, Swift's COPY and PUT with X-Copy-From,
and Swift's POST that changes a Content-Type (a copy onto itself) are each this with
their own conditions and options.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass

from objectstore import errors
from objectstore.http.conditions import check_conditions
from objectstore.http.ranges import ByteRange, parse_ranges
from objectstore.proxy.core import Proxy
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.object_info import ObjectInfo
from objectstore.proxy.put_options import PutOptions, Stored
from objectstore.timestamps import Timestamp

ObjectPath = tuple[str, str, str]        # account, container, object


@dataclass(slots=True)
class SourceConditions:
    """The conditional headers a copy's source must meet, as the API names them."""

    headers: Mapping[str, str]      # if-match, if-none-match, if-(un)modified-since
    # the source's last-modified as the API shows it (S3 rounds down, Swift up)
    modified: Callable[[Timestamp], float]
    # If-None-Match and If-Modified-Since evaluated as for a read (S3's
    # x-amz-copy-source-if-*: a copy that would be a 304 is a 412), or as for a write
    # (Swift's COPY: If-Modified-Since does not apply)
    as_read: bool


Write = Callable[[str, str, str, AsyncIterator[bytes], PutOptions], Awaitable[Stored]]
Resolve = Callable[[ObjectHandle | ManifestHandle], Awaitable[ObjectHandle | ManifestHandle]]
Destination = Callable[[ObjectInfo], PutOptions | None]
"""Builds the destination's options from the source's info (its length is set here);
None: nothing to copy after all (a Swift POST whose Content-Type is the same)."""


async def copy_object(proxy: Proxy, source: ObjectPath, destination: ObjectPath,
                      conditions: SourceConditions | None, build: Destination,
                      source_range: str | None = None, resolve: Resolve | None = None,
                      write: Write | None = None, as_stored: bool = False
                      ) -> tuple[ObjectInfo, Stored | None]:
    """Copy `source` (or the one span its Range header `source_range` selects: Swift's
    COPY with Range) to `destination`; returns the source's info and what was stored
    (None when `build` said there is nothing to copy). `resolve` turns the opened
    source into what is copied (the Swift API's: a DLO made whole, a large object's
    segments read with the requester's rights). `write` stores the copy (default:
    Proxy.put_object; the Swift API's: as a new version in a versioned container).
    `as_stored`: the bytes are copied as they are stored (an encrypted object's
    ciphertext, with its envelope among the system metadata `build` keeps), for a copy
    of an object onto itself; otherwise as they read, and `build` says how the copy
    is to be encrypted."""
    handle = await proxy.open_object(*source)
    if resolve is not None:
        handle = await resolve(handle)
    try:
        info = handle.info
        if conditions is not None:
            try:
                check_conditions(conditions.headers, info.etag,
                                 conditions.modified(info.timestamp), conditions.as_read)
            except errors.NotModified:
                raise errors.PreconditionFailed("copy source") from None
        spans = parse_ranges(source_range, info.size)       # 416 if it selects nothing
        if spans is not None and len(spans) > 1:
            raise errors.BadRequest("a copy takes one byte range, not several")
        span = spans[0] if spans else None
        options = build(info)
        if options is None:
            return info, None
        options.length = span.length if span else info.size
        stored = await (write or proxy.put_object)(*destination,
                                                   _read(handle, span, as_stored), options)
    finally:
        handle.discard()
    return info, stored


async def _read(handle: ObjectHandle | ManifestHandle, span: ByteRange | None,
                as_stored: bool) -> AsyncIterator[bytes]:
    """The source's body, opened only when the write starts reading it (a destination
    condition that fails first leaves the source unread)."""
    stream = await (handle.read_stored(span) if as_stored and isinstance(handle, ObjectHandle)
                    else handle.read(span))
    async for chunk in stream.body:
        yield chunk
