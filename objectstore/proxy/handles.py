"""Reading an object that `Proxy.open_object` found: the handle on its replicas and the
stream a read answers with.

A handle needs only a node client (to GET from the replicas) and the error limiter (to
try a limited node last), not the whole Proxy; so the handles of plain objects and of
manifests (objectstore.proxy.manifests) depend on this module, and the proxy core on
both, with no import circle.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import aiohttp

from objectstore import errors
from objectstore.crypto import reading
from objectstore.crypto.keyring import Keyring
from objectstore.http.ranges import ByteRange
from objectstore.node import paths, wire
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.proxy.bodies import once
from objectstore.proxy.fanout import NODE_ERRORS, node_of
from objectstore.proxy.limiter import ErrorLimiter
from objectstore.proxy.object_info import ObjectInfo
from objectstore.timestamps import Timestamp

SMALL_BODY = 64 * 1024      # bodies up to this size are read whole, then sent in one go


@dataclass
class ObjectStream:
    """A GET answer: headers from the chosen replica and its body, to be consumed once."""

    status: int
    headers: dict[str, str]
    body: AsyncIterator[bytes]
    close: Callable[[], None]
    whole: bytes | None = None      # the body itself, when it was small enough to read


@dataclass
class ObjectHandle:
    """An object found by `open_object`: the headers of its newest version, and the
    replicas that hold that version, to read from in turn."""

    client: NodeClient
    limiter: ErrorLimiter
    headers: dict[str, str]
    part: int
    path: tuple[str, str, str]
    holders: list[Target]
    prefetched: aiohttp.ClientResponse | None = None    # a whole-object GET, unread
    kind: str = paths.OBJECTS                    # its storage policy's node path kind
    keyring: Keyring | None = None      # opens an encrypted body's data key
    customer_key: bytes | None = None   # ... with the reader's key, for SSE-C

    @property
    def info(self) -> ObjectInfo:
        """The headers read into named fields (only when asked: no cost otherwise)."""
        return ObjectInfo.from_headers(self.path[2], self.headers)

    # The three facts every read needs, without building the whole ObjectInfo.
    @property
    def size(self) -> int:
        return int(self.headers.get("content-length", "0"))

    @property
    def etag(self) -> str:
        return self.headers.get("etag", "")

    @functools.cached_property
    def timestamp(self) -> Timestamp:
        return Timestamp.parse(self.headers["x-timestamp"])

    def discard(self) -> None:
        """Let go of a prefetched body that will not be read (a HEAD, a 304, ...)."""
        if self.prefetched is not None:
            self.prefetched.release()
            self.prefetched = None

    def body_key(self) -> tuple[bytes, bytes] | None:
        """An encrypted body's (data key, IV), None for a plain one; raises if the key
        cannot be opened (no key, or the wrong one, for SSE-C)."""
        return reading.body_key(self.headers, self.keyring, self.customer_key)

    async def read(self, span: ByteRange | None = None) -> ObjectStream:
        """Stream it (or one span of it) from the first holder that answers, decrypted
        if it is stored encrypted."""
        key = self.body_key()
        stream = await self.read_stored(span)
        if key is None:
            return stream
        offset = span.start if span is not None else 0
        if stream.whole is not None:
            whole = reading.decrypt_bytes(stream.whole, key, offset)
            return ObjectStream(stream.status, stream.headers, once(whole), stream.close,
                                whole)
        return ObjectStream(stream.status, stream.headers,
                            reading.decrypt_body(stream.body, key, offset), stream.close)

    async def read_stored(self, span: ByteRange | None = None) -> ObjectStream:
        """The bytes as stored (an encrypted object's ciphertext: a copy of the object
        as it is stored keeps its envelope too) from the first holder that answers; a
        failing replica is skipped, as nothing has reached the caller yet."""
        if self.prefetched is not None and span is None:
            resp, self.prefetched = self.prefetched, None
            with contextlib.suppress(*NODE_ERRORS):
                return await _stream_of(resp)
        self.discard()
        headers = {"range": span.header()} if span is not None else {}
        limited = self.limiter.limited
        holders = sorted(self.holders, key=lambda t: limited(node_of(t)))
        for target in holders:
            path = node_path(self.kind, target.device, self.part, *self.path)
            try:
                resp = await self.client.request("GET", target, path, headers)
            except NODE_ERRORS:
                continue
            got = resp.headers.get(wire.BACKEND_TIMESTAMP)
            if resp.status not in (200, 206) or got != self.headers.get(wire.BACKEND_TIMESTAMP):
                resp.release()      # failed, or a newer version arrived since we looked
                continue
            try:
                return await _stream_of(resp)
            except NODE_ERRORS:
                continue
        raise errors.ServiceUnavailable("no replica could be read (or the object changed "
                                        "while it was being read: retry)")


async def _stream_of(resp: aiohttp.ClientResponse) -> ObjectStream:
    """A small body is read here, whole (answered without streaming machinery, and a
    replica that fails while sending it can still be skipped); a larger one streams."""
    headers = {k.lower(): v for k, v in resp.headers.items()}
    if resp.content_length is not None and resp.content_length <= SMALL_BODY:
        async with resp:
            whole = await resp.read()
        return ObjectStream(resp.status, headers, once(whole), lambda: None, whole)
    return ObjectStream(resp.status, headers, _iter_body(resp), resp.release)



async def _iter_body(resp: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    async with resp:
        async for chunk in resp.content.iter_any():
            yield chunk
