"""The proxy core: the one internal interface both public APIs use.

It places names with the ring, writes to the R primaries at once (a primary that is down
replaced by a handoff) and succeeds at quorum, and reads the newest version a quorum of
replicas knows of. Bodies stream both ways in fixed chunks; nothing holds a whole
object. Errors come back as the typed errors of objectstore.errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

import aiohttp
import xxhash

from objectstore import errors
from objectstore.node import commit_stamp, paths
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.proxy.existence import ExistenceCache
from objectstore.proxy.fanout import NODE_ERRORS, Upload, answer_from
from objectstore.proxy.manifests import (
    MANIFEST_ETAG,
    MANIFEST_SIZE,
    ManifestHandle,
    is_manifest,
    read_manifest,
)
from objectstore.proxy.quorum import (
    Answer,
    agreed,
    newest,
    quorum_size,
    read_settled,
    write_outcome,
)
from objectstore.ring.devices import Device
from objectstore.ring.files import RingFile
from objectstore.timestamps import Timestamp

STATUS_ERRORS: dict[int, type[errors.ObjectStoreError]] = {
    400: errors.BadRequest, 404: errors.NotFound, 409: errors.Conflict,
    412: errors.PreconditionFailed, 416: errors.RangeNotSatisfiable,
    422: errors.UnprocessableEntity, 507: errors.InsufficientStorage,
}


SMALL_BODY = 64 * 1024      # bodies up to this size are read whole, then sent in one go


@dataclass(frozen=True)
class ProxySettings:
    connect_timeout: float = 2.0
    read_timeout: float = 10.0
    handoff_tries: int = 3     # extra devices tried per write when primaries fail
    container_ttl: float = 5.0  # how long a container seen to exist is trusted
    ring_check_interval: float = 10.0  # how often the nodes are asked which ring they hold


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

    proxy: Proxy
    headers: dict[str, str]
    part: int
    path: tuple[str, str, str]
    holders: list[Target]
    prefetched: aiohttp.ClientResponse | None = None    # a whole-object GET, unread

    def discard(self) -> None:
        """Let go of a prefetched body that will not be read (a HEAD, a 304, ...)."""
        if self.prefetched is not None:
            self.prefetched.release()
            self.prefetched = None

    async def read(self, range_header: str | None = None) -> ObjectStream:
        """Stream it (or one byte range) from the first holder that answers; a failing
        replica is skipped, as nothing has reached the caller yet."""
        if self.prefetched is not None and range_header is None:
            resp, self.prefetched = self.prefetched, None
            with contextlib.suppress(*NODE_ERRORS):
                return await _stream_of(resp)
        self.discard()
        headers = {"range": range_header} if range_header else {}
        for target in self.holders:
            path = node_path(paths.OBJECTS, target.device, self.part, *self.path)
            try:
                resp = await self.proxy.client.request("GET", target, path, headers)
            except NODE_ERRORS:
                continue
            got = resp.headers.get("x-backend-timestamp")
            if resp.status not in (200, 206) or got != self.headers.get("x-backend-timestamp"):
                resp.release()      # failed, or a newer version arrived since we looked
                continue
            try:
                return await _stream_of(resp)
            except NODE_ERRORS:
                continue
        raise errors.ServiceUnavailable("no replica could be read (or the object changed "
                                        "while it was being read: retry)")


def target_of(dev: Device) -> Target:
    return Target(dev.host, dev.port, dev.device)


class Proxy:
    def __init__(self, ring: RingFile, client: NodeClient,
                 settings: ProxySettings | None = None) -> None:
        self.ring = ring
        self.client = client
        self.settings = settings or ProxySettings()
        self.known_containers = ExistenceCache(self.settings.container_ttl)

    # -- placement -----------------------------------------------------------------------
    def nodes(self, account: str, container: str | None = None, obj: str | None = None
               ) -> tuple[int, list[Device], Iterator[Device], int]:
        ring = self.ring.current()
        part, primaries = ring.get_nodes(account, container, obj)
        return part, primaries, ring.handoffs(part), ring.replicas

    # -- objects -------------------------------------------------------------------------
    async def put_object(self, account: str, container: str, obj: str,
                         body: AsyncIterator[bytes], headers: dict[str, str]) -> dict[str, str]:
        """Store an object; returns the stored headers (etag, x-timestamp, and any
        checksum the nodes computed on request)."""
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) <= SMALL_BODY:
            return await self._put_buffered(account, container, obj, body, headers)
        return await self._put_streamed(account, container, obj, body, headers)

    async def _put_buffered(self, account: str, container: str, obj: str,
                            body: AsyncIterator[bytes], headers: dict[str, str]
                            ) -> dict[str, str]:
        """A small object: read it whole, then one plain request per node (no
        100-continue round trip, no per-node task and queue)."""
        declared = int(headers["content-length"])
        chunks = []
        size = 0
        async for chunk in body:           # ends only if the body's own checks passed
            size += len(chunk)
            if size > declared:
                raise errors.BadRequest("body longer than its Content-Length")
            chunks.append(chunk)
        if size != declared:
            raise errors.BadRequest("body shorter than its Content-Length")
        part, primaries, handoffs, replicas = self.nodes(account, container, obj)
        cpart, cnodes, _, _ = self.nodes(account, container)
        timestamp = Timestamp.now()        # the body has ended: the last to finish wins
        data = b"".join(chunks)
        # the ETag computed once here, not on every node (see commit_stamp)
        stamp = commit_stamp.encode(timestamp, hashlib.md5(data, usedforsecurity=False)
                                    .hexdigest(), xxhash.xxh3_64_hexdigest(data))
        data += stamp
        base = {**headers, "x-timestamp": timestamp.internal,
                "x-container-partition": str(cpart), "content-length": str(len(data)),
                commit_stamp.HEADER: str(commit_stamp.DIGEST_SIZE)}
        spare = itertools.islice(handoffs, self.settings.handoff_tries)

        async def one(i: int, dev: Device) -> tuple[Answer, dict[str, str]]:
            mine = {**base, "x-container-update": target_of(cnodes[i % len(cnodes)]).spec}
            for candidate in itertools.chain([dev], spare):
                target = target_of(candidate)
                path = node_path(paths.OBJECTS, target.device, part, account, container, obj)
                try:
                    resp = await self.client.request("PUT", target, path, mine, data)
                    async with resp:
                        await resp.read()
                        got = {k.lower(): v for k, v in resp.headers.items()}
                        if resp.status != 507:
                            return answer_from(resp.status, got, i), got
                except NODE_ERRORS:
                    pass
            return Answer(0, None, i), {}

        results = await asyncio.gather(*(one(i, d) for i, d in enumerate(primaries)))
        return await self._finish_put(results, replicas, cnodes, cpart, account, container,
                                      obj, timestamp, size, headers)

    async def _put_streamed(self, account: str, container: str, obj: str,
                            body: AsyncIterator[bytes], headers: dict[str, str]
                            ) -> dict[str, str]:
        """Stream the body to the nodes as it arrives; memory stays bounded."""
        part, primaries, handoffs, replicas = self.nodes(account, container, obj)
        cpart, cnodes, _, _ = self.nodes(account, container)
        timestamp = Timestamp.now()       # replaced by the commit stamp at the end
        base = {**headers, "x-timestamp": timestamp.internal,
                "x-container-partition": str(cpart),
                commit_stamp.HEADER: str(commit_stamp.DIGEST_SIZE)}
        if "content-length" in headers:
            base["content-length"] = str(int(headers["content-length"])
                                          + commit_stamp.DIGEST_SIZE)
        spare = itertools.islice(handoffs, self.settings.handoff_tries)
        # Object node i updates container replica i; all primaries connect at once.
        updates = [target_of(cnodes[i % len(cnodes)]).spec for i in range(len(primaries))]
        started = await asyncio.gather(*(
            self._start_upload(dev, part, account, container, obj,
                               {**base, "x-container-update": updates[i]}, i, spare)
            for i, dev in enumerate(primaries)))
        uploads = [u for u in started if u is not None]
        if len(uploads) < quorum_size(replicas):
            for u in uploads:
                u.task.cancel()
            raise errors.ServiceUnavailable("too few storage nodes reachable for a write")
        size = 0
        held: bytes | None = None
        # The ETag is computed here once, not on every node (see commit_stamp).
        md5 = hashlib.md5(usedforsecurity=False)
        xxh3 = xxhash.xxh3_64()
        try:
            # One chunk is held back until the source has ended cleanly: a body that
            # fails a check at its very end (a digest, a trailer signature) then never
            # reaches the nodes whole, so no node can commit it.
            async for chunk in body:
                if chunk:
                    size += len(chunk)
                    md5.update(chunk)
                    xxh3.update(chunk)
                    if held is not None:
                        await self._send_all(uploads, held)
                    held = chunk
        except BaseException:
            for u in uploads:
                u.task.cancel()
            raise
        if held is not None:
            await self._send_all(uploads, held)
        # The body ended cleanly: now the write's time is known (the last to finish wins).
        timestamp = max(Timestamp.now(), timestamp)
        await self._send_all(uploads, commit_stamp.encode(timestamp, md5.hexdigest(),
                                                          xxh3.hexdigest()))
        await self._send_all(uploads, None)
        results = [(await u.answer(), u.headers) if u is not None else (Answer(0, None, i), {})
                   for i, u in enumerate(started)]
        return await self._finish_put(results, replicas, cnodes, cpart, account, container,
                                      obj, timestamp, size, headers)

    async def _finish_put(self, results: list[tuple[Answer, dict[str, str]]], replicas: int,
                          cnodes: list[Device], cpart: int, account: str, container: str,
                          obj: str, timestamp: Timestamp, size: int, headers: dict[str, str]
                          ) -> dict[str, str]:
        """Decide a write from each primary's (answer, headers); a container replica
        whose object node did not take it hears from us instead."""
        answers = [a for a, _ in results]
        status = write_outcome(answers, replicas)
        if not 200 <= status < 300:
            raise STATUS_ERRORS.get(status, errors.ServiceUnavailable)(
                f"storage nodes answered {sorted(a.status for a in answers)}")
        stored_by = [h for a, h in results if a.status == 201]
        etags = sorted({h.get("etag", "") for h in stored_by} - {""})
        etag = etags[0] if etags else ""
        orphans = [cnodes[i % len(cnodes)] for i, a in enumerate(answers)
                   if not 200 <= a.status < 300]
        await self._update_containers(orphans, "PUT", cpart, account, container, obj, {
            "x-timestamp": timestamp.internal,
            "x-size": headers.get(MANIFEST_SIZE, str(size)),
            "x-etag": headers.get(MANIFEST_ETAG, etag),
            "x-content-type": headers.get("content-type", "application/octet-stream")})
        stored = {"etag": etag, "x-timestamp": timestamp.internal}
        for h in stored_by:                      # a checksum the nodes computed (S3)
            stored.update({k: v for k, v in h.items()
                           if k.startswith("x-object-sysmeta-checksum-")})
        return stored

    async def _update_containers(self, cdevs: list[Device], method: str, cpart: int,
                                 account: str, container: str, obj: str,
                                 headers: dict[str, str]) -> None:
        """Best effort: a replica that misses this is brought up to date by replication."""
        async def one(dev: Device) -> None:
            target = target_of(dev)
            path = node_path(paths.CONTAINERS, target.device, cpart, account, container, obj)
            try:
                resp = await self.client.request(method, target, path, headers)
                resp.release()
            except NODE_ERRORS:
                pass
        await asyncio.gather(*(one(d) for d in cdevs))

    async def _start_upload(self, dev: Device, part: int, account: str, container: str,
                            obj: str, headers: dict[str, str], index: int,
                            spare: Iterator[Device]) -> Upload | None:
        for candidate in itertools.chain([dev], spare):
            target = target_of(candidate)
            path = node_path(paths.OBJECTS, target.device, part, account, container, obj)
            upload = Upload(self.client, target, path, headers, index)
            if await upload.wait_started(self.settings.connect_timeout):
                return upload
        return None

    async def _send_all(self, uploads: list[Upload], chunk: bytes | None) -> None:
        """Feed every live upload; a node that stopped just stops being fed, and the
        final count of answers decides the write."""
        slow = [u for u in uploads if not u.send_now(chunk)]
        if slow:
            await asyncio.gather(*(u.send(chunk, self.settings.read_timeout) for u in slow))

    async def _post_each(self, account: str, container: str, obj: str,
                         headers: dict[str, str]) -> list[Answer]:
        """Send a POST to the primaries (then handoffs, until a quorum answered)."""
        part, primaries, handoffs, replicas = self.nodes(account, container, obj)
        targets = [target_of(d) for d in primaries]

        async def one(i: int) -> Answer:
            path = node_path(paths.OBJECTS, targets[i].device, part, account, container, obj)
            try:
                resp = await self.client.request("POST", targets[i], path, headers)
                async with resp:
                    await resp.read()
                    return answer_from(resp.status, dict(resp.headers), i)
            except NODE_ERRORS:
                return Answer(0, None, i)

        answers = list(await asyncio.gather(*(one(i) for i in range(len(targets)))))
        spare = itertools.islice(handoffs, self.settings.handoff_tries)
        while not read_settled(answers, replicas) and (dev := next(spare, None)) is not None:
            targets.append(target_of(dev))
            answers.append(await one(len(targets) - 1))
        return answers

    async def _look(self, account: str, container: str, obj: str, prefetch: bool = False
                    ) -> tuple[list[Answer], list[dict[str, str]], list[Target], int,
                               aiohttp.ClientResponse | None]:
        """Ask a majority of the primaries about an object; only if they disagree (or
        fail) ask the rest, then handoffs. With `prefetch`, the first is asked for the
        whole object at once (a GET instead of a HEAD), so a read that the others agree
        with costs no second round trip."""
        part, primaries, handoffs, replicas = self.nodes(account, container, obj)
        targets = [target_of(d) for d in primaries]
        body: list[aiohttp.ClientResponse] = []

        async def one(i: int, method: str = "HEAD") -> tuple[Answer, dict[str, str]]:
            path = node_path(paths.OBJECTS, targets[i].device, part, account, container, obj)
            try:
                resp = await self.client.request(method, targets[i], path)
                h = {k.lower(): v for k, v in resp.headers.items()}
                if method == "GET" and resp.status == 200:
                    body.append(resp)
                else:
                    async with resp:
                        await resp.read()
                return answer_from(resp.status, h, i), h
            except NODE_ERRORS:
                return Answer(0, None, i), {}

        need = min(quorum_size(replicas), len(targets))
        results = list(await asyncio.gather(
            one(0, "GET" if prefetch else "HEAD"), *(one(i) for i in range(1, need))))
        if not agreed([a for a, _ in results], replicas):
            results += await asyncio.gather(*(one(i) for i in range(need, len(targets))))
            spare = itertools.islice(handoffs, self.settings.handoff_tries)
            while (not read_settled([a for a, _ in results], replicas)
                   and (dev := next(spare, None)) is not None):
                targets.append(target_of(dev))
                results.append(await one(len(targets) - 1))
        return ([a for a, _ in results], [h for _, h in results], targets, part,
                body[0] if body else None)

    async def head_object(self, account: str, container: str, obj: str) -> dict[str, str]:
        answers, heads, _, _, _ = await self._look(account, container, obj)
        best = self._newest_or_raise(answers, errors.ObjectNotFound, obj)
        return heads[best.node]

    def _newest_or_raise(self, answers: list[Answer], missing: type[errors.NotFound],
                         name: str) -> Answer:
        replicas = self.ring.current().replicas
        if not read_settled(answers, replicas):
            raise errors.ServiceUnavailable("too few storage nodes answered")
        best = newest(answers)
        if best is None or best.status == 404:
            raise missing(name)
        return best

    async def open_object(self, account: str, container: str, obj: str,
                          prefetch: bool = False) -> ObjectHandle | ManifestHandle:
        """Find the newest replica a quorum knows of: its headers, and where to read it.
        An object made of segments comes back as one object. With `prefetch`, the
        whole object is requested from one replica meanwhile (call `read()` or
        `discard()` on the handle)."""
        answers, heads, targets, part, fetched = await self._look(account, container, obj,
                                                                  prefetch)
        try:
            best = self._newest_or_raise(answers, errors.ObjectNotFound, obj)
        except BaseException:
            if fetched is not None:
                fetched.release()
            raise
        holders = [targets[a.node] for a in answers
                   if a.status == 200 and a.timestamp == best.timestamp]
        holders += targets[len(answers):]   # not asked (a majority agreed): last resorts
        path = (account, container, obj)
        handle = ObjectHandle(self, heads[best.node], part, path, holders)
        if fetched is not None:
            if answers[0].status == 200 and answers[0].timestamp == best.timestamp:
                handle.prefetched = fetched
            else:
                fetched.release()       # an older replica: read a newer one instead
        if is_manifest(handle.headers):
            handle.discard()
            return ManifestHandle(self, account, handle, await read_manifest(handle))
        return handle

    async def get_object(self, account: str, container: str, obj: str,
                         range_header: str | None = None) -> ObjectStream:
        """Open the newest replica a quorum knows of and stream it."""
        handle = await self.open_object(account, container, obj)
        return await handle.read(range_header)

    async def delete_object(self, account: str, container: str, obj: str) -> None:
        """Write tombstones; ObjectNotFound if no replica held the object."""
        timestamp = Timestamp.now()
        cpart, cnodes, _, _ = self.nodes(account, container)
        answers = await self._write_each("DELETE", paths.OBJECTS, account, container, obj,
                                         timestamp, cnodes, cpart)
        orphans = [cnodes[a.node % len(cnodes)] for a in answers if a.status not in (204, 404)]
        await self._update_containers(orphans, "DELETE", cpart, account, container, obj,
                                      {"x-timestamp": timestamp.internal})
        # 404 means "nothing was here", and the tombstone was written all the same.
        written = [Answer(204) for a in answers if a.status in (204, 404)]
        if write_outcome(written, self.ring.current().replicas) != 204:
            raise errors.ServiceUnavailable("too few storage nodes took the delete")
        if not any(a.status == 204 for a in answers):
            raise errors.ObjectNotFound(obj)

    async def post_object(self, account: str, container: str, obj: str,
                          headers: dict[str, str]) -> None:
        timestamp = Timestamp.now()
        answers = await self._post_each(account, container, obj,
                                        {**headers, "x-timestamp": timestamp.internal})
        status = write_outcome(answers, self.ring.current().replicas)
        if not 200 <= status < 300:
            raise STATUS_ERRORS.get(status, errors.ServiceUnavailable)(f"post: {status}")

    async def _write_each(self, method: str, kind: str, account: str, container: str,
                          obj: str | None, timestamp: Timestamp, cnodes: list[Device],
                          cpart: int) -> list[Answer]:
        """One write per primary, each told which container replica to update."""
        part, primaries, _, _ = self.nodes(account, container, obj)

        async def one(i: int, dev: Device) -> Answer:
            target = target_of(dev)
            cdev = cnodes[i % len(cnodes)]
            headers = {"x-timestamp": timestamp.internal, "x-container-partition": str(cpart),
                       "x-container-update": target_of(cdev).spec}
            path = node_path(kind, target.device, part, account, container, obj)
            try:
                resp = await self.client.request(method, target, path, headers)
                async with resp:
                    await resp.read()
                    return answer_from(resp.status, dict(resp.headers), i)
            except NODE_ERRORS:
                return Answer(0, None, i)

        return list(await asyncio.gather(*(one(i, d) for i, d in enumerate(primaries))))


async def _stream_of(resp: aiohttp.ClientResponse) -> ObjectStream:
    """A small body is read here, whole (answered without streaming machinery, and a
    replica that fails while sending it can still be skipped); a larger one streams."""
    headers = {k.lower(): v for k, v in resp.headers.items()}
    if resp.content_length is not None and resp.content_length <= SMALL_BODY:
        async with resp:
            whole = await resp.read()
        return ObjectStream(resp.status, headers, _once(whole), lambda: None, whole)
    return ObjectStream(resp.status, headers, _iter_body(resp), resp.release)


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


async def _iter_body(resp: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    async with resp:
        async for chunk in resp.content.iter_any():
            yield chunk
