"""A manifest's handle reads its segments through the opener it was given (the proxy's
open_object in the store) and takes the span as the edge parsed it: a ByteRange, never a
header string to parse again. Segments here are plain in-memory readers: the opener is
the seam being tested, not a storage node."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from objectstore.http.ranges import ByteRange
from objectstore.node.client import NodeClient
from objectstore.proxy.handles import ObjectHandle, ObjectStream
from objectstore.proxy.limiter import ErrorLimiter
from objectstore.proxy.manifests import ManifestHandle, Segment

DATA = {"s1": b"0123456789", "s2": b"abcdefghij", "s3": b"KLMNO"}
WHOLE = b"".join(DATA.values())


class SegmentReader:
    """Reads one segment's bytes, recording the span it was asked for."""

    def __init__(self, data: bytes, asked: list[ByteRange | None], etag: str) -> None:
        self.data, self.asked, self.etag = data, asked, etag
        self.headers = {"content-length": str(len(data))}
        self.size = len(data)

    def discard(self) -> None:
        pass

    async def read(self, span: ByteRange | None = None) -> ObjectStream:
        self.asked.append(span)
        start, end = span if span is not None else (0, len(self.data))

        async def body() -> AsyncIterator[bytes]:
            yield self.data[start:end]
        return ObjectStream(206 if span else 200, {}, body(), lambda: None)


def manifest(asked: list[ByteRange | None], opened: list[str],
             segments: list[Segment] | None = None) -> ManifestHandle:
    async def opener(account: str, container: str, obj: str) -> SegmentReader:
        opened.append(obj)
        return SegmentReader(DATA[obj], asked, obj)

    head = ObjectHandle(NodeClient(b"k"), ErrorLimiter(3, 60, 30), {"etag": "m"}, 0,
                        ("AUTH_a", "c", "o"), [])
    if segments is None:
        segments = [Segment("c+segments", n, len(d), n) for n, d in DATA.items()]
    return ManifestHandle(opener, "AUTH_a", head, segments)


async def read(handle: ManifestHandle, span: ByteRange | None) -> tuple[ObjectStream, bytes]:
    stream = await handle.read(span)
    return stream, b"".join([c async for c in stream.body])


def test_a_span_reads_only_the_segments_it_covers() -> None:
    asked: list[ByteRange | None] = []
    opened: list[str] = []
    stream, got = asyncio.run(read(manifest(asked, opened), ByteRange(8, 12)))
    assert got == WHOLE[8:12]
    assert stream.status == 206
    assert stream.headers["content-range"] == "bytes 8-11/25"
    assert stream.headers["content-length"] == "4"
    assert opened == ["s1", "s2"]
    assert asked == [ByteRange(8, 10), ByteRange(0, 2)]


def test_whole_segments_are_read_whole() -> None:
    asked: list[ByteRange | None] = []
    opened: list[str] = []
    stream, got = asyncio.run(read(manifest(asked, opened), None))
    assert got == WHOLE and stream.status == 200
    assert stream.headers["content-length"] == "25"
    assert asked == [None, None, None]


def test_every_span_reads_back_what_the_whole_holds() -> None:
    for start in range(len(WHOLE)):
        for end in range(start + 1, len(WHOLE) + 1):
            _, got = asyncio.run(read(manifest([], []), ByteRange(start, end)))
            assert got == WHOLE[start:end], (start, end)


def test_ranged_and_data_segments_read_their_own_bytes() -> None:
    """An SLO's segment may be a span of an object, or data in the manifest itself."""
    asked: list[ByteRange | None] = []
    opened: list[str] = []
    segments = [Segment("c", "s1", 10, "s1", span=ByteRange(2, 5)),
                Segment("", "", 0, "", data=b"--"),
                Segment("c", "s2", 10, "s2", span=ByteRange(8, 10))]
    handle = manifest(asked, opened, segments)
    assert handle.size == 3 + 2 + 2
    _, got = asyncio.run(read(handle, None))
    assert got == b"234--ij"
    assert asked == [ByteRange(2, 5), ByteRange(8, 10)]
    _, got = asyncio.run(read(manifest([], [], segments), ByteRange(1, 6)))
    assert got == b"34--i"


def test_a_segment_whose_etag_changed_fails_before_the_headers() -> None:
    import pytest

    from objectstore import errors

    segments = [Segment("c", "s1", 10, "not-its-etag")]
    with pytest.raises(errors.Conflict, match="changed"):
        asyncio.run(read(manifest([], [], segments), None))


def test_segments_stream_chunk_by_chunk_never_whole() -> None:
    """Memory stays bounded: what a segment's reader yields is passed on as it comes,
    one chunk at a time, never gathered into a whole segment."""
    chunk = b"x" * 1024

    class Chunked(SegmentReader):
        async def read(self, span: ByteRange | None = None) -> ObjectStream:
            async def body() -> AsyncIterator[bytes]:
                for _ in range(64):
                    yield chunk
            return ObjectStream(200, {}, body(), lambda: None)

    async def opener(account: str, container: str, obj: str) -> SegmentReader:
        return Chunked(chunk * 64, [], obj)

    head = ObjectHandle(NodeClient(b"k"), ErrorLimiter(3, 60, 30), {"etag": "m"}, 0,
                        ("AUTH_a", "c", "o"), [])
    handle = ManifestHandle(opener, "AUTH_a", head,
                            [Segment("c", f"s{i}", 64 * 1024, f"s{i}") for i in range(3)])

    async def sizes() -> list[int]:
        stream = await handle.read()
        return [len(c) async for c in stream.body]

    got = asyncio.run(sizes())
    assert sum(got) == 3 * 64 * 1024 and max(got) == 1024


def test_small_segments_past_the_tenth_are_read_at_a_bounded_pace() -> None:
    """14 segments of 10 or 5 bytes: the 11th to 14th each wait a second first (Swift's
    rate_limit_after_segment); a span that starts later counts from its own first."""
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    names = list(DATA) * 5
    segments = [Segment("c+segments", n, len(DATA[n]), n) for n in names[:14]]
    handle = manifest([], [], segments)
    handle.sleep = sleep
    _, body = asyncio.run(read(handle, None))
    assert body == b"".join(DATA[n] for n in names[:14])
    assert waits == [1.0] * 4
    waits.clear()
    asyncio.run(read(handle, ByteRange(100, 110)))      # the 13th segment alone
    assert waits == []
