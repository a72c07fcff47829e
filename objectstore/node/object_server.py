"""The object half of a storage node: PUT / GET / HEAD / POST / DELETE of object files,
and the container update that follows every change (queued on disk if it fails)."""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from objectstore import checksums
from objectstore.errors import BadRequest, DiskFileError, ObjectNotFound, UnprocessableEntity
from objectstore.node import commit_stamp, paths, wire
from objectstore.node.client import NodeClient, Target
from objectstore.node.config import NodeConfig
from objectstore.node.diskfile import (
    DiskFile,
    DiskFileReader,
    NewerExists,
    ObjectMetadata,
    run_steps_async,
)
from objectstore.node.durable import fsync_dir
from objectstore.node.pending import PendingRecord, pending_dir, with_record
from objectstore.node.request import NodeTarget
from objectstore.node.syncer import Syncer
from objectstore.node.update_batcher import Row, UpdateBatcher
from objectstore.timestamps import Timestamp

USER_META = wire.OBJECT_USER_META
SYSMETA = wire.OBJECT_SYSMETA
STORED_HEADERS = (*wire.CONTENT_HEADERS, wire.DELETE_AT)


def request_timestamp(request: Request) -> Timestamp:
    try:
        return Timestamp.parse(request.headers["x-timestamp"])
    except (KeyError, ValueError):
        raise BadRequest("missing or bad X-Timestamp") from None


def object_headers(meta: ObjectMetadata) -> dict[str, str]:
    headers = {"content-type": meta.content_type, "etag": meta.etag,
               "x-timestamp": meta.timestamp.internal,
               wire.BACKEND_TIMESTAMP: meta.timestamp.internal,
               "x-object-checksum": meta.checksum}
    headers.update(meta.headers)
    headers.update({USER_META + k: v for k, v in meta.user_meta.items()})
    if meta.meta_timestamp is not None:
        headers["x-backend-meta-timestamp"] = meta.meta_timestamp.internal
    return headers


