"""The expirer: works through the queue of expiring objects (proxy/expiring.py) and
deletes each object whose time has come, through the proxy core -- every replica and
its listing row -- then its queue row.

An object is deleted only if it still expires at the queue entry's time (a later
write or POST may have changed or removed its expiry), and its tombstones carry the
expiry time itself, so a write that lands after that time is never undone. Several
expirers (one per node in a cluster) share the queue: each takes the entries whose
hash falls to it (`share`). Its pace is bounded (daemons/pacing.py, as the S3
lifecycle worker's, which deletes through the same proxy call with a tombstone time)."""

from __future__ import annotations

import asyncio
import time
import zlib
from dataclasses import dataclass

from objectstore import errors
from objectstore.daemons.base import Clock, Daemon, PassStats, Sleep
from objectstore.daemons.pacing import Pace
from objectstore.node import wire
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.expiring import QUEUE_ACCOUNT, Entry, dequeue
from objectstore.timestamps import Timestamp

PAGE = 1000
PER_SECOND = 200.0


@dataclass
class ExpirerStats(PassStats):
    expired: int = 0            # objects deleted
    skipped: int = 0            # entries whose object was gone or no longer expires then
    due: int = 0                # entries of this expirer's share that were due

    def pass_items(self) -> int:
        return self.due

    def summary(self) -> str:
        return (f"{self.expired} objects expired, {self.skipped} entries outdated, "
                f"{self.failures} failures, {self.seconds:.1f} s")


class Expirer(Daemon[Entry, ExpirerStats]):
    name = "expirer"
    interval = 30.0

    def __init__(self, proxy: Proxy, share: tuple[int, int] = (0, 1),
                 clock: Clock = time.time, sleep: Sleep = asyncio.sleep,
                 per_second: float = PER_SECOND, delay_reaping: float = 0.0) -> None:
        """`delay_reaping`: an object is removed only that long after it expired (it
        is 404 from its expiry on; until then its owners may still recover it)."""
        super().__init__(clock, sleep)
        self.delay_reaping = delay_reaping
        self.pace = Pace(per_second, clock, sleep)      # deletions a second, at most
        self.proxy = proxy
        self.containers = Containers(proxy)
        self.share = share

    def new_stats(self) -> ExpirerStats:
        self.pace.restart()
        return ExpirerStats()

    def mine(self, entry: Entry) -> bool:
        index, of = self.share
        return of <= 1 or zlib.crc32(entry.name.encode()) % of == index

    async def list_jobs(self) -> list[Entry]:
        now = self.clock() - self.delay_reaping
        days = (await self.containers.list_account(QUEUE_ACCOUNT)).entries
        due: list[Entry] = []
        for day in days:
            if not str(day.get("name", "")).isdigit() or int(day["name"]) > now:
                continue
            marker = ""
            while True:
                page = await self.containers.list_container(
                    QUEUE_ACCOUNT, day["name"], marker=marker or None, limit=str(PAGE))
                for row in page.entries:
                    try:
                        entry = Entry.parse(row["name"])
                    except ValueError:
                        continue
                    if entry.delete_at <= now and self.mine(entry):
                        due.append(entry)
                if len(page.entries) < PAGE:
                    break
                marker = page.entries[-1]["name"]
        return due

    async def process(self, entry: Entry, stats: ExpirerStats) -> None:
        stats.due += 1
        await self.pace.step()
        try:
            head = await self.proxy.head_object(entry.account, entry.container, entry.obj,
                                                expired_too=True)
        except errors.ObjectNotFound:
            head = {}
        if head.get(wire.DELETE_AT) == str(entry.delete_at):
            try:
                await self.proxy.delete_object(entry.account, entry.container, entry.obj,
                                               Timestamp.from_seconds(entry.delete_at))
                stats.expired += 1
            except errors.ObjectNotFound:
                stats.skipped += 1
        else:
            stats.skipped += 1
        await dequeue(self.proxy, entry)

    def describe(self, job: Entry) -> str:
        return job.name
