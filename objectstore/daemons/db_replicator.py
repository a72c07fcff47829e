"""The database replicator: container and account databases on the node's devices,
pushed row by row to the database's other primaries (node API: /replication-db/...).

Each replica remembers, per other replica, the last of that replica's rows it merged
(its rowids grow with every change), so a push sends only what changed since; a replica
that lost its database says 0 and gets everything again. A database held here but not
a primary here is removed once every primary has it all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from objectstore.daemons.base import Clock, Daemon, PassStats, Sleep
from objectstore.node import paths
from objectstore.node.client import NodeClient, Target
from objectstore.node.config import NodeConfig
from objectstore.node.db_replication_server import PREFIX
from objectstore.node.listingdb import ListingDB, Replica
from objectstore.ring.devices import Device
from objectstore.ring.files import RingFile

log = logging.getLogger(__name__)

NODE_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError, ValueError, KeyError)
BATCH = 1000


@dataclass
class DBReplicationStats(PassStats):
    databases: int = 0
    rows_pushed: int = 0
    handoffs_removed: int = 0

    def summary(self) -> str:
        return (f"{self.databases} databases checked, {self.rows_pushed} rows pushed, "
                f"{self.handoffs_removed} handoff databases removed, {self.failures} "
                f"failures, {self.seconds:.1f} s")


@dataclass(frozen=True)
class DBJob:
    device: Device
    kind: str
    partition: int
    name_hash: str
    path: Path


def local_devices(config: NodeConfig, ring: RingFile) -> list[Device]:
    """The ring's devices served by this node (and present on its disk)."""
    return [d for d in ring.current().devices if d.host == config.host
            and d.port == config.port and (config.devices / d.device).is_dir()]


class DBReplicator(Daemon[DBJob, DBReplicationStats]):
    name = "db-replicator"

    def __init__(self, config: NodeConfig, ring: RingFile, client: NodeClient,
                 clock: Clock = time.time, sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(clock, sleep)
        self.config = config
        self.ring = ring
        self.client = client

    def new_stats(self) -> DBReplicationStats:
        return DBReplicationStats()

    async def list_jobs(self) -> list[DBJob]:
        return await asyncio.to_thread(
            lambda: self.jobs(local_devices(self.config, self.ring)))

    def describe(self, job: DBJob) -> str:
        return str(job.path)

    async def process(self, job: DBJob, stats: DBReplicationStats) -> None:
        await self.replicate(job, stats)

    def jobs(self, local: list[Device]) -> list[DBJob]:
        out = []
        for dev in local:
            for kind in (paths.ACCOUNTS, paths.CONTAINERS):
                root = self.config.devices / dev.device / kind
                with contextlib.suppress(FileNotFoundError):
                    for part in sorted(os.listdir(root)):
                        if not part.isdigit():
                            continue
                        for db in sorted((root / part).glob("*/*/*.db")):
                            out.append(DBJob(dev, kind, int(part), db.stem, db))
        return out

    async def replicate(self, job: DBJob, stats: DBReplicationStats) -> None:
        ring = self.ring.current()
        if job.partition >= ring.parts:
            return
        if not job.path.exists():
            return                      # removed since it was listed: nothing to send
        primaries = ring.primaries(job.partition)
        replica = Replica(ListingDB(job.path))
        stats.databases += 1
        delivered = True
        for remote in (p for p in primaries if p.id != job.device.id):
            try:
                stats.rows_pushed += await self._push(replica, remote, job)
            except NODE_ERRORS:
                stats.failures += 1
                delivered = False
        if delivered and not any(p.id == job.device.id for p in primaries):
            await asyncio.to_thread(_remove_handoff, job.path.parent)
            stats.handoffs_removed += 1

    async def _push(self, replica: Replica, remote: Device, job: DBJob) -> int:
        target = Target(remote.host, remote.port, remote.device)
        path = f"{PREFIX}{job.kind}/{remote.device}/{job.partition}/{job.name_hash}"
        state = await asyncio.to_thread(replica.state)
        resp = await self.client.request("GET", target, f"{path}?remote={state['db_id']}")
        async with resp:
            if resp.status != 200:
                raise OSError(f"{remote.device}: {resp.status}")
            point = int(json.loads(await resp.read())["point"])
        pushed = 0
        first = True
        while True:
            rows = await asyncio.to_thread(replica.rows_since, point, BATCH)
            if not rows and not (first and point == 0):
                return pushed
            first = False
            point = rows[-1][0] if rows else point
            body = json.dumps({"state": state, "rows": rows, "point": point}).encode()
            resp = await self.client.request("POST", target, path, {}, body)
            async with resp:
                await resp.read()
                if resp.status != 204:
                    raise OSError(f"{remote.device}: {resp.status}")
            pushed += len(rows)
            if not rows:
                return pushed


def _remove_handoff(db_dir: Path) -> None:
    """Remove a delivered database, and its suffix and partition directories once they
    are empty (a partition directory left here would still count as data to move)."""
    shutil.rmtree(db_dir, ignore_errors=True)
    for parent in (db_dir.parent, db_dir.parent.parent):
        try:
            parent.rmdir()
        except OSError:             # not empty: other databases still live there
            return