class ObjectServer:
    def __init__(self, config: NodeConfig, client: NodeClient) -> None:
        self.config = config
        self.hasher = config.hasher()
        self.client = client
        self.batcher = UpdateBatcher(client, config.update_timeout)
        self.syncer = Syncer()

    def diskfile(self, t: NodeTarget) -> DiskFile:
        assert t.container is not None and t.obj is not None
        name_hash = paths.object_hash(self.hasher, t.account, t.container, t.obj)
        return DiskFile(self.config.devices, t.device, t.partition, t.name, name_hash,
                        t.policy)

    async def handle(self, request: Request, t: NodeTarget) -> Response:
        method = request.method
        if method == "PUT":
            return await self.put(request, t)
        if method in ("GET", "HEAD"):
            return await self.get(request, t)
        if method == "POST":
            return await self.post(request, t)
        if method == "DELETE":
            return await self.delete(request, t)
        return Response(status_code=405)

    @staticmethod
    def _newer_here(df: DiskFile, timestamp: Timestamp
                    ) -> tuple[Timestamp | None, Response | None]:
        """The timestamp held here, and a 409 if it is not older than `timestamp`."""
        current = df.newest_timestamp()
        if current is not None and current >= timestamp:
            return current, Response(status_code=409,
                                     headers={wire.BACKEND_TIMESTAMP: current.internal})
        return current, None

    async def put(self, request: Request, t: NodeTarget) -> Response:
        timestamp = request_timestamp(request)
        df = self.diskfile(t)
        stamp_size = request.headers.get(commit_stamp.HEADER)  # the timestamp follows
        if stamp_size is not None and stamp_size not in [str(n) for n in commit_stamp.SIZES]:
            raise BadRequest("bad commit stamp size")
        digests_follow = stamp_size in (str(commit_stamp.DIGEST_SIZE),
                                        str(commit_stamp.FOOTED_SIZE))
        footer: dict[str, str] = {}       # system metadata sent after the body
        stamp_len = int(stamp_size) if stamp_size is not None else 0
        declared = request.headers.get("content-length")
        extra = checksums.running(request.headers.get(wire.CHECKSUM_ALGORITHM, ""))
        splitter = commit_stamp.StampSplitter(stamp_len) if stamp_len else None
        size = int(declared) - stamp_len if declared is not None and declared.isdigit() \
            else None
        writer = df.writer(size, self.config.reserve_bytes,      # one statvfs, no file yet
                           etag=not digests_follow)
        try:
            async for chunk in request.stream():
                if splitter is not None:
                    chunk = splitter.feed(chunk)
                if chunk:
                    writer.write(chunk)
                    if extra is not None:
                        extra.update(chunk)
            if splitter is not None:
                stamp = splitter.stamp()
                timestamp = stamp.timestamp
                if digests_follow:
                    if stamp.xxh3 != writer.checksum:
                        raise UnprocessableEntity("body changed on its way from the proxy")
                    writer.use_etag(stamp.md5)
                footer = stamp.footer
                if any(not k.startswith(SYSMETA) for k in footer):
                    raise BadRequest("a commit stamp footer holds only system metadata")
        except BaseException:
            writer.abort()
            raise
        received = writer.size + stamp_len
        if declared is not None and int(declared) != received:
            writer.abort()
            raise BadRequest(f"body has {received} bytes, Content-Length said {declared}")
        expected = request.headers.get("etag")
        if expected and expected.strip('"').lower() != writer.etag:
            writer.abort()
            raise UnprocessableEntity("body does not match its ETag")
        stored = _stored_headers(request)
        stored.update(footer)
        if extra is not None:
            stored[f"{SYSMETA}checksum-{extra.name}"] = extra.b64digest()
        h = request.headers
        content_type = h.get("content-type", "application/octet-stream")
        # A manifest is listed with the size and ETag of the object it stands for.
        update = self._listing_update(request, t, "PUT", timestamp, {
            "x-size": h.get(f"{SYSMETA}manifest-size", str(writer.size)),
            "x-etag": wire.listed_etag(footer.get(wire.LISTING_ETAG) or h.get(
                wire.LISTING_ETAG) or h.get(f"{SYSMETA}manifest-etag", writer.etag), h),
            "x-content-type": content_type})
        steps = writer.commit_steps(timestamp, content_type, _user_meta(request), stored,
                                    only_if_newer=True,
                                    update=None if update is None else update.update)
        try:      # the check for a newer version is part of the commit: one thread hop
            meta = await run_steps_async(
                steps if update is None else with_record(steps, update, lambda: writer.path,
                                                         "data"), self.syncer)
        except NewerExists as exc:
            return Response(status_code=409,
                            headers={wire.BACKEND_TIMESTAMP: exc.held.internal})
        except BaseException:
            writer.abort()
            raise
        await self.update_container(t, update)
        out = {"etag": meta.etag}
        if extra is not None:                  # the proxy answers the client with it
            out[f"{SYSMETA}checksum-{extra.name}"] = stored[f"{SYSMETA}checksum-{extra.name}"]
        return Response(status_code=201, headers=out)

    async def get(self, request: Request, t: NodeTarget) -> Response:
        df = self.diskfile(t)
        # Opening a file and reading its footer are quick calls, made on the event loop
        # (as Swift's object server does): a thread hop costs more in GIL hand-overs.
        try:
            reader = df.open()
        except ObjectNotFound:
            ts = df.newest_timestamp()
            headers = {wire.BACKEND_TIMESTAMP: ts.internal} if ts else {}
            return Response(status_code=404, headers=headers)
        headers = object_headers(reader.metadata)
        size = reader.metadata.size
        if request.method == "HEAD":
            reader.close()
            headers["content-length"] = str(size)
            return Response(status_code=200, headers=headers)
        start, end = _range(request.headers.get("range"), size)
        if (start, end) != (0, size):
            headers["content-range"] = f"bytes {start}-{end - 1}/{size}"
        headers["content-length"] = str(end - start)
        chunks = reader.chunks(start, end)
        # The first chunk is read before the response starts: an object that fits in
        # it is checked whole by then, so a damaged one is an error status (quarantined
        # here) and the proxy reads another replica instead.
        try:
            first = next(chunks, b"")
        except DiskFileError as exc:
            reader.close()
            return Response(f"{exc}\n".encode(), status_code=503)
        status = 206 if (start, end) != (0, size) else 200
        if len(first) == end - start:       # all of it, and checked: no streaming needed
            reader.close()
            return Response(first, status_code=status, headers=headers)
        return StreamingResponse(_stream(reader, chunks, first), headers=headers,
                                 status_code=status)

    async def post(self, request: Request, t: NodeTarget) -> Response:
        timestamp = request_timestamp(request)
        delete_at = request.headers.get(wire.DELETE_AT, "")
        if delete_at and not delete_at.isdigit():
            raise BadRequest(f"bad {wire.DELETE_AT}")
        await asyncio.to_thread(self.diskfile(t).write_meta, timestamp, _user_meta(request),
                                delete_at or None, _posted_sysmeta(request))
        return Response(status_code=202)

    async def delete(self, request: Request, t: NodeTarget) -> Response:
        timestamp = request_timestamp(request)
        df = self.diskfile(t)
        current, conflict = self._newer_here(df, timestamp)
        if conflict is not None:
            return conflict
        existed = current is not None and _exists(df)
        update = self._listing_update(request, t, "DELETE", timestamp, {})
        if update is None:
            await run_steps_async(df.tombstone_steps(timestamp), self.syncer)
        else:
            await run_steps_async(with_record(df.tombstone_steps(timestamp, update.update),
                                              update, lambda: df.tmp_file, "ts"),
                                  self.syncer)
        await self.update_container(t, update)
        return Response(status_code=204 if existed else 404)

    def _listing_update(self, request: Request, t: NodeTarget, method: str,
                        timestamp: Timestamp, row: dict[str, str]) -> PendingRecord | None:
        """The record of the listing update a write owes the container replicas the
        proxy named (None if it named none), to be made durable with the write
        (pending.py)."""
        now = [x for x in request.headers.get(wire.UPDATE, "").split(",") if x]
        later = [x for x in request.headers.get(wire.UPDATE_LATER, "").split(",") if x]
        targets = now + later
        if not targets:
            return None
        try:
            for spec in targets:
                Target.from_spec(spec)
            partition = int(request.headers.get(wire.PARTITION, "0"))
            int(row.get("x-size", "0"))
        except ValueError as exc:
            raise BadRequest(str(exc)) from None
        assert t.container is not None and t.obj is not None
        return PendingRecord(self.config.devices, t.device, {
            "method": method, "targets": targets, "partition": partition,
            "account": t.account, "container": t.container, "obj": t.obj,
            "headers": {"x-timestamp": timestamp.internal, **row},
            "later": later,
            "object_partition": t.partition, "policy": t.policy,
            "hash": paths.object_hash(self.hasher, t.account, t.container, t.obj)})

    async def update_container(self, t: NodeTarget, record: PendingRecord | None) -> None:
        """Tell the container replicas; the record goes once they all took the row,
        or gives way to one queued update per replica that did not."""
        if record is None:
            return
        update = record.update
        headers: dict[str, str] = update["headers"]
        change = Row(update["obj"], headers["x-timestamp"], int(headers.get("x-size", "0")),
                     headers.get("x-content-type", ""), headers.get("x-etag", ""),
                     update["method"] == "DELETE")
        later = update.get("later", [])
        now = [spec for spec in update["targets"] if spec not in later]
        taken = await asyncio.gather(*(
            self.batcher.update(Target.from_spec(spec), update["partition"], t.account,
                                update["container"], change)
            for spec in now))
        failed = [spec for spec, ok in zip(now, taken) if not ok] + later
        if failed:        # the updater sends them later (a replica may be down)
            await asyncio.to_thread(self._queue_updates, t.device, update, failed)
        record.remove()

    def _queue_updates(self, device: str, update: dict[str, Any], failed: list[str]
                       ) -> None:
        """Async pendings, one per replica that did not take the row, durable before
        the write's own record goes."""
        directory = pending_dir(self.config.devices, device)
        directory.mkdir(parents=True, exist_ok=True)
        for spec in failed:
            queued = {k: v for k, v in update.items()
                      if k not in ("targets", "later", "object_partition", "policy", "hash")}
            fd, name = tempfile.mkstemp(dir=directory, suffix=".tmp")
            with os.fdopen(fd, "w") as f:
                json.dump({**queued, "target": spec}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(name, name[:-4] + ".json")
        fsync_dir(directory)


def _exists(df: DiskFile) -> bool:
    try:
        df.read_metadata()
        return True
    except ObjectNotFound:
        return False


def _stored_headers(request: Request) -> dict[str, str]:
    """Content headers kept with the object, and system metadata (x-object-sysmeta-*:
    set by the APIs for themselves, never shown as user metadata)."""
    return {k: v for k, v in request.headers.items()
            if k in STORED_HEADERS or k.startswith(SYSMETA)}


def _posted_sysmeta(request: Request) -> dict[str, str]:
    """System metadata a POST sets (an empty value included: it hides the .data's)."""
    return {k: v for k, v in request.headers.items() if k.startswith(SYSMETA)}


def _user_meta(request: Request) -> dict[str, str]:
    return {k[len(USER_META):]: v for k, v in request.headers.items()
            if k.startswith(USER_META)}


def _range(header: str | None, size: int) -> tuple[int, int]:
    """One byte range (`bytes=a-b`, `a-`, `-n`) -> [start, end); the proxy splits
    multi-range requests. Anything else means the whole object."""
    if not header or not header.startswith("bytes=") or "," in header:
        return 0, size
    first, _, last = header[6:].strip().partition("-")
    try:
        if not first:
            n = int(last)
            return max(0, size - n), size
        start = int(first)
        end = int(last) + 1 if last else size
    except ValueError:
        return 0, size
    if start >= size or end <= start:
        return 0, size
    return start, min(end, size)


async def _stream(reader: DiskFileReader, chunks: Iterator[bytes], first: bytes
                  ) -> AsyncIterator[bytes]:
    try:
        if first:
            yield first
        for chunk in chunks:
            yield chunk
    finally:
        reader.close()

