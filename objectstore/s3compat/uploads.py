"""What an upload request carries: its metadata, the headers stored with the object, and
its checked payload (see bodies.py), for PutObject and UploadPart alike."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request

from objectstore.s3compat import s3errors, sigv4
from objectstore.s3compat.bodies import checked_body, checksum_algorithm
from objectstore.s3compat.chunked import SIGNED, SIGNED_TRAILER, ChunkSigner
from objectstore.s3compat.responses import STORED

MAX_META = 2048


def user_meta(h: Any) -> dict[str, str]:
    meta = {k: v for k, v in h.items() if k.startswith("x-amz-meta-")}
    if sum(len(k) - len("x-amz-meta-") + len(v) for k, v in meta.items()) > MAX_META:
        raise s3errors.MetadataTooLarge()
    return meta


def object_headers_in(h: Any, meta: dict[str, str]) -> dict[str, str]:
    """What is stored with an object: content headers and user metadata."""
    headers = {k: h[k] for k in STORED if k in h}
    headers.setdefault("content-type", "binary/octet-stream")
    headers.update({"x-object-meta-" + k[len("x-amz-meta-"):]: v for k, v in meta.items()})
    return headers


def upload_body(request: Request, signed: sigv4.SignedRequest | None, key: bytes
                ) -> tuple[AsyncIterator[bytes], dict[str, str], dict[str, str]]:
    """The checked payload of an upload, the headers describing it to the nodes, and
    the dict that receives its verified checksum."""
    h = {k.lower(): v for k, v in request.headers.items()}
    mode = h.get("x-amz-content-sha256", sigv4.UNSIGNED)
    length = h.get("x-amz-decoded-content-length") if mode.startswith("STREAMING") \
        else h.get("content-length")
    if length is None or not length.isdigit():
        raise s3errors.MissingContentLength()
    if int(length) > 5 * 1024 ** 3:
        raise s3errors.EntityTooLarge()
    signer = None
    if mode in (SIGNED, SIGNED_TRAILER):
        if signed is None:
            raise s3errors.InvalidRequest("signed chunks need Signature V4")
        signer = ChunkSigner(key, signed.amz_date, signed.credential.scope, signed.signature)
    headers = {"content-length": length}
    algorithm = checksum_algorithm(h)
    if algorithm:
        headers["x-backend-checksum-algorithm"] = algorithm     # the nodes keep it
    stored: dict[str, str] = {}
    return checked_body(request_stream(request), h, signer, stored), headers, stored


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


async def request_stream(request: Request) -> AsyncIterator[bytes]:
    async for chunk in request.stream():
        yield chunk


