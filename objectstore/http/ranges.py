"""HTTP Range requests (RFC 9110 14.2): which byte spans of an object a GET returns.

`bytes=0-9`, `bytes=-5` (the last 5), `bytes=5-` (from 5 on), several separated by
commas. A header that does not parse is ignored (the whole object, as RFC and Swift
do); one that parses but selects no byte is a 416.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import NamedTuple

from objectstore.errors import RangeNotSatisfiable

MAX_RANGES = 50


class ByteRange(NamedTuple):
    """One span of an object's bytes, [start, end): parsed from the client's header
    once, at the edge, and handed down as this value (a tuple, so `start, end = span`)."""

    start: int
    end: int

    @property
    def length(self) -> int:
        return self.end - self.start

    def header(self) -> str:
        """The Range header that asks a storage node for this span."""
        return f"bytes={self.start}-{self.end - 1}"

    def content_range(self, size: int) -> str:
        return content_range(self.start, self.end, size)


def parse_ranges(header: str | None, size: int) -> list[ByteRange] | None:
    """The spans a Range header selects of `size` bytes, or None for the whole object."""
    if not header:
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or not spec.strip():
        return None
    spans: list[ByteRange] = []
    for part in spec.split(","):
        first, dash, last = part.partition("-")
        first, last = first.strip(), last.strip()       # "bytes = 0 - 999", as Swift
        if not dash or not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
            return None
        if first == "":
            if last == "":
                return None
            n = int(last)
            if n == 0:
                continue
            spans.append(ByteRange(max(0, size - n), size))
        else:
            start = int(first)
            end = int(last) + 1 if last else size
            if last and end <= start:
                return None
            if start < size:
                spans.append(ByteRange(start, min(end, size)))
    if not spans:
        raise RangeNotSatisfiable(f"bytes */{size}")
    if len(spans) > MAX_RANGES:
        return None
    return spans


def content_range(start: int, end: int, size: int) -> str:
    return f"bytes {start}-{end - 1}/{size}"


class Multipart:
    """A multipart/byteranges body, streamed range by range with a known length."""

    def __init__(self, spans: list[ByteRange], size: int, content_type: str) -> None:
        self.boundary = secrets.token_hex(16)
        self.spans = spans
        self.heads = [(f"--{self.boundary}\r\nContent-Type: {content_type}\r\n"
                       f"Content-Range: {content_range(s, e, size)}\r\n\r\n").encode()
                      for s, e in spans]
        self.tail = f"\r\n--{self.boundary}--".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/byteranges;boundary={self.boundary}"

    @property
    def length(self) -> int:
        data = sum(e - s for s, e in self.spans)
        return sum(map(len, self.heads)) + data + 2 * (len(self.spans) - 1) + len(self.tail)

    async def body(self, read: Callable[[int, int], Awaitable[AsyncIterator[bytes]]]
                   ) -> AsyncIterator[bytes]:
        for i, (head, (start, end)) in enumerate(zip(self.heads, self.spans)):
            if i:
                yield b"\r\n"
            yield head
            async for chunk in await read(start, end):
                yield chunk
        yield self.tail
