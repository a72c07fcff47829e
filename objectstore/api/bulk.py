"""Swift's bulk delete: `POST` (or `DELETE`) `/v1/<account>?bulk-delete` with a
text/plain body of URL-encoded `container/object` or `container` paths, one a line (at
most MAX_DELETES). Objects go first, then the containers (which must be empty by then).
Each deletion is authorized as the requester's own would be. As in Swift the answer is
always 200 and its body -- text, JSON or XML after the Accept header -- says how many
were deleted, how many were not there, and which failed with what status."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath, parse_swift_path
from objectstore.api.swift_errors import swift_error

MAX_DELETES = 10_000
MAX_LINE = 2 * (1024 + 256 + 2)         # twice a longest container/object path
CONCURRENCY = 8
HEARTBEAT = 10.0        # seconds between the whitespace a long bulk delete sends
May = Callable[[SwiftPath, str], Awaitable[None]]


@dataclass
class Outcome:
    deleted: int = 0
    not_found: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)    # (path, status)
    status: str = "200 OK"
    body: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"Number Deleted": self.deleted, "Number Not Found": self.not_found,
                "Response Status": self.status, "Response Body": self.body,
                "Errors": [list(f) for f in self.failed]}


async def read_paths(request: Request) -> list[str]:
    """The request's paths (411 without a length or chunking, 413 past MAX_DELETES,
    400 for a line longer than any path)."""
    h = request.headers
    if "content-length" not in h and "chunked" not in h.get("transfer-encoding", "").lower():
        raise errors.BadRequest("Length Required")
    paths: list[str] = []
    pending = b""
    async for chunk in request.stream():
        pending += chunk
        *lines, pending = pending.split(b"\n")
        paths += [p for p in (_path(line) for line in lines) if p]
        if len(paths) > MAX_DELETES:
            raise errors.QuotaExceeded(f"Maximum Bulk Deletes: {MAX_DELETES} per request")
        if len(pending) > MAX_LINE:
            raise errors.BadRequest("Invalid File Name")
    last = _path(pending)
    paths += [last] if last else []
    if len(paths) > MAX_DELETES:
        raise errors.QuotaExceeded(f"Maximum Bulk Deletes: {MAX_DELETES} per request")
    return paths


def _path(line: bytes) -> str:
    return unquote(line.strip().decode("utf-8", "surrogateescape")).strip()


async def bulk_delete(b: Backend, request: Request, account: str, may: May) -> Response:
    kind = request.headers.get("content-type", "text/plain")
    if not kind.startswith("text/plain"):
        return Response(b"Only text/plain lists of paths are taken\n", status_code=406)
    paths = await read_paths(request)
    accept = request.headers.get("accept", "")
    media = _media(accept)

    async def work() -> Outcome:
        outcome = Outcome()
        objects = [p for p in paths if "/" in p.strip("/")]
        containers = [p for p in paths if "/" not in p.strip("/")]
        for group in (objects, containers):
            for i in range(0, len(group), CONCURRENCY):
                await asyncio.gather(*(delete_one(b, account, p, may, outcome)
                                       for p in group[i:i + CONCURRENCY]))
        if outcome.failed:
            outcome.status = outcome.failed[-1][1]
        elif not (outcome.deleted or outcome.not_found):
            outcome.status, outcome.body = "400 Bad Request", "Invalid bulk delete."
        return outcome

    async def body() -> AsyncIterator[bytes]:
        """Whitespace every HEARTBEAT seconds while deleting (a long list would
        otherwise leave the client waiting with nothing, and time out), then the
        result -- as Swift answers."""
        task = asyncio.create_task(work())
        if media == "application/xml":      # (whitespace may not come before it)
            yield b'<?xml version="1.0" encoding="UTF-8"?>\n'
        try:
            while True:
                done, _ = await asyncio.wait({task}, timeout=HEARTBEAT)
                if done:
                    break
                yield b" "
            yield _render(task.result(), media)
        finally:
            task.cancel()
    return StreamingResponse(body(), media_type=media)


async def delete_one(b: Backend, account: str, path: str, may: May,
                      outcome: Outcome) -> None:
    # (only leading slashes go: an object name may end in one)
    container, _, obj = path.lstrip("/").partition("/")
    try:
        target = parse_swift_path(
            f"/v1/{quote(account)}/{quote(container)}/{quote(obj)}".encode())
        await may(target, "DELETE")
        if obj:
            await b.proxy.delete_object(account, container, obj)
        else:
            await b.containers.delete_container(account, container)
            await b.names.release(account, container)
        outcome.deleted += 1
    except errors.NotFound:
        outcome.not_found += 1
    except errors.ObjectStoreError as exc:
        entry = swift_error(exc)
        outcome.failed.append((quote(path), f"{entry.status} {entry.reason}"))


def outcome_response(outcome: Outcome, accept: str) -> Response:
    """The answer of a deletion of several objects done at once, as bulk delete's
    (also `DELETE ?multipart-manifest=delete` of a large object: api/slo_delete.py)."""
    media = _media(accept)
    return Response(_render(outcome, media), status_code=200, media_type=media)


def _media(accept: str) -> str:
    if "application/json" in accept:
        return "application/json"
    if "application/xml" in accept or "text/xml" in accept:
        return "application/xml"
    return "text/plain"


def _render(outcome: Outcome, media: str) -> bytes:
    data = outcome.as_dict()
    if media == "application/json":
        return json.dumps(data).encode()
    if media == "application/xml":
        fields = "".join(f"<{_tag(k)}>{escape(str(v))}</{_tag(k)}>" for k, v in data.items()
                         if k != "Errors")
        failed = "".join(f"<object><name>{escape(p)}</name><status>{escape(s)}</status>"
                         "</object>" for p, s in outcome.failed)
        return f"<delete>{fields}<errors>{failed}</errors></delete>\n".encode()
    lines = [f"{k}: {v}" for k, v in data.items() if k != "Errors"]
    lines.append("Errors:")
    lines += [f"{p}, {s}" for p, s in outcome.failed]
    return ("\n".join(lines) + "\n").encode()


def _tag(key: str) -> str:
    return key.lower().replace(" ", "_")
