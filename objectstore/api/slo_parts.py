"""`GET/HEAD ?part-number=N` of a Swift SLO: one of its segments, as Swift answers it
(206 with the segment's span of the whole, X-Parts-Count; 400 for a number that is
not one, 416 past the last part), and the part alone that a COPY with it copies.
S3's partNumber reads are s3compat's."""

from __future__ import annotations

from starlette.responses import Response

from objectstore import errors
from objectstore.http.bodies import body_response
from objectstore.http.ranges import ByteRange
from objectstore.proxy.manifests import ManifestHandle


async def part_response(handle: ManifestHandle, method: str, value: str,
                        headers: dict[str, str]) -> Response:
    """`headers`: the whole object's, as Swift shows them (slo.whole_object_headers)."""
    if not value.isdigit() or int(value) < 1:
        body = b"" if method == "HEAD" else b"Part number must be an integer greater than 0"
        return Response(body, status_code=400, media_type="text/plain")
    number = int(value)
    segments = handle.segments
    headers["x-parts-count"] = str(len(segments))
    if number > len(segments):
        body = b"" if method == "HEAD" else b"The requested part number is not satisfiable"
        out = {**headers, "content-range": f"bytes */{handle.size}",
               "content-length": str(len(body))}
        return Response(body, status_code=416, headers=out)
    start = sum(s.length for s in segments[:number - 1])
    span = ByteRange(start, start + segments[number - 1].length)
    headers["content-length"] = str(span.length)
    headers["content-range"] = span.content_range(handle.size)
    if method == "HEAD":
        return Response(status_code=206, headers=headers)
    return body_response(await handle.read(span), 206, headers)


def one_part(handle: ManifestHandle, value: str) -> ManifestHandle:
    """The object made of part `value` alone (what a COPY with ?part-number copies)."""
    if not value.isdigit() or int(value) < 1:
        raise errors.BadRequest("Part number must be an integer greater than 0")
    if int(value) > len(handle.segments):
        raise errors.RangeNotSatisfiable("The requested part number is not satisfiable")
    part = ManifestHandle(handle.open_object, handle.account, handle.manifest,
                          [handle.segments[int(value) - 1]])
    part.guard = handle.guard
    return part
