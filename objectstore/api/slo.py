"""Swift static large objects: `PUT ?multipart-manifest=put` (the manifest checked
against the segments it names, as Swift's slo middleware checks it), the manifest
itself on `GET/HEAD ?multipart-manifest=get[&format=raw]`, and the answers of Swift to
a manifest's GET. The stored format and reading the whole object are the proxy's
(proxy/manifests.py), shared with S3 multipart uploads.

Who: writing a manifest needs write access to its container (the app checked it) and
read access to every segment container it names (checked here with the requester's
rights, as each segment is looked up)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import mimetypes
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from objectstore import errors
from objectstore.api import versioning
from objectstore.api.backend import Backend
from objectstore.api.expiry import asked_delete_at, queue
from objectstore.api.metadata import user_metadata
from objectstore.api.names import SwiftPath
from objectstore.api.responses import http_date, iso_date
from objectstore.api.segment_access import segment_guard, segment_opener
from objectstore.http.conditions import etag_list
from objectstore.http.ranges import ByteRange
from objectstore.proxy.bodies import once
from objectstore.proxy.manifests import (
    MANIFEST,
    MANIFEST_ETAG,
    MANIFEST_SIZE,
    MAX_MANIFEST,
    SLO_ETAG,
    Guard,
    ManifestHandle,
    Opener,
    Segment,
    listing_etag,
    manifest_body,
    s3_etag,
    slo_etag,
)
from objectstore.proxy.object_info import LISTING_ETAG
from objectstore.proxy.put_options import PutOptions, content_headers_of

MAX_SEGMENTS = 1000             # Swift's max_manifest_segments
# every object segment but the last has at least this (Swift's min_segment_size, 1
# since Swift 2.17: small segments are read at a bounded pace instead, proxy/manifests.py)
MIN_SEGMENT = 1
HEARTBEAT_SECONDS = 10          # Swift's yield_frequency
CAPABILITIES = {"max_manifest_segments": MAX_SEGMENTS, "max_manifest_size": MAX_MANIFEST,
                "min_segment_size": MIN_SEGMENT, "yield_frequency": HEARTBEAT_SECONDS}
KEYS = {"path", "etag", "size_bytes", "range"}
LOOKUPS = 10                    # segments looked up at once


# how a heartbeating PUT reports a failure: (status, Swift's body)
FAILED: dict[type[errors.ObjectStoreError], tuple[str, str]] = {
    errors.BadRequest: ("400 Bad Request", "Bad Request\nThe server could not comply with "
                        "the request since it is either malformed or otherwise incorrect."),
    errors.UnprocessableEntity: ("422 Unprocessable Entity", "Unprocessable Entity\nUnable "
                                 "to process the contained instructions"),
    errors.PreconditionFailed: ("412 Precondition Failed", "Precondition Failed"),
    errors.ObjectStoreError: ("503 Service Unavailable", "Service Unavailable"),
}


class ManifestInvalid(errors.BadRequest):
    """The manifest's problems, one line each, as Swift lists them."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Errors:\n" + "\n".join(problems) + "\n")
        self.problems = problems


@dataclass(frozen=True)
class Asked:
    """One entry of a PUT manifest: an object segment, or data."""

    index: int
    path: str = ""          # as the client wrote it (errors quote it so)
    container: str = ""
    name: str = ""
    etag: str | None = None
    size: int | None = None
    range: str | None = None
    data: bytes | None = None


