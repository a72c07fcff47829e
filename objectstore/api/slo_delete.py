"""`DELETE ?multipart-manifest=delete` of a large object: its segments (those of
nested manifests too), then the manifest, answered as Swift's bulk delete answers
(api/bulk.py: text, JSON or XML after the Accept header).

Who: each segment is deleted with the requester's own rights on its container (write
access, through the router's `may`); one refused is listed among the errors and left
in place, and the manifest is then kept too (nothing of it is lost)."""

from __future__ import annotations

import contextlib

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.bulk import Outcome, delete_one, outcome_response
from objectstore.api.names import SwiftPath
from objectstore.api.symlink_requests import may_of
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


async def delete_manifest(b: Backend, request: Request, t: SwiftPath,
                          handle: ManifestHandle, vid: str | None = None) -> Response:
    assert t.container is not None and t.obj is not None
    may = may_of(request)
    outcome = Outcome()
    paths = dict.fromkeys(f"{s.container}/{s.name}"
                          for s in await _segments_of(b, t.account, handle, 1))
    for path in paths:
        await delete_one(b, t.account, path, may, outcome)
    if outcome.failed:
        outcome.status = "400 Bad Request"
    else:
        await delete_one(b, t.account, f"{t.container}/{t.obj}", may, outcome, vid)
    return outcome_response(outcome, request.headers.get("accept", ""))
