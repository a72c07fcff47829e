"""Objects made of segments -- S3 multipart uploads and Swift static large objects are
one model: a small manifest object lists the segments, and reading it streams them in
order, for both APIs, since the proxy core does it. Segments are ordinary objects in
the same account (or manifests themselves: a nested SLO), a span of one, or inline data.

The manifest's body is Swift's stored SLO format (what `?multipart-manifest=get`
shows), one JSON list, one entry per segment:

    {"name": "/<container>/<object>", "bytes": <the object's size>, "hash": <its ETag>,
     "content_type": ..., "last_modified": ..., ["range": "<first>-<last>"],
     ["sub_slo": true], ["checksum": <an S3 part's checksum>]}
    {"data": "<base64>"}                                   (a data segment)

(Manifests written before this format, `{"container", "name", "size", "etag"}`, are
still read.) The manifest object carries system metadata: x-object-sysmeta-manifest =
"1", the whole object's size, its ETag as S3 shows it (`<md5 of the binary part
digests>-N`, which listings show) and as Swift does (the MD5 of the segments' ETags)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import hashlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from objectstore import errors
from objectstore.http.ranges import ByteRange
from objectstore.proxy.bodies import once
from objectstore.proxy.handles import ObjectHandle, ObjectStream
from objectstore.proxy.object_info import MANIFEST as MANIFEST
from objectstore.proxy.object_info import MANIFEST_ETAG as MANIFEST_ETAG
from objectstore.proxy.object_info import MANIFEST_SIZE as MANIFEST_SIZE
from objectstore.proxy.object_info import SLO_ETAG as SLO_ETAG
from objectstore.proxy.object_info import ObjectInfo
from objectstore.timestamps import Timestamp

MAX_MANIFEST = 8 * 1024 * 1024      # bytes of manifest JSON (Swift's max_manifest_size)
MAX_DEPTH = 10                      # manifests within manifests (Swift's limit)
# Segments may be as small as a byte, so one read could make a node request per byte:
# past the first PACED_AFTER segments, each smaller than SMALL_SEGMENT waits its turn
# (SMALL_PER_SECOND), as Swift's rate_limit_after_segment / rate_limit_under_size do.
PACED_AFTER = 10
SMALL_SEGMENT = 1024 * 1024
SMALL_PER_SECOND = 1.0


@dataclass(frozen=True)
class Segment:
    """One segment: `span` of the object container/name (None: all of it, `size`
    bytes), or `data` held in the manifest itself (container and name empty)."""

    container: str
    name: str
    size: int
    etag: str
    checksum: str = ""       # the part's x-amz-checksum value, when the upload has one
    span: ByteRange | None = None
    data: bytes | None = None
    sub_slo: bool = False
    content_type: str = ""
    last_modified: str = ""

    @property
    def length(self) -> int:
        """The bytes it adds to the whole object."""
        if self.data is not None:
            return len(self.data)
        return self.span.length if self.span is not None else self.size

    @property
    def path(self) -> str:
        return f"/{self.container}/{self.name}"

    def etag_part(self) -> str:
        """What it adds to the SLO ETag: its ETag, with the span of a ranged one."""
        if self.data is not None:
            return hashlib.md5(self.data, usedforsecurity=False).hexdigest()
        if self.span is None:
            return self.etag
        return f"{self.etag}:{self.span.start}-{self.span.end - 1};"


def slo_etag(segments: list[Segment]) -> str:
    """The whole object's ETag as Swift shows it."""
    return hashlib.md5("".join(s.etag_part() for s in segments).encode(),
                       usedforsecurity=False).hexdigest()


def s3_etag(segments: list[Segment]) -> str:
    """The whole object's ETag as S3 shows a multipart object's: `<md5>-N`."""
    digests = b""
    for s in segments:
        try:
            digests += bytes.fromhex(s.etag_part()[:32])
        except ValueError:
            digests += hashlib.md5(s.etag.encode(), usedforsecurity=False).digest()
    return f"{hashlib.md5(digests, usedforsecurity=False).hexdigest()}-{len(segments)}"


def listing_etag(body: bytes, s3: str, slo: str) -> str:
    """What a manifest's listing row holds as its ETag: the MD5 of the manifest's body
    (Swift lists that as `hash`), with the whole object's ETags as parameters (Swift
    lists `slo_etag`, S3 the `s3_etag`), as Swift's container rows carry them."""
    md5 = hashlib.md5(body, usedforsecurity=False).hexdigest()
    return f"{md5}; s3_etag={s3}; slo_etag={slo}"


def listed_etags(value: str) -> tuple[str, dict[str, str]]:
    """A listing row's ETag and its parameters (none for a plain object)."""
    if ";" not in value:
        return value, {}
    first, *params = value.split(";")
    return first.strip(), dict(p.strip().partition("=")[::2] for p in params if "=" in p)


def _entry(s: Segment) -> dict[str, Any]:
    if s.data is not None:
        return {"data": base64.b64encode(s.data).decode("ascii")}
    entry: dict[str, Any] = {"name": s.path, "bytes": s.size, "hash": s.etag,
                             "content_type": s.content_type or "application/octet-stream",
                             "last_modified": s.last_modified}
    if s.span is not None:
        entry["range"] = f"{s.span.start}-{s.span.end - 1}"
    if s.sub_slo:
        entry["sub_slo"] = True
    if s.checksum:
        entry["checksum"] = s.checksum
    return entry


def manifest_body(segments: list[Segment]) -> bytes:
    return json.dumps([_entry(s) for s in segments]).encode()