def _parse_entry(i: int, d: Any, problems: list[str]) -> Asked | None:
    if not isinstance(d, dict):
        problems.append(f"Index {i}: not a JSON object")
        return None
    if "data" in d:
        if set(d) != {"data"}:
            problems.append(f"Index {i}: a data segment has only the key data")
            return None
        try:
            return Asked(i, data=base64.b64decode(str(d["data"]), validate=True))
        except (binascii.Error, ValueError):
            problems.append(f"Index {i}: data is not valid base64")
            return None
    extra = set(d) - KEYS
    path = d.get("path")
    if extra:
        problems.append(f"Index {i}: extraneous keys {', '.join(sorted(extra))}")
    if not isinstance(path, str) or "/" not in path.lstrip("/"):
        problems.append(f"Index {i}: path must be /container/object")
        return None
    # the path is the object's name as it is (Swift does not unquote it: %ff stays)
    container, _, name = path.lstrip("/").partition("/")
    if not container or not name:
        problems.append(f"Index {i}: path must be /container/object")
        return None
    size = d.get("size_bytes")
    if size is not None and (isinstance(size, bool) or not isinstance(size, int | str)
                             or not str(size).isdigit()):
        problems.append(f"Index {i}: size_bytes must be an integer")
        return None
    etag = d.get("etag")
    if etag is not None and not isinstance(etag, str):
        problems.append(f"Index {i}: etag must be a string")
        return None
    rng = d.get("range")
    if rng is not None and not isinstance(rng, str):
        problems.append(f"Index {i}: range must be a string")
        return None
    return None if extra else Asked(i, path, container, name,
                                    etag.strip('"') if etag else None,
                                    int(size) if size is not None else None, rng)


def parse_put_manifest(body: bytes) -> list[Asked]:
    """The PUT form of a manifest, checked for shape (not yet against the segments)."""
    if len(body) > MAX_MANIFEST:
        raise errors.BadRequest(f"Manifest File > {MAX_MANIFEST} bytes")
    try:
        entries = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise errors.BadRequest("Manifest must be valid JSON.") from None
    if not isinstance(entries, list) or not entries:
        raise errors.BadRequest("Manifest must be a non-empty JSON list.")
    if len(entries) > MAX_SEGMENTS:
        raise errors.BadRequest(f"Too many segments: at most {MAX_SEGMENTS}.")
    problems: list[str] = []
    asked = [_parse_entry(i, d, problems) for i, d in enumerate(entries)]
    if problems:
        raise ManifestInvalid(problems)
    return [a for a in asked if a is not None]


def _span(rng: str, size: int) -> ByteRange | None:
    """A segment's `range` (one HTTP byte range) within its size; None: unsatisfiable."""
    first, dash, last = rng.strip().partition("-")
    if not dash or not (first.isdigit() or first == "") or not (last.isdigit() or last == ""):
        return None
    if first == "":
        if not last or int(last) == 0:
            return None
        return ByteRange(max(0, size - int(last)), size)
    start, end = int(first), int(last) + 1 if last else size
    if start >= size or end <= start:
        return None
    return ByteRange(start, min(end, size))


async def _look_up(b: Backend, account: str, a: Asked, guard: Guard | None,
                   opener: Opener) -> Segment | str:
    """The segment `a` names, or why not (Swift's words)."""
    try:
        if guard is not None:
            await guard(account, a.container)
        handle = await opener(account, a.container, a.name)
    except errors.Unauthorized:
        return "401 Unauthorized"
    except errors.Forbidden:
        return "403 Forbidden"
    except errors.NotFound:
        return "404 Not Found"
    handle.discard()
    sub = isinstance(handle, ManifestHandle)
    etag = handle.slo_etag if isinstance(handle, ManifestHandle) else handle.etag
    size = handle.size
    if a.etag is not None and a.etag != etag:
        return "Etag Mismatch"
    if a.size is not None and a.size != size:
        return "Size Mismatch"
    span = None
    if a.range is not None:
        span = _span(a.range, size)
        if span is None:
            return "Unsatisfiable Range"
        if span == (0, size):
            span = None
    if size == 0:
        return "Too small; each segment must be at least 1 byte."
    return Segment(a.container, a.name, size, etag, span=span, sub_slo=sub,
                   content_type=handle.headers.get("content-type", ""),
                   last_modified=iso_date(handle.timestamp))


