"""The updater: sends the container updates an object server could not deliver
(async pendings, one JSON file each under `<device>/async_pending/`) until they land.
A file is removed only after its container replica accepted the update."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from objectstore.daemons.base import Clock, Daemon, PassStats, Sleep
from objectstore.node import paths
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.node.config import NodeConfig
from objectstore.node.object_server import ASYNC_PENDING

NODE_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)


@dataclass
class UpdaterStats(PassStats):
    sent: int = 0
    left: int = 0               # still undeliverable; tried again next pass
    damaged: int = 0            # unreadable files, removed

    def summary(self) -> str:
        return (f"{self.sent} updates sent, {self.left} left for later, {self.damaged} "
                f"damaged removed, {self.failures} failures, {self.seconds:.1f} s")


class Updater(Daemon[Path, UpdaterStats]):
    name = "updater"
    interval = 10.0

    def __init__(self, config: NodeConfig, client: NodeClient, clock: Clock = time.time,
                 sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(clock, sleep)
        self.config = config
        self.client = client

    def new_stats(self) -> UpdaterStats:
        return UpdaterStats()

    async def list_jobs(self) -> list[Path]:
        return await asyncio.to_thread(self.pending)

    async def process(self, job: Path, stats: UpdaterStats) -> None:
        await self.send(job, stats)

    def pending(self) -> list[Path]:
        found = []
        with contextlib.suppress(FileNotFoundError):
            for device in sorted(os.listdir(self.config.devices)):
                directory = self.config.devices / device / ASYNC_PENDING
                if directory.is_dir():
                    found += sorted(directory.glob("*.json"))
        return found

    async def send(self, path: Path, stats: UpdaterStats) -> None:
        try:
            update = json.loads(await asyncio.to_thread(path.read_bytes))
            target = Target.from_spec(update["target"])
            request = node_path(paths.CONTAINERS, target.device, int(update["partition"]),
                                update["account"], update["container"], update["obj"])
            method, headers = str(update["method"]), dict(update["headers"])
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError):
            stats.damaged += 1
            path.unlink(missing_ok=True)
            return
        try:
            resp = await self.client.request(method, target, request, headers)
            resp.release()
            delivered = resp.status < 300
        except NODE_ERRORS:
            delivered = False
        if delivered:
            path.unlink(missing_ok=True)
            stats.sent += 1
        else:
            stats.left += 1
