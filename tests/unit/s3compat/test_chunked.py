"""aws-chunked decoding: bodies as botocore writes them, and signed chunks as the AWS
SigV4 streaming spec defines them; tampering and truncation fail before the end."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import io
import zlib
from collections.abc import AsyncIterator

import pytest
from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

from objectstore.errors import BadRequest
from objectstore.s3compat.chunked import (
    SIGNED,
    SIGNED_TRAILER,
    UNSIGNED_TRAILER,
    ChunkSigner,
    decode,
)
from objectstore.s3compat.s3errors import SignatureDoesNotMatch

KEY = hashlib.sha256(b"key").digest()
SEED = "a" * 64


def signer() -> ChunkSigner:
    return ChunkSigner(KEY, "20261125T000000Z", "20261125/us-east-1/s3/aws4_request", SEED)


async def pieces(data: bytes, size: int = 7) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


def run(data: bytes, mode: str, sign: ChunkSigner | None) -> tuple[bytes, dict[str, str]]:
    trailers: dict[str, str] = {}

    async def go() -> bytes:
        return b"".join([c async for c in decode(pieces(data), mode, sign, trailers)])

    return asyncio.run(go()), trailers


def signed_body(payload: bytes, chunk: int, trailer: bytes | None = None) -> bytes:
    s = signer()
    out = b""
    for i in range(0, len(payload), chunk):
        part = payload[i:i + chunk]
        sig = s.next(hashlib.sha256(part).hexdigest())
        out += f"{len(part):x};chunk-signature={sig}\r\n".encode() + part + b"\r\n"
    sig = s.next(hashlib.sha256(b"").hexdigest())
    out += f"0;chunk-signature={sig}\r\n".encode()
    if trailer is None:
        return out + b"\r\n"
    # the trailer is signed in its canonical form: "name:value\n" per header
    canonical = trailer.replace(b"\r\n", b"\n")
    return out + trailer + f"x-amz-trailer-signature:{s.trailer(canonical)}\r\n\r\n".encode()


def test_botocore_unsigned_trailer_body() -> None:
    payload = b"hello world" * 1000
    body = AwsChunkedWrapper(io.BytesIO(payload), checksum_cls=Crc32Checksum,
                             checksum_name="x-amz-checksum-crc32", chunk_size=4096).read()
    got, trailers = run(body, UNSIGNED_TRAILER, None)
    assert got == payload
    expected = base64.b64encode(zlib.crc32(payload).to_bytes(4, "big")).decode()
    assert trailers == {"x-amz-checksum-crc32": expected}


def test_signed_chunks() -> None:
    payload = bytes(range(256)) * 300
    got, _ = run(signed_body(payload, 8192), SIGNED, signer())
    assert got == payload
    got, trailers = run(signed_body(payload, 5000, b"x-amz-checksum-crc32:AAAAAA==\r\n"),
                        SIGNED_TRAILER, signer())
    assert got == payload and trailers == {"x-amz-checksum-crc32": "AAAAAA=="}


def test_tampered_chunk_or_trailer_is_refused() -> None:
    body = bytearray(signed_body(b"x" * 20000, 8192))
    body[200] ^= 1                                    # inside the first chunk's data
    with pytest.raises(SignatureDoesNotMatch):
        run(bytes(body), SIGNED, signer())
    good = signed_body(b"y" * 100, 64, b"x-amz-checksum-crc32:AAAAAA==\r\n")
    bad = good.replace(b"AAAAAA==", b"AAAAAB==")
    with pytest.raises(SignatureDoesNotMatch):
        run(bad, SIGNED_TRAILER, signer())


@pytest.mark.parametrize("body", [b"zz\r\nabc", b"10\r\nabc", b"3\r\nabcdef\r\n0\r\n\r\n",
                                  b"3\r\nabc\r\n", b"x" * 5000])
def test_malformed_or_truncated(body: bytes) -> None:
    with pytest.raises(BadRequest):
        run(body, UNSIGNED_TRAILER, None)


def test_chunk_signature_chain_matches_the_spec_example() -> None:
    """AWS's documented example: the first chunk signature of their 64 KiB sample."""
    key = b"AWS4wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    for part in ("20130524", "us-east-1", "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    s = ChunkSigner(key, "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
                    "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9")
    first = s.next(hashlib.sha256(b"a" * 65536).hexdigest())
    assert first == "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
