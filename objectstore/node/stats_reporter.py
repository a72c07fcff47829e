"""Containers tell their account how many objects and bytes they hold.

A container replica that changed reports to the account replica the proxy named when
the container was created (`report_to`), shortly after the change and at most once
per interval, so a burst of object writes costs one account update. A report that
fails is dropped; the next change reports again, and account replication carries the
rows the other replicas took to the one that missed them.

An account replica that does not answer within `timeout` (frozen, or a host that
drops packets) *rests*: it is not sent reports for `rest` seconds. Each change would
otherwise open one more connection to it, and a pass would wait on it. One that
refuses the connection (down, restarting) costs nothing to try again, and is told at
the next change as before. The replicas are told at once,
each on its own, so one that does not answer holds up none of the others.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable

from objectstore.node import paths
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.node.listingdb import ListingDB
from objectstore.node.wire import NODE_ERRORS, POLICY_SYSMETA


def report_spec(partition: int, targets: list[str]) -> str:
    return json.dumps({"partition": partition, "targets": targets})


class StatsReporter:
    def __init__(self, client: NodeClient, interval: float = 0.5, timeout: float = 2.0,
                 rest: float = 30.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.client = client
        self.interval = interval
        self.timeout = timeout
        self.rest = rest
        self.clock = clock
        self._dirty: dict[str, tuple[ListingDB, str, str]] = {}
        self._task: asyncio.Task[None] | None = None
        self._resting: dict[Target, float] = {}     # replica -> not told until then

    def changed(self, db: ListingDB, account: str, container: str) -> None:
        self._dirty[str(db.path)] = (db, account, container)
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        while self._dirty:
            await asyncio.sleep(self.interval)
            batch, self._dirty = self._dirty, {}
            await asyncio.gather(*(self.report(*item) for item in batch.values()))

    async def report(self, db: ListingDB, account: str, container: str) -> None:
        try:
            spec = json.loads(await asyncio.to_thread(db.report_to) or "{}")
            info = await asyncio.to_thread(db.info)
        except (ValueError, OSError):
            return
        if info.deleted or not spec.get("targets"):
            return
        # The report carries the time of the container's newest change, never the
        # node's clock: a container DELETE is stamped after every change it follows,
        # so a report racing with it cannot revive the account's row.
        # the account row's content type keeps the container's storage policy index
        policy = info.metadata.get(POLICY_SYSMETA, ("", ""))[0]
        headers = {"x-timestamp": info.changed_at.internal,
                   "x-stats-report": "1", "x-object-count": str(info.item_count),
                   "x-bytes-used": str(info.bytes_used), "x-content-type": policy}
        targets = []
        for item in spec["targets"]:
            try:
                targets.append(Target.from_spec(item))
            except ValueError:
                continue
        partition = int(spec["partition"])
        await asyncio.gather(*(
            self._tell(target, node_path(paths.ACCOUNTS, target.device, partition, account,
                                         container), headers)
            for target in targets if not self.resting(target)))

    def resting(self, target: Target) -> bool:
        """Whether this replica is not to be told for now (it did not answer lately)."""
        until = self._resting.get(target)
        if until is None:
            return False
        if self.clock() < until:
            return True
        del self._resting[target]
        return False

    async def _tell(self, target: Target, path: str, headers: dict[str, str]) -> None:
        try:
            resp = await self.client.request("PUT", target, path, headers,
                                             timeout=self.timeout)
            resp.release()
        except TimeoutError:        # (aiohttp's timeouts are TimeoutErrors too)
            self._resting[target] = self.clock() + self.rest
        except NODE_ERRORS:
            pass

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
