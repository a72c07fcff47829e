"""`DELETE ?multipart-manifest=delete` of a large object: its segments (those of
nested manifests too), then the manifest, answered as Swift's bulk delete answers
(text, or JSON when the client accepts it).

Who: each segment is deleted with the requester's own rights on its container (write
access); one refused is listed among the errors and left in place, and the manifest
is then kept too (nothing of it is lost)."""

from __future__ import annotations

import contextlib
import json

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath
from objectstore.api.segment_access import segment_guard
from objectstore.proxy.manifests import MAX_DEPTH, ManifestHandle, Segment


async def _segments_of(b: Backend, account: str, handle: ManifestHandle, depth: int
                       ) -> list[Segment]:
    """Every object segment to delete, nested manifests' own first, then them."""
    out: list[Segment] = []
    for seg in handle.segments:
        if seg.data is not None:
            continue
        if seg.sub_slo and depth < MAX_DEPTH:
            with contextlib.suppress(errors.NotFound):
                sub = await b.proxy.open_object(account, seg.container, seg.name)
                if isinstance(sub, ManifestHandle):
                    out += await _segments_of(b, account, sub, depth + 1)
        out.append(seg)
    return out


def _status(error: errors.ObjectStoreError) -> str:
    if isinstance(error, errors.Unauthorized):
        return "401 Unauthorized"
    if isinstance(error, errors.Forbidden):
        return "403 Forbidden"
    return "503 Service Unavailable"


async def delete_manifest(b: Backend, request: Request, t: SwiftPath,
                          handle: ManifestHandle) -> Response:
    assert t.container is not None and t.obj is not None
    guard = segment_guard(request, "DELETE")
    deleted = missing = 0
    problems: list[list[str]] = []
    done: set[tuple[str, str]] = set()
    for seg in await _segments_of(b, t.account, handle, 1):
        if (seg.container, seg.name) in done:
            continue
        done.add((seg.container, seg.name))
        try:
            await guard(t.account, seg.container)
            await b.proxy.delete_object(t.account, seg.container, seg.name)
            deleted += 1
        except errors.NotFound:
            missing += 1
        except errors.ObjectStoreError as exc:
            problems.append([seg.path, _status(exc)])
    if not problems:
        try:
            await b.proxy.delete_object(t.account, t.container, t.obj)
            deleted += 1
        except errors.NotFound:
            missing += 1
    status = "400 Bad Request" if problems else "200 OK"
    return bulk_response(request, deleted, missing, status, problems)


def bulk_response(request: Request, deleted: int, missing: int, status: str,
                  problems: list[list[str]]) -> Response:
    """Swift's bulk-delete answer: always a 200, the outcome in the body."""
    if "application/json" in request.headers.get("accept", ""):
        body = json.dumps({"Number Deleted": deleted, "Number Not Found": missing,
                           "Response Status": status, "Response Body": "",
                           "Errors": problems}).encode()
        return Response(body, status_code=200, media_type="application/json")
    lines = [f"Number Deleted: {deleted}", f"Number Not Found: {missing}",
             "Response Body: ", f"Response Status: {status}", "Errors:"]
    lines += [", ".join(p) for p in problems]
    return Response(("\n".join(lines) + "\n").encode(), status_code=200,
                    media_type="text/plain")
