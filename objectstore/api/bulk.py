"""Swift's bulk requests. Bulk delete: `POST` (or `DELETE`) `/v1/<account>?bulk-delete` with a
text/plain body of URL-encoded `container/object` or `container` paths, one a line (at
most MAX_DELETES). Objects go first, then the containers (which must be empty by then).
Each deletion is authorized as the requester's own would be. As in Swift the answer is
always 200 and its body -- text, JSON or XML after the Accept header -- says how many
were deleted, how many were not there, and which failed with what status. Archive
extraction (`PUT ?extract-archive=`, `extract_archive`) answers the same way."""

from __future__ import annotations

import asyncio
import json
import mimetypes
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from objectstore import errors
from objectstore.api import version_archive, versioning
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath, parse_swift_path
from objectstore.api.swift_errors import swift_error
from objectstore.api.tarstream import Member, TarReader, decompressor
from objectstore.proxy.put_options import PutOptions
from objectstore.proxy.version_names import NULL

MAX_DELETES = 10_000
MAX_FAILED = 1000       # an extraction stops after this many failed files
MAX_LINE = 2 * (1024 + 256 + 2)         # twice a longest container/object path
CONCURRENCY = 8
HEARTBEAT = 10.0        # seconds between the whitespace a long bulk delete sends
May = Callable[[SwiftPath, str], Awaitable[None]]


@dataclass
class Outcome:
    deleted: int = 0
    not_found: int = 0
    created: int | None = None      # an archive's extraction counts files created instead
    failed: list[tuple[str, str]] = field(default_factory=list)    # (path, status)
    status: str = "200 OK"
    body: str = ""

    def as_dict(self) -> dict[str, object]:
        counts: dict[str, object] = {"Number Files Created": self.created} \
            if self.created is not None else {"Number Deleted": self.deleted,
                                              "Number Not Found": self.not_found}
        return {**counts, "Response Status": self.status, "Response Body": self.body,
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

    return heartbeat_response(work, media)


def heartbeat_response(work: Callable[[], Coroutine[Any, Any, Outcome]], media: str
                       ) -> StreamingResponse:
    """200 at once, whitespace every HEARTBEAT seconds while `work` runs (a long list
    or archive would otherwise leave the client waiting with nothing, and time out),
    then the outcome -- as Swift answers its bulk requests."""
    async def body() -> AsyncIterator[bytes]:
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
                      outcome: Outcome, vid: str | None = None) -> None:
    """Delete one object or container as the requester may (an object in a versioned
    container as versioning says: a delete marker, or the version `vid`)."""
    # (only leading slashes go: an object name may end in one)
    container, _, obj = path.lstrip("/").partition("/")
    try:
        target = parse_swift_path(
            f"/v1/{quote(account)}/{quote(container)}/{quote(obj)}".encode())
        await may(target, "DELETE")
        if obj:
            if vid not in (None, NULL) or not await version_archive.delete(b, target):
                await versioning.delete_object(b, target, vid)     # (or a plain one)
        else:
            await versioning.delete_container(b, target)
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
        root = "delete" if outcome.created is None else "extract"
        return f"<{root}>{fields}<errors>{failed}</errors></{root}>\n".encode()
    lines = [f"{k}: {v}" for k, v in data.items() if k != "Errors"]
    lines.append("Errors:")
    lines += [f"{p}, {s}" for p, s in outcome.failed]
    return ("\n".join(lines) + "\n").encode()


def _tag(key: str) -> str:
    return key.lower().replace(" ", "_")


async def extract_archive(b: Backend, request: Request, t: SwiftPath, kind: str,
                          may: May) -> Response:
    """`PUT ?extract-archive=tar|tar.gz|tar.bz2`: each file of the archive becomes an
    object -- under the URL's container (and prefix), or, at the account, in the
    container its first path segment names (made if missing). Streamed member by
    member; each write allowed as the requester's own would be."""
    decompress = decompressor(kind)
    if decompress is None:
        raise errors.BadRequest(f"Unsupported archive format: {kind}")
    media = _media(request.headers.get("accept", ""))

    async def work() -> Outcome:
        outcome = Outcome(created=0, status="201 Created")
        made: set[str] = set()
        try:
            async for member in TarReader(request.stream(), decompress).members():
                if not member.is_file:
                    continue
                await _extract_one(b, t, member, may, made, outcome)
                if len(outcome.failed) >= MAX_FAILED:
                    break
        except errors.BadRequest as exc:
            outcome.status, outcome.body = "400 Bad Request", str(exc)
        if outcome.failed and outcome.status.startswith("2"):
            outcome.status = outcome.failed[-1][1]
        elif not outcome.created and outcome.status.startswith("2"):
            outcome.status, outcome.body = "400 Bad Request", "Invalid Tar File: No Valid Files"
        return outcome
    # Answered once the archive is in, not with heartbeats meanwhile: a streaming answer
    # listens for the client's disconnect on the same channel the archive arrives by.
    body = _render(await work(), media)
    if media == "application/xml":
        body = b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
    return Response(body, media_type=media)


async def _extract_one(b: Backend, t: SwiftPath, member: Member, may: May,
                       made: set[str], outcome: Outcome) -> None:
    path = member.name.removeprefix("./").lstrip("/")
    if t.container is None:
        container, _, obj = path.partition("/")
    else:
        container, obj = t.container, (t.obj or "").rstrip("/") + (
            "/" if t.obj else "") + path
    try:
        target = parse_swift_path(
            f"/v1/{quote(t.account)}/{quote(container)}/{quote(obj)}".encode())
        if not container or not obj:
            raise errors.BadRequest("no object name")
        if t.container is None and container not in made:
            try:
                await b.containers.confirm(t.account, container)
            except errors.ContainerNotFound:
                await may(SwiftPath("v1", t.account, container), "PUT")
                if await b.names.claim(t.account, container):
                    await b.containers.put_container(t.account, container, {})
            made.add(container)
        await may(target, "PUT")
        await b.containers.confirm_write(t.account, container, member.size)
        await version_archive.keep_current(b, {}, target)      # a versioned container
        options = PutOptions(content_type=mimetypes.guess_type(obj)[0] or
                             "application/octet-stream", length=member.size)
        await versioning.store(b, t, member.data, options, obj=obj, container=container)
        assert outcome.created is not None
        outcome.created += 1
    except errors.ObjectStoreError as exc:
        if isinstance(exc, errors.BadRequest) and "Invalid Tar File" in str(exc):
            raise
        entry = swift_error(exc)
        outcome.failed.append((quote(path), f"{entry.status} {entry.reason}"))