def _segment(d: dict[str, Any]) -> Segment:
    if "data" in d:
        return Segment("", "", 0, "", data=base64.b64decode(d["data"], validate=True))
    if "container" in d:        # the format before: an S3 part
        return Segment(d["container"], d["name"], int(d["size"]), d["etag"],
                       str(d.get("checksum", "")))
    container, _, name = str(d["name"]).lstrip("/").partition("/")
    span = None
    if d.get("range"):
        first, _, last = str(d["range"]).partition("-")
        span = ByteRange(int(first), int(last) + 1)
    return Segment(container, name, int(d["bytes"]), str(d["hash"]),
                   str(d.get("checksum", "")), span, None, bool(d.get("sub_slo")),
                   str(d.get("content_type", "")), str(d.get("last_modified", "")))


def parse_manifest(body: bytes) -> list[Segment]:
    try:
        return [_segment(d) for d in json.loads(body)]
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise errors.ServiceUnavailable("damaged manifest") from None


Guard = Callable[[str, str], Awaitable[None]]
"""Checks that the reader may read segments of (account, container): raises if not."""


class ManifestHandle:
    """Same shape as ObjectHandle: headers of the whole object, and `read`. Segments
    are opened with `open_object` (the proxy's: a segment is an ordinary object, or a
    manifest again), each container first passed by `guard` when one is set (the
    Swift API's: the reader's own rights)."""

    def __init__(self, open_object: Opener, account: str, manifest: ObjectHandle,
                 segments: list[Segment]) -> None:
        self.open_object = open_object
        self.account = account
        self.segments = segments
        self.manifest = manifest
        size = sum(s.length for s in segments)
        self.headers = {k: v for k, v in manifest.headers.items() if k != "content-range"}
        self.headers["content-length"] = str(size)
        self.headers["etag"] = manifest.headers.get(MANIFEST_ETAG) or s3_etag(segments)
        self.slo_etag = manifest.headers.get(SLO_ETAG) or slo_etag(segments)
        self.size = size
        self.name = manifest.path[2]
        self.guard: Guard | None = None
        self.depth = 1
        self.sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.verify = True      # a segment must still have its listed ETag (not a DLO's)
        self.customer_key: bytes | None = None      # opens SSE-C segments
        self._allowed: set[str] = set()

    def swift_view(self) -> None:
        """Show the ETag as Swift does (the MD5 of the segments' ETags)."""
        self.headers["etag"] = self.slo_etag

    @property
    def manifest_etag(self) -> str:
        """The MD5 of the manifest's own body."""
        return self.manifest.etag

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
        """The whole object, or one span of it (as parsed at the edge: within size).
        The first segment is opened here, so a missing or forbidden one (or manifests
        nested too deep) fails before any header is sent."""
        start, end = span if span is not None else (0, self.size)
        end = min(end, self.size)
        headers = dict(self.headers)
        headers["content-length"] = str(end - start)
        if span is not None:
            headers["content-range"] = f"bytes {start}-{end - 1}/{self.size}"
        pieces = self._pieces(start, end)
        first = None
        for seg, piece in pieces:
            first = (seg, piece, await self._open(seg, piece))
            break
        return ObjectStream(206 if span is not None else 200, headers,
                            self._body(first, pieces), lambda: None)

    def _pieces(self, start: int, end: int) -> list[tuple[Segment, ByteRange]]:
        """Each segment [start, end) touches, with the span of it to read."""
        out = []
        offset = 0
        for seg in self.segments:
            seg_start, seg_end = offset, offset + seg.length
            offset = seg_end
            if seg_end <= start or seg_start >= end or seg.length == 0:
                continue
            a, b = max(start, seg_start) - seg_start, min(end, seg_end) - seg_start
            base = seg.span.start if seg.span is not None else 0
            out.append((seg, ByteRange(base + a, base + b)))
        return out

    async def _open(self, seg: Segment, piece: ByteRange) -> AsyncIterator[bytes]:
        if seg.data is not None:
            return once(seg.data[piece.start:piece.end])
        if self.guard is not None and seg.container not in self._allowed:
            try:
                await self.guard(self.account, seg.container)
            except (errors.Forbidden, errors.Unauthorized) as exc:
                # as Swift: the object is there, but cannot be made whole for this reader
                raise errors.Conflict(f"segment {seg.path}: {exc}") from None
            self._allowed.add(seg.container)
        try:
            handle = await self.open_object(self.account, seg.container, seg.name)
        except errors.NotFound:
            raise errors.Conflict(f"segment {seg.path} is missing") from None
        handle.customer_key = self.customer_key
        if isinstance(handle, ManifestHandle):
            if self.depth >= MAX_DEPTH:
                raise errors.Conflict(f"{seg.path}: manifests nested more than "
                                      f"{MAX_DEPTH} deep (or in a loop)")
            handle.guard, handle.depth = self.guard, self.depth + 1
            handle.open_object, handle.sleep = self.open_object, self.sleep
            handle.swift_view()
        elif self.verify and handle.etag != seg.etag and not seg.sub_slo:
            handle.discard()
            raise errors.Conflict(f"segment {seg.path} changed since the manifest was "
                                  "written")
        whole = (piece.start, piece.end) == (0, handle.size)
        stream = await handle.read(None if whole else piece)
        return stream.body

    async def _body(self, first: tuple[Segment, ByteRange, AsyncIterator[bytes]] | None,
                    pieces: list[tuple[Segment, ByteRange]]) -> AsyncIterator[bytes]:
        if first is None:
            return
        async for chunk in first[2]:
            yield chunk
        for n, (seg, piece) in enumerate(pieces[1:], 2):
            if n > PACED_AFTER and seg.data is None and piece.end - piece.start < SMALL_SEGMENT:
                await self.sleep(1.0 / SMALL_PER_SECOND)
            async for chunk in await self._open(seg, piece):
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
