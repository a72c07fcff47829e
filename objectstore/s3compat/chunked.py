"""aws-chunked request bodies: decode while streaming, verify every chunk signature and
the trailing checksum, and fail before the end of the body if anything is off -- so
the write is aborted and nothing is stored.

    STREAMING-AWS4-HMAC-SHA256-PAYLOAD          <hex>;chunk-signature=<sig> CRLF data CRLF
    STREAMING-UNSIGNED-PAYLOAD-TRAILER          <hex> CRLF data CRLF ... 0 CRLF trailer CRLF CRLF
    STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER  signed chunks, then the trailer and
                                                x-amz-trailer-signature
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass

from objectstore.errors import BadRequest
from objectstore.s3compat import s3errors

SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING = (SIGNED, UNSIGNED_TRAILER, SIGNED_TRAILER)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
MAX_LINE = 4096


@dataclass
class ChunkSigner:
    """The chain of chunk signatures, seeded with the request's signature."""

    key: bytes
    amz_date: str
    scope: str
    previous: str

    def next(self, data_sha256: str) -> str:
        text = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", self.amz_date, self.scope,
                          self.previous, EMPTY_SHA256, data_sha256])
        self.previous = hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()
        return self.previous

    def trailer(self, trailer_text: bytes) -> str:
        text = "\n".join(["AWS4-HMAC-SHA256-TRAILER", self.amz_date, self.scope,
                          self.previous, hashlib.sha256(trailer_text).hexdigest()])
        return hmac.new(self.key, text.encode(), hashlib.sha256).hexdigest()


class _Reader:
    """Buffered reads of lines and exact byte counts from an async byte stream."""

    def __init__(self, source: AsyncIterator[bytes]) -> None:
        self.source = source
        self.buf = bytearray()

    async def _fill(self) -> bool:
        async for piece in self.source:
            if piece:
                self.buf += piece
                return True
        return False

    async def line(self) -> bytes:
        while (end := self.buf.find(b"\r\n")) < 0:
            if len(self.buf) > MAX_LINE or not await self._fill():
                raise BadRequest("aws-chunked body is malformed or truncated")
        out = bytes(self.buf[:end])
        del self.buf[:end + 2]
        return out

    async def take(self, n: int) -> AsyncIterator[bytes]:
        while n > 0:
            if not self.buf and not await self._fill():
                raise BadRequest("aws-chunked body is truncated")
            piece = bytes(self.buf[:n])
            del self.buf[:len(piece)]
            n -= len(piece)
            yield piece


async def decode(source: AsyncIterator[bytes], mode: str, signer: ChunkSigner | None,
                 trailers: dict[str, str]) -> AsyncIterator[bytes]:
    """Yield the payload; fill `trailers` (lower-case names) at the end."""
    signed = mode in (SIGNED, SIGNED_TRAILER)
    reader = _Reader(source)
    while True:
        header = (await reader.line()).decode("latin-1")
        size_text, _, ext = header.partition(";")
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadRequest("bad aws-chunked chunk size") from None
        digest = hashlib.sha256()
        async for piece in reader.take(size):
            if signed:
                digest.update(piece)
            yield piece
        if signed:
            assert signer is not None
            given = ext.partition("chunk-signature=")[2]
            if not hmac.compare_digest(signer.next(digest.hexdigest()), given):
                raise s3errors.SignatureDoesNotMatch("a chunk signature does not "
                                                     "match")
        if size == 0:
            break
        if await reader.line() != b"":
            raise BadRequest("aws-chunked data is longer than its declared size")
    if mode == SIGNED:
        await reader.line()
        return
    raw_trailer = b""
    while (line := await reader.line()) != b"":
        name, _, value = line.decode("latin-1").partition(":")
        name = name.strip().lower()
        if name == "x-amz-trailer-signature":
            assert signer is not None
            if not hmac.compare_digest(signer.trailer(raw_trailer), value.strip()):
                raise s3errors.SignatureDoesNotMatch("the trailer signature does "
                                                     "not match")
            continue
        raw_trailer += line + b"\n"
        trailers[name] = value.strip()
