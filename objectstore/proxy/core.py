"""The proxy core: the one internal interface both public APIs use.

It places names with the ring, writes to the R primaries at once (a primary that is down
replaced by a handoff) and succeeds at quorum, and reads the newest version a quorum of
replicas knows of. Bodies stream both ways in fixed chunks; nothing holds a whole
object. Errors come back as the typed errors of objectstore.errors.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import time
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import cast

import aiohttp
import xxhash

from objectstore import errors
from objectstore.crypto.keyring import Keyring
from objectstore.crypto.protection import CRYPTO_ETAG, Encryption
from objectstore.crypto.writing import EncryptedWrite
from objectstore.http.ranges import ByteRange
from objectstore.node import commit_stamp, paths, wire
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.proxy.container_policies import ContainerPolicies
from objectstore.proxy.existence import ExistenceCache
from objectstore.proxy.fanout import (
    FanOut,
    Reply,
    Timing,
    answer_from,
    node_of,
    per_slot,
)
from objectstore.proxy.handles import SMALL_BODY, ObjectHandle, ObjectStream
from objectstore.proxy.limiter import ErrorLimiter
from objectstore.proxy.manifests import (
    MANIFEST_ETAG,
    MANIFEST_SIZE,
    ManifestHandle,
    is_manifest,
    read_manifest,
)
from objectstore.proxy.object_info import ObjectInfo
from objectstore.proxy.placement import Placement
from objectstore.proxy.put_options import PutOptions, Stored, check_write, node_headers
from objectstore.proxy.quorum import (
    Answer,
    from_handoff,
    newest,
    quorum_size,
    read_settled,
    write_outcome,
)
from objectstore.proxy.strategy import NO_ANSWER, WRITTEN, Strategy, shared
from objectstore.proxy.uploads import send_all, start_uploads, upload_answers
from objectstore.proxy.version_names import (
    POINTER,
    VERSION_ID,
    version_object,
    versions_container,
)
from objectstore.ring.devices import Device
from objectstore.ring.files import RingFile
from objectstore.timestamps import Timestamp

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class ProxySettings:
    connect_timeout: float = 2.0
    read_timeout: float = 10.0
    handoff_tries: int = 3     # extra devices tried per write when primaries fail
    container_ttl: float = 5.0  # how long a container seen to exist is trusted
    ring_check_interval: float = 10.0  # how often the nodes are asked which ring they hold
    grace_min: float = 0.05     # once a quorum answered, the rest get a few times the
    grace_max: float = 0.5      # healthy latency, within these bounds (then: replication)
    error_limit: int = 3        # real failures (timeouts, refusals) within error_window
    error_window: float = 60.0  # that make a node skipped for error_suppression seconds
    error_suppression: float = 30.0


FOUND = frozenset({200, 404})           # an object read's answers that say what is held
FULL_OR_NO_ANSWER = frozenset({0, 507})  # a write slot moves to the next candidate


def _report(message: str) -> None:
    log.warning("%s", message)


@dataclass(slots=True)
class Look:
    """What `_look` learnt of an object: each asked replica's answer and headers (in the
    order asked), the targets asked followed by the primaries not asked (last resorts
    for reading), the partition, and the first replica's whole-object GET if it was
    prefetched and found (unread; whoever takes it releases it)."""

    answers: list[Answer]
    heads: list[dict[str, str]]
    targets: list[Target]
    partition: int
    prefetched: aiohttp.ClientResponse | None
    replicas: int                   # of the object's storage policy
    kind: str                       # its node path kind


def target_of(dev: Device) -> Target:
    return Target(dev.host, dev.port, dev.device)


class Proxy:
    def __init__(self, ring: RingFile, client: NodeClient,
                 settings: ProxySettings | None = None) -> None:
        self.ring = ring
        self.client = client
        self.settings = settings or ProxySettings()
        self.known_containers = ExistenceCache(self.settings.container_ttl)
        self.container_policies = ContainerPolicies(self.settings.container_ttl)
        # the keys encrypted objects are sealed with (None: this proxy encrypts nothing)
        self.keyring: Keyring | None = None
        st = self.settings
        self.fanout = FanOut(client, Timing(st.connect_timeout, st.read_timeout,
                                            st.grace_min, st.grace_max),
                             ErrorLimiter(st.error_limit, st.error_window,
                                          st.error_suppression, report=_report))

    async def close(self) -> None:
        """Cancel the requests left to finish after their quorum answered."""
        await self.fanout.close()

    # -- placement -----------------------------------------------------------------------
    def placement(self, account: str, container: str | None = None,
                  obj: str | None = None) -> Placement:
        ring = self.ring.current()      # Placement.of, inlined: built for every request
        part, primaries = ring.get_nodes(account, container, obj)
        return Placement(part, primaries, ring.handoffs(part), ring.replicas)

    async def object_placement(self, account: str, container: str, obj: str
                               ) -> Placement:
        """Where an object lives: its container's storage policy decides how many of
        the primaries keep it (looked up only when the ring has more than one)."""
        ring = self.ring.current()
        index = 0 if len(ring.policies) == 1 else \
            await self.container_policies.index(account, container)
        if index == 0:                  # the default: the ring's own placement
            return self.placement(account, container, obj)
        try:
            policy = ring.policy(index)
        except KeyError:
            raise errors.ServiceUnavailable(
                f"container {container!r} is in storage policy {index}, which this "
                "proxy's ring does not list") from None
        return Placement.of_policy(ring, policy, account, container, obj)

    def update_headers(self, cnodes: list[Device]) -> list[dict[str, str]]:
        """For object slot i, the headers naming the container replica it updates
        (replica i). A replica on an error-limited node is named as one to update later:
        the object node queues the update for its updater at once (durably) instead of
        making the write wait on that node."""
        limited = self.fanout.limiter.limited
        return [{wire.UPDATE_LATER if limited(node_of(t)) else wire.UPDATE: t.spec}
                for t in map(target_of, cnodes)]

    def candidates(self, where: Placement, primaries: list[Target] | None = None
                   ) -> Iterable[Target]:
        """Whom to ask, in order: the primaries (`primaries`: their targets, if the
        caller made them already), then a few handoffs (pulled lazily)."""
        spare = itertools.islice(where.handoffs, self.settings.handoff_tries)
        return itertools.chain(map(target_of, where.primaries) if primaries is None
                               else primaries, map(self._handoff, spare))

    def _handoff(self, dev: Device) -> Target:
        """A handoff's target, counted (pulled only when a primary would not do)."""
        self.fanout.counts.handoffs += 1
        return target_of(dev)

    def write_strategy(self, replicas: int, width: int,
                       retry: frozenset[int] = NO_ANSWER,
                       success: frozenset[int] = WRITTEN) -> Strategy:
        return shared(quorum=quorum_size(replicas), width=width, success=success,
                        retry=retry)

    # -- objects -------------------------------------------------------------------------
    async def put_object(self, account: str, container: str, obj: str,
                         body: AsyncIterator[bytes], options: PutOptions) -> Stored:
        """Store an object as `options` describe it (the node headers are built here,
        from them: see put_options); returns its ETag, timestamp and the checksums the
        nodes computed.

        A conditional write (`options.if_*`) first asks for the current version (a
        HEAD, as reads do: the newest a quorum knows of), checks the conditions, then
        writes: this is not atomic -- a write landing between the two is not seen. The
        body is not read when a condition fails."""
        sealed = None
        if options.encryption is not None:
            sealed = self.encrypted_write(options)
        if options.conditional:
            await self.check_write(account, container, obj, options)
        headers = node_headers(options)
        if sealed is not None:
            headers.update(sealed.headers())
            body = sealed.stream(body)
        length = options.length
        if length is not None and length <= SMALL_BODY:
            return await self._put_buffered(account, container, obj, body, headers, length,
                                            options, sealed)
        return await self._put_streamed(account, container, obj, body, headers, length,
                                        options, sealed)

    def check_encryption(self, asked: Encryption) -> None:
        """Refuse an encryption this proxy could not seal (no key file, an unknown KMS
        key), as a write asking for it would be."""
        if self.keyring is None:
            raise errors.KeysUnavailable("this proxy has no encryption keys")
        self.keyring.check(asked.protection)

    def encrypted_write(self, options: PutOptions) -> EncryptedWrite:
        """Seal a new data key for the write `options.encryption` asks for (refused
        here, before a byte is read, if this proxy cannot)."""
        asked = options.encryption
        assert asked is not None
        if self.keyring is None:
            raise errors.KeysUnavailable("this proxy has no encryption keys")
        sealed = self.keyring.seal(asked.protection, asked.customer_key)
        return EncryptedWrite(asked.protection, sealed, options.checksum_algorithm,
                              options.etag, options.system_metadata.get(wire.LISTING_ETAG))

    async def check_write(self, account: str, container: str, obj: str,
                          options: PutOptions) -> None:
        """A write's conditions (If-Match, If-None-Match) against the current object."""
        try:
            head = await self.head_object(account, container, obj)
        except errors.ObjectNotFound:
            check_write(options, obj, None)
            return
        # the ETag the APIs show: a manifest's is the whole object's
        check_write(options, obj, head.get(MANIFEST_ETAG) or head.get("etag", ""))

    async def _put_buffered(self, account: str, container: str, obj: str,
                            body: AsyncIterator[bytes], headers: dict[str, str],
                            declared: int, options: PutOptions,
                            sealed: EncryptedWrite | None) -> Stored:
        """A small object: read it whole, then one plain request per node (no
        100-continue round trip, no per-node task and queue)."""
        chunks = []
        size = 0
        async for chunk in body:           # ends only if the body's own checks passed
            size += len(chunk)
            if size > declared:
                raise errors.BadRequest("body longer than its Content-Length")
            chunks.append(chunk)
        if size != declared:
            raise errors.BadRequest("body shorter than its Content-Length")
        where = await self.object_placement(account, container, obj)
        cwhere = self.placement(account, container)
        timestamp = Timestamp.now()        # the body has ended: the last to finish wins
        data = b"".join(chunks)
        # the ETag computed once here, not on every node (see commit_stamp)
        stamp = commit_stamp.encode(timestamp, hashlib.md5(data, usedforsecurity=False)
                                    .hexdigest(), xxhash.xxh3_64_hexdigest(data),
                                    None if sealed is None else sealed.footer())
        data += stamp
        headers.update({"x-timestamp": timestamp.internal,
                        wire.PARTITION: str(cwhere.partition),
                        "content-length": str(len(data)),
                        commit_stamp.HEADER: str(len(stamp))})
        updates = self.update_headers(cwhere.primaries)
        part, width = where.partition, len(where.primaries)
        kind = where.kind
        replies = await self.fanout.call(
            self.candidates(where),
            self.fanout.exchange(
                "PUT", lambda t: node_path(kind, t.device, part, account,
                                           container, obj),
                lambda slot: {**headers, **updates[slot % len(updates)]},
                data),
            self.write_strategy(where.replicas, width, retry=FULL_OR_NO_ANSWER))
        results = [(r.answer, r.headers) for r in per_slot(replies, width)]
        return await self._finish_put(results, where.replicas, cwhere, account, container,
                                      obj, timestamp, size, options, sealed)

    async def _put_streamed(self, account: str, container: str, obj: str,
                            body: AsyncIterator[bytes], headers: dict[str, str],
                            declared: int | None, options: PutOptions,
                            sealed: EncryptedWrite | None) -> Stored:
        """Stream the body to the nodes as it arrives; memory stays bounded."""
        where = await self.object_placement(account, container, obj)
        cwhere = self.placement(account, container)
        replicas = where.replicas
        timestamp = Timestamp.now()       # replaced by the commit stamp at the end
        stamp_size = commit_stamp.DIGEST_SIZE if sealed is None else commit_stamp.FOOTED_SIZE
        headers.update({"x-timestamp": timestamp.internal,
                        wire.PARTITION: str(cwhere.partition),
                        commit_stamp.HEADER: str(stamp_size)})
        if declared is not None:
            headers["content-length"] = str(declared + stamp_size)
        started = await start_uploads(self.fanout, self.candidates(where),
                                      len(where.primaries), replicas, where.partition,
                                      (account, container, obj), headers,
                                      self.update_headers(cwhere.primaries), where.kind)
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
                        await send_all(uploads, held, replicas, self.fanout.timing)
                    held = chunk
        except BaseException:
            for u in uploads:
                u.task.cancel()
            raise
        if held is not None:
            await send_all(uploads, held, replicas, self.fanout.timing)
        # The body ended cleanly: now the write's time is known (the last to finish wins).
        timestamp = max(Timestamp.now(), timestamp)
        stamp = commit_stamp.encode(timestamp, md5.hexdigest(), xxh3.hexdigest(),
                                    None if sealed is None else sealed.footer())
        await send_all(uploads, stamp, replicas, self.fanout.timing)
        await send_all(uploads, None, replicas, self.fanout.timing)
        answers = await upload_answers(self.fanout, uploads, replicas)
        results = [(answers.get(i, Answer(0, None, i)), u.headers if u is not None else {})
                   for i, u in enumerate(started)]
        return await self._finish_put(results, replicas, cwhere, account, container,
                                      obj, timestamp, size, options, sealed)

    async def _finish_put(self, results: list[tuple[Answer, dict[str, str]]], replicas: int,
                          cwhere: Placement, account: str, container: str,
                          obj: str, timestamp: Timestamp, size: int, options: PutOptions,
                          sealed: EncryptedWrite | None = None) -> Stored:
        """Decide a write from each primary's (answer, headers); a container replica
        whose object node did not take it hears from us instead."""
        answers = [a for a, _ in results]
        status = write_outcome(answers, replicas)
        if not 200 <= status < 300:
            raise wire.error_for(status)(
                f"storage nodes answered {sorted(a.status for a in answers)}")
        stored_by = [h for a, h in results if a.status == 201]
        etags = sorted({h.get("etag", "") for h in stored_by} - {""})
        etag = etags[0] if etags else ""
        if sealed is not None:                   # the plaintext's, not the ciphertext's
            etag = sealed.etag
        cnodes = cwhere.primaries
        orphans = [cnodes[i % len(cnodes)] for i, a in enumerate(answers)
                   if not 200 <= a.status < 300]
        orphans += cnodes[len(answers):]    # a policy of fewer replicas: no object node's
        system = options.system_metadata
        await self._update_containers(orphans, "PUT", cwhere.partition, account, container,
                                      obj, {
            "x-timestamp": timestamp.internal,
            "x-size": system.get(MANIFEST_SIZE, str(size)),
            "x-etag": wire.listed_etag(system.get(wire.LISTING_ETAG)
                                       or system.get(MANIFEST_ETAG, etag), system),
            "x-content-type": options.content_type})
        stored = Stored(etag, timestamp)
        if sealed is not None:                   # computed here, on the plaintext
            stored.checksums.update(sealed.checksums)
            stored.protection = sealed.protection
        elif options.checksum_algorithm:         # a checksum the nodes computed (S3)
            prefix = wire.OBJECT_SYSMETA_CHECKSUM
            for h in stored_by:
                stored.checksums.update({k[len(prefix):]: v for k, v in h.items()
                                         if k.startswith(prefix)})
        return stored

    async def update_row(self, method: str, account: str, container: str, name: str,
                         headers: dict[str, str]) -> None:
        """Put (or delete) a listing row with no object behind it, on the container's
        primaries -- the expiry queue's rows (best effort, as _update_containers)."""
        where = self.placement(account, container)
        await self._update_containers(where.primaries, method, where.partition, account,
                                      container, name, headers)

    async def _update_containers(self, cdevs: list[Device], method: str, cpart: int,
                                 account: str, container: str, obj: str,
                                 headers: dict[str, str]) -> None:
        """Best effort: a replica that misses this is brought up to date by replication
        (waited on for at most the longest grace, never on an error-limited node)."""
        if not cdevs:
            return
        await self.fanout.call(
            (target_of(d) for d in cdevs),
            self.fanout.exchange(method, lambda t: node_path(
                paths.CONTAINERS, t.device, cpart, account, container, obj),
                lambda slot: headers),
            shared(quorum=0, width=len(cdevs), patience=self.settings.grace_max))

    async def _post_each(self, where: Placement, account: str, container: str, obj: str,
                         headers: dict[str, str]) -> list[Answer]:
        """Send a POST to the primaries (a handoff replacing one that does not answer)."""
        part, kind = where.partition, where.kind
        replies = await self.fanout.call(
            self.candidates(where),
            self.fanout.exchange("POST", lambda t: node_path(
                kind, t.device, part, account, container, obj),
                lambda slot: headers),
            self.write_strategy(where.replicas, len(where.primaries)))
        return [r.answer for r in replies]

    async def _look(self, account: str, container: str, obj: str, prefetch: bool = False
                    ) -> Look:
        """Ask a majority of the primaries about an object; only if they disagree (or
        fail, or are slow) ask the rest, then handoffs. A majority that agrees is the
        answer at once, whoever else is still out. With `prefetch`, the first is asked
        for the whole object at once (a GET instead of a HEAD), so a read that the
        others agree with costs no second round trip. The targets returned list the
        ones asked, then the primaries not asked (last resorts for reading)."""
        where = await self.object_placement(account, container, obj)
        part, primaries, kind = where.partition, where.primaries, where.kind
        methods = iter(["GET"] if prefetch else [])

        async def one(slot: int, target: Target) -> Reply:
            method = next(methods, "HEAD")
            path = node_path(kind, target.device, part, account, container, obj)
            resp = await self.client.request(method, target, path)
            h = {k.lower(): v for k, v in resp.headers.items()}
            if CRYPTO_ETAG in h:        # an encrypted object shows its plaintext's MD5
                h["etag"] = h[CRYPTO_ETAG]
            answer = answer_from(resp.status, h, -1)
            if target not in first:
                answer = from_handoff(answer)
            if method == "GET" and resp.status == 200:
                return Reply(answer, h, kept=resp)
            async with resp:
                await resp.read()
            return Reply(answer, h)

        need = min(quorum_size(where.replicas), len(primaries))
        first = [target_of(d) for d in primaries]   # the same objects: `in` finds them fast
        replies = await self.fanout.call(
            self.candidates(where, first), one,
            shared(quorum=need, width=need, success=FOUND, retry_failures=True,
                     widen_to=len(primaries), agree=True, hedge=True),
            primaries=len(primaries))
        body = replies[0].kept if replies and replies[0].answer.status == 200 else None
        for r in replies[1:]:
            r.release()
        targets = [r.target for r in replies if r.target is not None]
        targets += [t for t in first if t not in targets]
        return Look([r.answer for r in replies], [r.headers for r in replies], targets, part,
                    cast("aiohttp.ClientResponse | None", body), where.replicas, kind)

    async def head_object(self, account: str, container: str, obj: str,
                          expired_too: bool = False, raw: bool = False) -> dict[str, str]:
        """The newest version's headers; an expired one is not found (unless
        `expired_too`: the expirer's own look). A versioned object's pointer is
        followed to the version it stands for (whose headers then name it in
        VERSION_ID), unless `raw`."""
        look = await self._look(account, container, obj)
        best = self._newest_or_raise(look.answers, errors.ObjectNotFound, obj,
                                     look.replicas)
        head = look.heads[best.node]
        if wire.DELETE_AT in head and not expired_too and expired(head):
            raise errors.ObjectNotFound(obj)
        if POINTER in head and not raw:     # the current version of a versioned object
            vid = head[POINTER]
            head = await self.head_object(account, versions_container(container),
                                          version_object(obj, vid), raw=True)
            head[VERSION_ID] = vid
        return head

    async def head_object_info(self, account: str, container: str, obj: str
                               ) -> ObjectInfo:
        """head_object's answer as named fields."""
        return ObjectInfo.from_headers(obj, await self.head_object(account, container, obj))

    def _newest_or_raise(self, answers: list[Answer], missing: type[errors.NotFound],
                         name: str, replicas: int) -> Answer:
        if not read_settled(answers, replicas):     # a refusal a quorum agrees on, or 503
            raise wire.error_for(write_outcome(answers, replicas))(
                f"storage nodes answered {sorted(a.status for a in answers)}")
        best = newest(answers)
        if best is None or best.status == 404:
            raise missing(name)
        return best

    async def open_object(self, account: str, container: str, obj: str,
                          prefetch: bool = False, raw: bool = False,
                          expired_too: bool = False) -> ObjectHandle | ManifestHandle:
        """Find the newest replica a quorum knows of: its headers, and where to read it.
        An object made of segments comes back as one object, and a versioned object's
        pointer as the version it stands for (VERSION_ID in its headers), unless
        `raw`: then as stored. With `prefetch`, the whole object is requested from one
        replica meanwhile (call `read()` or `discard()` on the handle). An expired object
        is not found, unless `expired_too` (one its expirer has not removed yet)."""
        look = await self._look(account, container, obj, prefetch)
        answers, targets, fetched = look.answers, look.targets, look.prefetched
        try:
            best = self._newest_or_raise(answers, errors.ObjectNotFound, obj, look.replicas)
        except BaseException:
            if fetched is not None:
                fetched.release()
            raise
        if wire.DELETE_AT in look.heads[best.node] and not expired_too \
                and expired(look.heads[best.node]):
            if fetched is not None:
                fetched.release()
            raise errors.ObjectNotFound(obj)
        if POINTER in look.heads[best.node] and not raw:
            if fetched is not None:
                fetched.release()
            return await self._open_current(account, container, obj,
                                            look.heads[best.node][POINTER], prefetch)
        holders = [targets[a.node] for a in answers
                   if a.status == 200 and a.timestamp == best.timestamp]
        holders += targets[len(answers):]   # not asked (a majority agreed): last resorts
        path = (account, container, obj)
        handle = ObjectHandle(self.client, self.fanout.limiter, look.heads[best.node],
                              look.partition, path, holders, kind=look.kind,
                              keyring=self.keyring)
        if fetched is not None:
            if answers[0].status == 200 and answers[0].timestamp == best.timestamp:
                handle.prefetched = fetched
            else:
                fetched.release()       # an older replica: read a newer one instead
        if is_manifest(handle.headers) and not raw:
            handle.discard()
            return ManifestHandle(self.open_object, account, handle,
                                  await read_manifest(handle))
        return handle

    async def _open_current(self, account: str, container: str, obj: str, vid: str,
                            prefetch: bool) -> ObjectHandle | ManifestHandle:
        """The version a pointer stands for (a manifest made whole: a version is never
        itself a pointer, so the ordinary open does it)."""
        handle = await self.open_object(account, versions_container(container),
                                        version_object(obj, vid), prefetch)
        handle.headers[VERSION_ID] = vid
        return handle

    async def get_object(self, account: str, container: str, obj: str,
                         span: ByteRange | None = None) -> ObjectStream:
        """Open the newest replica a quorum knows of and stream it."""
        handle = await self.open_object(account, container, obj)
        return await handle.read(span)

    async def delete_object(self, account: str, container: str, obj: str,
                            timestamp: Timestamp | None = None) -> None:
        """Write tombstones; ObjectNotFound if no replica held the object. A
        `timestamp` of the past (an expiry's) deletes only what is older than it."""
        timestamp = timestamp or Timestamp.now()
        cwhere = self.placement(account, container)
        where = await self.object_placement(account, container, obj)
        answers = await self._write_each("DELETE", where, account, container, obj,
                                         timestamp, cwhere)
        cnodes = cwhere.primaries
        orphans = [cnodes[a.node % len(cnodes)] for a in answers if a.status not in (204, 404)]
        orphans += cnodes[len(answers):]    # a policy of fewer replicas: no object node's
        await self._update_containers(orphans, "DELETE", cwhere.partition, account,
                                      container, obj, {"x-timestamp": timestamp.internal})
        # 404 means "nothing was here", and the tombstone was written all the same.
        written = [Answer(204) for a in answers if a.status in (204, 404)]
        replicas = where.replicas
        if write_outcome(written, replicas) != 204:     # a refusal a quorum agrees on, or 503
            raise wire.error_for(write_outcome(answers, replicas))(
                f"storage nodes answered {sorted(a.status for a in answers)} to the delete")
        if not any(a.status == 204 for a in answers):
            raise errors.ObjectNotFound(obj)

    async def post_object(self, account: str, container: str, obj: str,
                          headers: dict[str, str]) -> None:
        timestamp = Timestamp.now()
        where = await self.object_placement(account, container, obj)
        answers = await self._post_each(where, account, container, obj,
                                        {**headers, "x-timestamp": timestamp.internal})
        status = write_outcome(answers, where.replicas)
        if not 200 <= status < 300:
            raise wire.error_for(status)(f"post: {status}")

    async def _write_each(self, method: str, where: Placement, account: str, container: str,
                          obj: str, timestamp: Timestamp, cwhere: Placement
                          ) -> list[Answer]:
        """One write per primary, each told which container replica to update."""
        part, primaries, cpart = where.partition, where.primaries, cwhere.partition
        kind = where.kind
        updates = self.update_headers(cwhere.primaries)
        replies = await self.fanout.call(
            (target_of(d) for d in primaries),
            self.fanout.exchange(method, lambda t: node_path(
                kind, t.device, part, account, container, obj),
                lambda slot: {"x-timestamp": timestamp.internal,
                              wire.PARTITION: str(cpart),
                              **updates[slot % len(updates)]}),
            self.write_strategy(where.replicas, len(primaries),
                                success=frozenset({204, 404})))
        return [r.answer._replace(node=r.slot) for r in per_slot(replies, len(primaries))]


def expired(headers: dict[str, str]) -> bool:
    """Whether an object's X-Delete-At has passed: it is gone to every reader at once
    (the expirer removes its data and listing row later)."""
    value = headers.get(wire.DELETE_AT, "")
    return value.isdigit() and int(value) <= time.time()
