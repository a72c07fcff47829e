"""What an upload request carries, as the proxy's PutOptions: its metadata, the headers
stored with the object, its conditions, and its checked payload (see bodies.py), for
PutObject, CopyObject, UploadPart and CompleteMultipartUpload alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from starlette.datastructures import Headers
from starlette.requests import Request

from objectstore import checksums
from objectstore.http.conditions import etag_list
from objectstore.proxy.put_options import PutOptions, content_headers_of
from objectstore.s3compat import object_lock, s3errors, sigv4, storage_class, tagging
from objectstore.s3compat.bodies import checked_body, checksum_algorithm
from objectstore.s3compat.chunked import SIGNED, SIGNED_TRAILER, ChunkSigner
from objectstore.s3compat.xmlbody import read_limited

MAX_META = 2048
MAX_OBJECT = 5 * 1024 ** 3       # one PutObject or UploadPart
META = "x-amz-meta-"
DEFAULT_CONTENT_TYPE = "binary/octet-stream"


def user_meta(h: Any) -> dict[str, str]:
    meta = {k: v for k, v in h.items() if k.startswith("x-amz-meta-")}
    if sum(len(k) - len("x-amz-meta-") + len(v) for k, v in meta.items()) > MAX_META:
        raise s3errors.MetadataTooLarge()
    return meta


def object_options(h: Headers, meta: dict[str, str]) -> PutOptions:
    """What is stored with an object: its content type and headers, user metadata,
    the tags of x-amz-tagging, its storage class."""
    options = PutOptions(content_type=h.get("content-type", DEFAULT_CONTENT_TYPE),
                         content_headers=without_aws_chunked(content_headers_of(h.raw)),
                         user_metadata={k[len(META):]: v for k, v in meta.items()})
    tagging.on_write(h, options)
    storage_class.on_write(h, options)
    object_lock.requested(h, options.system_metadata)
    return options


def without_aws_chunked(content: dict[str, str]) -> dict[str, str]:
    """`aws-chunked` in a Content-Encoding says how the request's body is framed, not
    how the object is encoded: S3 keeps the other codings ("aws-chunked, gzip" is
    stored as "gzip") and no Content-Encoding when nothing else is left."""
    encoding = content.get("content-encoding")
    if encoding is None or "aws-chunked" not in encoding.lower():
        return content
    kept = [c.strip() for c in encoding.split(",")
            if c.strip() and c.strip().lower() != "aws-chunked"]
    if kept:
        content["content-encoding"] = ", ".join(kept)
    else:
        del content["content-encoding"]
    return content


def write_conditions(h: Any, options: PutOptions) -> PutOptions:
    """S3's conditional writes into `options`: If-None-Match (`*`: create only; an
    ETag: not over a version with it) and If-Match (replace only that version)."""
    if_none = h.get("if-none-match")
    if if_none is not None:
        tags = etag_list(if_none)
        options.if_none_match_any = "*" in tags
        options.if_none_match = tuple(t for t in tags if t != "*")
    if_match = h.get("if-match")
    if if_match is not None:
        options.if_match = tuple(etag_list(if_match))
    return options


def upload_body(request: Request, signed: sigv4.SignedRequest | None, key: bytes,
                options: PutOptions) -> tuple[AsyncIterator[bytes], dict[str, str]]:
    """The checked payload of an upload, and the dict that receives its verified
    checksum; its declared length and checksum algorithm go into `options`."""
    h = {k.lower(): v for k, v in request.headers.items()}
    mode = h.get("x-amz-content-sha256", sigv4.UNSIGNED)
    length = declared_length(h, mode)
    if length is not None and length > MAX_OBJECT:
        raise s3errors.EntityTooLarge()
    signer = None
    if mode in (SIGNED, SIGNED_TRAILER):
        if signed is None:
            raise s3errors.InvalidRequest("signed chunks need Signature V4")
        signer = ChunkSigner(key, signed.amz_date, signed.credential.scope, signed.signature)
    options.length = length
    options.checksum_algorithm = checksum_algorithm(h)      # the nodes keep it
    stored: dict[str, str] = {}
    source = request_stream(request) if length is not None else at_most(
        request_stream(request), MAX_OBJECT)
    return checked_body(source, h, signer, stored), stored


def declared_length(h: dict[str, str], mode: str) -> int | None:
    """The payload's length: Content-Length, or an aws-chunked body's
    x-amz-decoded-content-length (which S3 requires); None for a plain body sent with
    Transfer-Encoding: chunked, taken without a length as RGW takes it (ceph/s3-tests
    send one; AWS asks for a Content-Length). Without either, 411 MissingContentLength,
    as S3 answers (an HTTP body without them is empty)."""
    length = h.get("x-amz-decoded-content-length") if mode.startswith("STREAMING") \
        else h.get("content-length")
    if length is not None and length.isdigit():
        return int(length)
    if length is None and not mode.startswith("STREAMING") \
            and "chunked" in h.get("transfer-encoding", "").lower():
        return None
    raise s3errors.MissingContentLength()


async def at_most(source: AsyncIterator[bytes], limit: int) -> AsyncIterator[bytes]:
    """A body of no declared length, cut off (EntityTooLarge) once past `limit`."""
    seen = 0
    async for chunk in source:
        seen += len(chunk)
        if seen > limit:
            raise s3errors.EntityTooLarge()
        yield chunk


async def check_small_body(body: bytes, request: Request, own_checksums: bool = True
                           ) -> None:
    """Content-MD5 / x-amz-checksum-* of a small body read whole. (A Complete's
    x-amz-checksum-* describe the object it makes, not its body: own_checksums=False.)"""
    async def once() -> AsyncIterator[bytes]:
        yield body
    headers = {k.lower(): v for k, v in request.headers.items()
               if own_checksums or not k.lower().startswith(("x-amz-checksum-",
                                                             "x-amz-trailer"))}
    async for _ in checked_body(once(), headers, None, {}):
        pass


async def integrity_checked_body(request: Request) -> bytes:
    """The small body of a call S3 insists on an integrity check for (DeleteObjects,
    PutBucketLifecycleConfiguration): Content-MD5 or an x-amz-checksum-* is required,
    and must match."""
    h = request.headers
    if "content-md5" not in h and not any(f"x-amz-checksum-{name}" in h
                                          for name in checksums.ALGORITHMS):
        raise s3errors.InvalidRequest("Missing required header for this request: "
                                      "Content-MD5")
    body = await read_limited(request_stream(request))
    await check_small_body(body, request)
    return body


async def request_stream(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        yield chunk