async def resolve(b: Backend, t: SwiftPath, asked: list[Asked], guard: Guard | None,
                  opener: Opener) -> list[Segment]:
    """The manifest's segments, each looked up (a few at a time); ManifestInvalid
    listing every problem found."""
    gate = asyncio.Semaphore(LOOKUPS)
    problems: list[str] = []

    async def one(a: Asked) -> Segment | str:
        if a.data is not None:
            return Segment("", "", 0, "", data=a.data)
        if (a.container, a.name) == (t.container, t.obj):
            return "a manifest may not name itself as a segment"
        async with gate:
            return await _look_up(b, t.account, a, guard, opener)

    found = await asyncio.gather(*(one(a) for a in asked))
    segments: list[Segment] = []
    objects = [i for i, s in enumerate(found) if isinstance(s, Segment) and s.data is None]
    for a, seg in zip(asked, found):
        if isinstance(seg, str):
            problems.append(f"{a.path}, {seg}" if a.name else f"Index {a.index}, {seg}")
            continue
        if seg.data is None and a.index != asked[-1].index and \
                a.index != (objects[-1] if objects else -1) and seg.length < MIN_SEGMENT:
            problems.append(f"{a.path}, Too small; each segment, except "
                            f"the last, must be at least {MIN_SEGMENT} bytes.")
            continue
        segments.append(seg)
    if problems:
        raise ManifestInvalid(problems)
    return segments


def create_only(value: str | None) -> bool:
    """`If-None-Match: *`: create only; Swift takes no other value on a PUT (400)."""
    if value is None:
        return False
    if value.strip() != "*":
        raise errors.BadRequest("If-None-Match only supports *")
    return True


def _options(request: Request, t: SwiftPath, segments: list[Segment], length: int
             ) -> PutOptions:
    assert t.obj is not None
    h = request.headers
    content_type = h.get("content-type") or \
        mimetypes.guess_type(t.obj)[0] or "application/octet-stream"
    meta = user_metadata(h, "object")
    return PutOptions(
        content_type=content_type, content_headers=content_headers_of(h.raw),
        user_metadata={k[len("x-object-meta-"):]: v for k, v in meta.items()},
        length=length, if_none_match_any=create_only(h.get("if-none-match")),
        delete_at=asked_delete_at(h),
        system_metadata={MANIFEST: "1",
                         MANIFEST_SIZE: str(sum(s.length for s in segments)),
                         MANIFEST_ETAG: s3_etag(segments), SLO_ETAG: slo_etag(segments)})


async def store_manifest(b: Backend, request: Request, t: SwiftPath, body: bytes,
                         options: PutOptions | None = None) -> Response:
    """Check a PUT-form manifest against its segments and store it; 201 with the
    whole object's ETag (a copy of a manifest gives the source's `options`)."""
    assert t.container is not None and t.obj is not None
    asked = parse_put_manifest(body)
    segments = await resolve(b, t, asked, segment_guard(request),
                             segment_opener(b, request))
    etag = slo_etag(segments)
    wanted = request.headers.get("etag")
    if wanted is not None and etag not in etag_list(wanted):
        raise errors.UnprocessableEntity(f"Etag {wanted} does not match the manifest's "
                                         f"{etag}")
    stored_body = manifest_body(segments)
    put = _options(request, t, segments, len(stored_body))
    put.system_metadata[LISTING_ETAG] = listing_etag(
        stored_body, put.system_metadata[MANIFEST_ETAG], etag)
    if options is not None:
        options.system_metadata, options.length = put.system_metadata, put.length
        put = options
    stored, vid = await versioning.store(b, t, once(stored_body), put)
    if options is None:             # (a copy queues its own expiry)
        await queue(b, t, put.delete_at)
    headers = {"etag": f'"{etag}"', "last-modified": http_date(stored.timestamp)}
    if vid is not None:
        headers[versioning.ID] = vid
    return Response(status_code=201, headers=headers)


