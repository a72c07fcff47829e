"""Answering a GET or HEAD of an object, for both APIs: one skeleton.

Given an opened object (the proxy's handle: its size, its ETag, and `read` of the
whole or of one span), the request's method and headers, and the response headers the
API has already translated, `answer_read` checks the conditional headers, answers a
HEAD, parses the Range header once and answers 200, 206 or (if the API's policy says
so) a multipart/byteranges 206. What differs between the APIs stays theirs: how the
headers are translated, the time conditions compare with (`modified`: S3 rounds
down, Swift up, as each one's Last-Modified does), and the shapes of 304 and 416 (the
errors raised here: NotModified, PreconditionFailed, RangeNotSatisfiable).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from starlette.responses import Response, StreamingResponse

from objectstore.http.bodies import Body, body_response
from objectstore.http.conditions import check_conditions
from objectstore.http.ranges import ByteRange, Multipart, parse_ranges


class Readable(Protocol):
    """An opened object (the proxy's ObjectHandle and ManifestHandle are)."""

    @property
    def size(self) -> int: ...

    @property
    def etag(self) -> str: ...

    async def read(self, span: ByteRange | None = None) -> Body: ...


@dataclass(frozen=True, slots=True)
class ReadPolicy:
    """What an API answers where the two differ (one constant per API)."""

    # several ranges in one Range header: a multipart/byteranges body (Swift), or the
    # whole object, 200 (S3)
    multi_range: bool
    # each conditional header evaluated on its own (Swift: If-Match and
    # If-Unmodified-Since can both fail a read), or in RFC 9110's order, where an
    # If-Match makes If-Unmodified-Since ignored (S3)
    independent_conditions: bool = False


async def answer_read(handle: Readable, method: str, request: Mapping[str, str],
                      headers: dict[str, str], modified: float | None, policy: ReadPolicy
                      ) -> Response:
    """The response to a GET or HEAD of `handle`; `request` holds the request's headers
    (lower-case names), `headers` the response's (content-length and -type among them),
    completed here for a 206."""
    check_conditions(request, handle.etag, modified, method in ("GET", "HEAD"),
                     policy.independent_conditions)
    if method == "HEAD":
        return Response(status_code=200, headers=headers)
    size = handle.size
    spans = parse_ranges(request.get("range"), size)
    if spans is None or (len(spans) > 1 and not policy.multi_range):
        return body_response(await handle.read(), 200, headers)
    if len(spans) == 1:
        span = spans[0]
        stream = await handle.read(span)
        headers["content-length"] = str(span.length)
        headers["content-range"] = span.content_range(size)
        return body_response(stream, 206, headers)
    multipart = Multipart(spans, size, headers.get("content-type", ""))

    async def read(start: int, end: int) -> AsyncIterator[bytes]:
        return (await handle.read(ByteRange(start, end))).body

    headers["content-type"] = multipart.content_type
    headers["content-length"] = str(multipart.length)
    return StreamingResponse(multipart.body(read), status_code=206, headers=headers)
