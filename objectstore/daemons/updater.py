"""The updater: sends the container updates an object server has not delivered
(async pendings, one JSON file each under `<device>/async_pending/`, see
node/pending.py: queued when a replica was down, or left by a crash) until they land.
A file is removed only after its container replicas accepted the update."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from objectstore.daemons.base import Clock, Daemon, PassStats, Sleep
from objectstore.errors import DiskFileError
from objectstore.node import paths
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.node.config import NodeConfig
from objectstore.node.pending import ASYNC_PENDING, IN_FLIGHT, KINDS, object_holds, read_record
from objectstore.node.wire import NODE_ERRORS


@dataclass
class UpdaterStats(PassStats):
    sent: int = 0
    left: int = 0               # still undeliverable; tried again next pass
    damaged: int = 0            # unreadable files, removed
    dropped: int = 0            # records of writes that never got into place

    def pass_items(self) -> int:
        return self.sent + self.left + self.damaged + self.dropped

    def summary(self) -> str:
        return (f"{self.sent} updates sent, {self.left} left for later, {self.damaged} "
                f"damaged removed, {self.dropped} of unfinished writes dropped, "
                f"{self.failures} failures, {self.seconds:.1f} s")


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
                    found += sorted(p for p in directory.iterdir() if p.suffix in KINDS)
        return found

    async def send(self, path: Path, stats: UpdaterStats) -> None:
        """Deliver one record (pending.py) to each replica it names; the file goes
        when all took it, or keeps the ones still to do."""
        device = path.parent.parent.name
        try:
            age = time.time() - path.stat().st_mtime     # file times are wall-clock
            update = await asyncio.to_thread(read_record, path)
            specs = list(update["targets"]) if "targets" in update else [update["target"]]
            targets = [Target.from_spec(spec) for spec in specs]
            method, headers = str(update["method"]), dict(update["headers"])
            held = await asyncio.to_thread(object_holds, self.config.devices, device, update)
        except FileNotFoundError:
            return      # its write delivered it meanwhile
        except (ValueError, KeyError, TypeError, DiskFileError):
            if age > IN_FLIGHT:     # a younger one may be a record still being written
                stats.damaged += 1
                path.unlink(missing_ok=True)
            return
        if held is False:           # its write never got into place: nothing to list
            if age > IN_FLIGHT:
                stats.dropped += 1
                path.unlink(missing_ok=True)
            return
        left = [spec for spec, target in zip(specs, targets)
                if not await self._deliver(method, target, update, headers)]
        stats.sent += len(specs) - len(left)
        if not left:
            path.unlink(missing_ok=True)
        else:
            stats.left += 1
            if len(left) < len(specs):
                await asyncio.to_thread(_rewrite, path, {**update, "targets": left})

    async def _deliver(self, method: str, target: Target, update: dict[str, Any],
                       headers: dict[str, str]) -> bool:
        request = node_path(paths.CONTAINERS, target.device, int(update["partition"]),
                            update["account"], update["container"], update["obj"])
        try:
            resp = await self.client.request(method, target, request, headers)
            resp.release()
            return resp.status < 300
        except NODE_ERRORS:
            return False


def _rewrite(path: Path, update: dict[str, Any]) -> None:
    """Replace a record with what is left of it (atomically; unsynced: if the old one
    came back after a crash, its delivered rows would only be sent again)."""
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(update))
    os.replace(tmp, path.with_suffix(".json"))
    if path.suffix != ".json":
        path.unlink(missing_ok=True)        # the link to the written file