async def put_manifest(b: Backend, request: Request, t: SwiftPath) -> Response:
    """`PUT ?multipart-manifest=put` (with `heartbeat=on`, answered at once and kept
    alive with whitespace while the segments are checked)."""
    await b.containers.confirm(t.account, t.container or "")
    body = await _read_capped(request)
    if request.query_params.get("heartbeat") != "on":
        return await store_manifest(b, request, t, body)
    task = asyncio.ensure_future(store_manifest(b, request, t, body))
    return StreamingResponse(_heartbeat(task, _wants_json(request.headers)),
                             status_code=202, media_type="application/json"
                             if _wants_json(request.headers) else "text/plain")


async def _heartbeat(task: asyncio.Future[Response], as_json: bool) -> AsyncIterator[bytes]:
    while True:
        done, _ = await asyncio.wait({task}, timeout=HEARTBEAT_SECONDS)
        if done:
            break
        yield b" "
    yield b"\n\r\n"            # the end of the whitespace, as Swift marks it
    result: dict[str, Any] = {}
    try:
        response = task.result()
        result = {"Response Status": "201 Created", "Response Body": "",
                  "Etag": response.headers.get("etag", ""),
                  "Last Modified": response.headers.get("last-modified", "")}
        errs: list[list[str]] = []
    except errors.ObjectStoreError as exc:
        status, body = next(((s, b) for cls, (s, b) in FAILED.items() if isinstance(exc, cls)),
                            FAILED[errors.ObjectStoreError])
        problems = getattr(exc, "problems", None)
        errs = [p.rsplit(", ", 1) for p in problems] if problems else []
        result = {"Response Status": status,
                  "Response Body": body if problems or status[:3] == "422" else str(exc)}
    if as_json:
        yield json.dumps({**result, "Errors": errs}).encode()
        return
    lines = [f"{k}: {v}" for k, v in result.items()] + ["Errors:"]
    lines += [", ".join(e) for e in errs]
    yield ("\n".join(lines) + "\n").encode()


def _wants_json(headers: Mapping[str, str]) -> bool:
    return "application/json" in headers.get("accept", "")


async def _read_capped(request: Request) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_MANIFEST:
        raise errors.BadRequest(f"Manifest File > {MAX_MANIFEST} bytes")
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_MANIFEST:
            raise errors.BadRequest(f"Manifest File > {MAX_MANIFEST} bytes")
    return body



def raw_manifest(segments: list[Segment]) -> bytes:
    """The PUT form of a stored manifest (`format=raw`): PUT it back as it is."""
    out: list[dict[str, Any]] = []
    for s in segments:
        if s.data is not None:
            out.append({"data": base64.b64encode(s.data).decode("ascii")})
            continue
        entry: dict[str, Any] = {"path": s.path, "etag": s.etag, "size_bytes": s.size}
        if s.span is not None:
            entry["range"] = f"{s.span.start}-{s.span.end - 1}"
        out.append(entry)
    return json.dumps(out).encode()


def manifest_response(handle: ManifestHandle, method: str, raw: bool,
                      headers: dict[str, str]) -> Response:
    """`?multipart-manifest=get`: the stored manifest (or its PUT form), not the
    object it makes; `headers` are the object's public headers."""
    body = raw_manifest(handle.segments) if raw else manifest_body(handle.segments)
    out = {k: v for k, v in headers.items() if k not in ("content-range", "etag")}
    out["etag"] = hashlib.md5(body, usedforsecurity=False).hexdigest()
    out["content-type"] = headers.get("content-type", "application/octet-stream") if raw \
        else "application/json; charset=utf-8"
    out["content-length"] = str(len(body))
    if not raw:
        out["x-static-large-object"] = "True"
    return Response(b"" if method == "HEAD" else body, status_code=200, headers=out)


def whole_object_headers(handle: ManifestHandle, headers: dict[str, str]) -> None:
    """What Swift shows of an SLO: the quoted MD5 of the segments' ETags, and that it
    is one."""
    handle.swift_view()
    headers["etag"] = f'"{handle.slo_etag}"'
    headers["x-static-large-object"] = "True"
    headers["x-manifest-etag"] = handle.manifest_etag
