"""A tar archive read as it streams in (plain, gzip or bzip2): each member's name, type
and size, then its data as an async iterator -- never more than a block and one
request chunk in memory. Reads ustar, GNU long names (`L`) and pax `path` records;
the standard library's tarfile needs a blocking file, which a request body is not."""

from __future__ import annotations

import bz2
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from objectstore import errors

BLOCK = 512
REGULAR = (b"0", b"\0", b"7")
DIRECTORY = b"5"


@dataclass
class Member:
    name: str
    kind: bytes             # the typeflag
    size: int
    data: AsyncIterator[bytes]

    @property
    def is_file(self) -> bool:
        return self.kind in REGULAR


def decompressor(kind: str) -> Callable[[bytes], bytes] | None:
    """`tar`, `tar.gz` / `tgz` or `tar.bz2` / `tbz2`; None for another kind."""
    if kind == "tar":
        return lambda data: data
    if kind in ("tar.gz", "tgz"):
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress
    if kind in ("tar.bz2", "tbz2"):
        return bz2.BZ2Decompressor().decompress
    return None


class TarReader:
    def __init__(self, body: AsyncIterator[bytes], decompress: Callable[[bytes], bytes]
                 ) -> None:
        self._body = body
        self._decompress = decompress
        self._buffer = b""
        self._done = False

    async def _read(self, n: int) -> bytes:
        """Exactly `n` bytes (fewer only at the end of the archive)."""
        while len(self._buffer) < n and not self._done:
            try:
                chunk = await anext(self._body)
            except StopAsyncIteration:
                self._done = True
                break
            try:
                self._buffer += self._decompress(chunk)
            except (zlib.error, OSError, EOFError) as exc:
                raise errors.BadRequest(f"Invalid Tar File: {exc}") from None
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    async def _stream(self, size: int) -> AsyncIterator[bytes]:
        left = size
        while left:
            data = await self._read(min(left, 1 << 16))
            if not data:
                raise errors.BadRequest("Invalid Tar File: truncated")
            left -= len(data)
            yield data
        await self._read(-size % BLOCK)         # the padding to a whole block

    async def _skip(self, size: int) -> None:
        async for _ in self._stream(size):
            pass

    async def members(self) -> AsyncIterator[Member]:
        """The members in order; read (or leave) each one's data before the next."""
        long_name: str | None = None
        while True:
            header = await self._read(BLOCK)
            if len(header) < BLOCK or header == b"\0" * BLOCK:
                return
            name, kind, size = _parse(header)
            if kind in (b"L", b"x"):            # GNU long name, pax extended header
                raw = b"".join([c async for c in self._stream(size)])
                long_name = _pax_path(raw) if kind == b"x" else \
                    raw.rstrip(b"\0").decode("utf-8", "surrogateescape")
                continue
            member = Member(long_name or name, kind, size, self._stream(size))
            long_name = None
            yield member
            async for _ in member.data:         # whatever the caller left unread
                pass


def _parse(header: bytes) -> tuple[str, bytes, int]:
    if not _checksum_ok(header):
        raise errors.BadRequest("Invalid Tar File: bad header checksum")
    name = header[0:100].split(b"\0", 1)[0]
    prefix = header[345:500].split(b"\0", 1)[0] if header[257:262] == b"ustar" else b""
    if prefix:
        name = prefix + b"/" + name
    try:
        size = int(header[124:136].split(b"\0", 1)[0].strip() or b"0", 8)
    except ValueError:
        raise errors.BadRequest("Invalid Tar File: bad size") from None
    return name.decode("utf-8", "surrogateescape"), header[156:157], size


def _checksum_ok(header: bytes) -> bool:
    try:
        stored = int(header[148:156].split(b"\0", 1)[0].strip() or b"-1", 8)
    except ValueError:
        return False
    computed = sum(header[:148]) + 8 * 32 + sum(header[156:])
    return stored == computed


def _pax_path(raw: bytes) -> str | None:
    """The `path` record of a pax header (`<len> path=<value>\\n` records)."""
    while raw:
        length = raw.partition(b" ")[0]
        if not length.isdigit():
            return None
        record, raw = raw[:int(length)], raw[int(length):]
        key, _, value = record.partition(b" ")[2].partition(b"=")
        if key == b"path":
            return value.rstrip(b"\n").decode("utf-8", "surrogateescape")
    return None
