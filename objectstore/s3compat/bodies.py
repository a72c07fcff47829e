"""An S3 upload body as it streams in: decoded (aws-chunked), and checked against what
the client declared -- x-amz-content-sha256, Content-MD5, x-amz-checksum-* (in a header
or a trailer). A mismatch raises before the stream ends, so the write is aborted and
nothing is stored."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator, Mapping

from objectstore import checksums
from objectstore.s3compat import s3errors
from objectstore.s3compat.chunked import STREAMING, ChunkSigner, decode
from objectstore.s3compat.sigv4 import UNSIGNED


def declared_checksum(headers: Mapping[str, str]) -> tuple[str, str] | None:
    for name in checksums.ALGORITHMS:
        value = headers.get(f"x-amz-checksum-{name}")
        if value:
            return name, value
    return None


def checksum_algorithm(headers: Mapping[str, str]) -> str:
    """The x-amz-checksum-* algorithm an upload declares (in a trailer or a header)."""
    trailer = headers.get("x-amz-trailer", "").strip().lower()
    if trailer:
        return trailer.removeprefix("x-amz-checksum-")
    return (declared_checksum(headers) or ("", ""))[0]


def check_declared(headers: Mapping[str, str]) -> None:
    """A Content-MD5 that cannot be an MD5 is refused before any byte is read
    (InvalidDigest), not compared later as a mere mismatch (BadDigest). (An
    x-amz-checksum-* value of the wrong form stays BadDigest, as ceph/s3-tests expect.)"""
    md5 = headers.get("content-md5")
    if md5 is not None and not checksums.valid_value("md5", md5.strip()):
        raise s3errors.InvalidDigest()


async def checked_body(source: AsyncIterator[bytes], headers: Mapping[str, str],
                       signer: ChunkSigner | None, stored: dict[str, str]
                       ) -> AsyncIterator[bytes]:
    """Yield the payload; `stored` receives the verified checksum (algorithm -> value)."""
    check_declared(headers)
    mode = headers.get("x-amz-content-sha256", UNSIGNED)
    trailers: dict[str, str] = {}
    body = decode(source, mode, signer, trailers) if mode in STREAMING else source
    sha256 = hashlib.sha256() if mode not in STREAMING and mode != UNSIGNED else None
    md5 = hashlib.md5(usedforsecurity=False) if "content-md5" in headers else None
    algo_name = checksum_algorithm(headers)
    summer = checksums.running(algo_name) if algo_name else None
    if algo_name and summer is None:
        raise s3errors.InvalidRequest(f"Unsupported checksum algorithm {algo_name}")
    async for chunk in body:
        for h in (sha256, md5, summer):
            if h is not None:
                h.update(chunk)
        yield chunk
    if sha256 is not None and sha256.hexdigest() != mode:
        raise s3errors.XAmzContentSHA256Mismatch()
    if md5 is not None and base64.b64encode(md5.digest()).decode() != headers["content-md5"]:
        raise s3errors.BadDigest("The Content-MD5 you specified did not match what "
                                 "was received.")
    if algo_name:
        given = trailers.get(f"x-amz-checksum-{algo_name}") or headers.get(
            f"x-amz-checksum-{algo_name}", "")
        if summer is not None and given != summer.b64digest():
            raise s3errors.BadDigest(f"The {algo_name.upper()} you specified did not "
                                     "match the calculated checksum.")
        if given:
            stored[algo_name] = given
