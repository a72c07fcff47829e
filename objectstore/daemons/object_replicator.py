"""The object replicator: one per node, for the node's devices in the ring.

For each partition directory on a local device, compare per-suffix hashes with the
partition's other primaries (node API: /replication/...) and push, file by file, what
they lack or hold older: `.data`, `.meta` and tombstones. Pushing only (every replica's
replicator pushes), so a replica that lost a file gets it back from the others.

A partition held here but not a primary here (a handoff: written while a primary was
down or full, or left behind by a ring change) is pushed to all its primaries and
removed once every one of them took everything and nothing new arrived meanwhile.

Each storage policy's objects (their own directory, `objects-<i>`) are replicated
apart, among the first k primaries of the partition for a policy of k replicas. A
directory of a policy the ring does not list is left alone (a newer ring may name it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from pathlib import Path

import aiohttp

from objectstore.daemons.base import Clock, Daemon, PassStats, Sleep
from objectstore.daemons.db_replicator import DBReplicationStats, DBReplicator, local_devices
from objectstore.node import paths
from objectstore.node.client import NodeClient, Target
from objectstore.node.config import NodeConfig
from objectstore.node.diskfile import file_timestamp
from objectstore.node.replication_server import PREFIX, part_dir, policy_query
from objectstore.node.suffixes import RECLAIM_AGE, newest, suffix_hashes, suffix_listing
from objectstore.ring.devices import Device
from objectstore.ring.files import RingFile

log = logging.getLogger(__name__)

NODE_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError)
READ_CHUNK = 1 << 20


@dataclass
class ReplicationStats(PassStats):
    # failures: remotes unreachable, pushes refused, partitions that could not be read
    partitions: int = 0           # partition replicas checked
    suffixes_synced: int = 0      # suffixes that differed from a primary's
    files_pushed: int = 0
    handoffs_removed: int = 0     # handoff partitions delivered and removed here
    databases: DBReplicationStats | None = None

    def pass_items(self) -> int:
        return self.partitions + (self.databases.databases if self.databases else 0)

    def summary(self) -> str:
        objects = (f"objects: {self.partitions} partitions checked, {self.suffixes_synced} "
                   f"suffixes synced, {self.files_pushed} files pushed, "
                   f"{self.handoffs_removed} handoff partitions removed, {self.failures} "
                   f"failures, {self.seconds:.1f} s")
        return objects + (f"; databases: {self.databases.summary()}"
                          if self.databases else "")


class PushFailed(Exception):
    pass


async def _file_body(path: Path) -> AsyncIterator[bytes]:
    f = await asyncio.to_thread(open, path, "rb")
    try:
        while chunk := await asyncio.to_thread(f.read, READ_CHUNK):
            yield chunk
    finally:
        f.close()


Job = tuple[Device, int, int]          # device, policy, partition


class ObjectReplicator(Daemon[Job, ReplicationStats]):
    """A pass: every partition directory of the local devices, then the databases."""

    name = "replicator"
    interval = 30.0

    def __init__(self, config: NodeConfig, ring: RingFile, client: NodeClient,
                 reclaim_age: float = RECLAIM_AGE, files_per_second: float = 0.0,
                 status_file: Path | None = None, clock: Clock = time.time,
                 sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(clock, sleep)
        self.config = config
        self.ring = ring
        self.client = client
        self.reclaim_age = reclaim_age
        self.files_per_second = files_per_second
        self.status_file = status_file or config.devices / "replicator.json"
        self.databases = DBReplicator(config, ring, client, clock, sleep)

    def local_devices(self) -> list[Device]:
        return local_devices(self.config, self.ring)

    def jobs(self) -> list[Job]:
        out: list[Job] = []
        known = {p.index for p in self.ring.current().policies}
        for dev in self.local_devices():
            with contextlib.suppress(FileNotFoundError):
                kinds = sorted(os.listdir(self.config.devices / dev.device))
                for kind in kinds:
                    policy = paths.policy_of_kind(kind)
                    if policy not in known:
                        continue
                    with contextlib.suppress(FileNotFoundError):
                        parts = sorted(os.listdir(self.config.devices / dev.device / kind))
                        out += [(dev, policy, int(p)) for p in parts if p.isdigit()]
        return out

    def new_stats(self) -> ReplicationStats:
        return ReplicationStats()

    async def list_jobs(self) -> list[Job]:
        return await asyncio.to_thread(self.jobs)

    def describe(self, job: Job) -> str:
        return f"{job[0].device}/{paths.objects_kind(job[1])}/{job[2]}"

    async def process(self, job: Job, stats: ReplicationStats) -> None:
        dev, policy, part = job
        await self.replicate_partition(dev, part, stats, policy)

    async def finish(self, stats: ReplicationStats) -> None:
        stats.databases = await self.databases.run_once()
        await asyncio.to_thread(self._write_status, stats)

    def _write_status(self, stats: ReplicationStats) -> None:
        with contextlib.suppress(OSError):
            tmp = self.status_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(asdict(stats)))
            os.replace(tmp, self.status_file)

    async def replicate_partition(self, dev: Device, part: int,
                                  stats: ReplicationStats, policy: int = 0) -> None:
        ring = self.ring.current()
        if part >= ring.parts:
            return
        try:
            keeps = ring.policy(policy).replicas
        except KeyError:
            return                          # not a policy of this ring: left alone
        directory = part_dir(self.config.devices, dev.device, part, policy)
        primaries = ring.primaries(part)[:keeps]
        is_primary = any(p.id == dev.id for p in primaries)
        remotes = [p for p in primaries if p.id != dev.id]
        local = await asyncio.to_thread(suffix_hashes, directory, self.reclaim_age,
                                        self.clock())
        stats.partitions += 1
        delivered = True
        for remote in remotes:
            try:
                await self._sync_with(remote, directory, part, local, stats, policy)
            except (PushFailed, *NODE_ERRORS):
                stats.failures += 1
                delivered = False
        if not is_primary and delivered:
            again = await asyncio.to_thread(suffix_hashes, directory, self.reclaim_age,
                                            self.clock())
            if again == local:               # nothing arrived while we pushed
                await asyncio.to_thread(shutil.rmtree, directory, True)
                stats.handoffs_removed += 1

    async def _get_json(self, remote: Device, path: str) -> dict[str, object]:
        target = Target(remote.host, remote.port, remote.device)
        resp = await self.client.request("GET", target, path)
        async with resp:
            if resp.status != 200:
                raise PushFailed(f"{remote.device}@{remote.host}:{remote.port}: {resp.status}")
            doc = json.loads(await resp.read())
        if not isinstance(doc, dict):
            raise PushFailed("bad replication answer")
        return doc

    async def _sync_with(self, remote: Device, directory: Path, part: int,
                         local: dict[str, str], stats: ReplicationStats, policy: int = 0
                         ) -> None:
        base, query = f"{PREFIX}{remote.device}/{part}", policy_query(policy)
        theirs = await self._get_json(remote, base + query)
        for suffix, digest in local.items():
            if theirs.get(suffix) == digest:
                continue
            stats.suffixes_synced += 1
            their_files = await self._get_json(remote, f"{base}/{suffix}{query}")
            mine = await asyncio.to_thread(suffix_listing, directory, suffix,
                                           self.reclaim_age, self.clock())
            for name_hash, files in mine.items():
                held = their_files.get(name_hash)
                held_files = [str(f) for f in held] if isinstance(held, list) else []
                their_newest = newest(held_files)
                for filename in files:
                    if filename in held_files:
                        continue
                    if filename.endswith((".data", ".ts")) and their_newest is not None \
                            and their_newest >= file_timestamp(filename):
                        continue
                    await self._push(remote,
                                     f"{base}/{suffix}/{name_hash}/{filename}{query}",
                                     directory / suffix / name_hash / filename)
                    stats.files_pushed += 1

    async def _push(self, remote: Device, path: str, source: Path) -> None:
        if self.files_per_second > 0:
            await self.sleep(1.0 / self.files_per_second)
        target = Target(remote.host, remote.port, remote.device)
        try:
            resp = await self.client.request("PUT", target, path, {}, _file_body(source))
        except FileNotFoundError:
            return                  # replaced or removed since it was listed: next pass
        async with resp:
            await resp.read()
            if resp.status not in (200, 201):
                raise PushFailed(f"{path}: {resp.status}")
