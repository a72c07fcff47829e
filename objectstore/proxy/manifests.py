"""Objects made of segments (S3 multipart uploads): a small manifest object lists the
segments, and reading it streams them in order -- for both APIs, since the proxy core
does it. Segments are ordinary objects in another container of the same account.

A manifest carries system metadata: x-object-sysmeta-manifest = "1", the object's
total size and ETag (which is what listings show)."""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from objectstore import errors
from objectstore.http.ranges import ByteRange
from objectstore.proxy.handles import ObjectHandle, ObjectStream
from objectstore.proxy.object_info import MANIFEST as MANIFEST
from objectstore.proxy.object_info import MANIFEST_ETAG as MANIFEST_ETAG
from objectstore.proxy.object_info import MANIFEST_SIZE as MANIFEST_SIZE
from objectstore.proxy.object_info import ObjectInfo
from objectstore.timestamps import Timestamp

MAX_MANIFEST = 4 * 1024 * 1024


@dataclass(frozen=True)
class Segment:
    container: str
    name: str
    size: int
    etag: str
    checksum: str = ""       # the part's x-amz-checksum value, when the upload has one


def manifest_body(segments: list[Segment]) -> bytes:
    return json.dumps([{"container": s.container, "name": s.name, "size": s.size,
                        "etag": s.etag, **({"checksum": s.checksum} if s.checksum else {})}
                       for s in segments]).encode()


def parse_manifest(body: bytes) -> list[Segment]:
    try:
        return [Segment(d["container"], d["name"], int(d["size"]), d["etag"],
                        str(d.get("checksum", ""))) for d in json.loads(body)]
    except (ValueError, KeyError, TypeError):
        raise errors.ServiceUnavailable("damaged manifest") from None


class ManifestHandle:
    """Same shape as ObjectHandle: headers of the whole object, and `read`. Segments
    are opened with `open_object` (the proxy's: a segment is an ordinary object)."""

    def __init__(self, open_object: Opener, account: str, manifest: ObjectHandle,
                 segments: list[Segment]) -> None:
        self.open_object = open_object
        self.account = account
        self.segments = segments
        size = sum(s.size for s in segments)
        self.headers = {k: v for k, v in manifest.headers.items() if k != "content-range"}
        self.headers["content-length"] = str(size)
        self.headers["etag"] = manifest.headers.get(MANIFEST_ETAG, manifest.headers.get(
            "etag", ""))
        self.size = size
        self.name = manifest.path[2]

    @property
    def info(self) -> ObjectInfo:
        """The whole object's (its size and ETag, not the manifest's)."""
        return ObjectInfo.from_headers(self.name, self.headers)

    @property
    def etag(self) -> str:
        return self.headers["etag"]

    @functools.cached_property
    def timestamp(self) -> Timestamp:
        return Timestamp.parse(self.headers["x-timestamp"])

    def discard(self) -> None:
        """Nothing is fetched ahead for a manifest (the same shape as ObjectHandle)."""

    async def read(self, span: ByteRange | None = None) -> ObjectStream:
        """The whole object, or one span of it (as parsed at the edge: within size)."""
        start, end = span if span is not None else (0, self.size)
        end = min(end, self.size)
        headers = dict(self.headers)
        headers["content-length"] = str(end - start)
        if span is not None:
            headers["content-range"] = f"bytes {start}-{end - 1}/{self.size}"
        return ObjectStream(206 if span is not None else 200, headers,
                            self._body(start, end), lambda: None)

    async def _body(self, start: int, end: int) -> AsyncIterator[bytes]:
        offset = 0
        for seg in self.segments:
            seg_start, seg_end = offset, offset + seg.size
            offset = seg_end
            if seg_end <= start or seg_start >= end or seg.size == 0:
                continue
            a, b = max(start, seg_start) - seg_start, min(end, seg_end) - seg_start
            handle = await self.open_object(self.account, seg.container, seg.name)
            whole = (a, b) == (0, seg.size)
            stream = await handle.read(None if whole else ByteRange(a, b))
            async for chunk in stream.body:
                yield chunk


Opener = Callable[[str, str, str], Awaitable[ObjectHandle | ManifestHandle]]
"""Opens (account, container, object) as Proxy.open_object does."""


async def read_manifest(handle: ObjectHandle) -> list[Segment]:
    if int(handle.headers.get("content-length", "0")) > MAX_MANIFEST:
        raise errors.ServiceUnavailable("manifest too large")
    stream = await handle.read()
    return parse_manifest(b"".join([c async for c in stream.body]))


def is_manifest(headers: dict[str, Any]) -> bool:
    return headers.get(MANIFEST) == "1"
