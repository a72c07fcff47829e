"""The S3 lifecycle worker: a pass visits every bucket that has lifecycle rules
(proxy/lifecycle_store.py lists them) and carries the rules out -- expiring current
versions, removing delete markers left alone and noncurrent versions, aborting
incomplete multipart uploads -- through the proxy core, as the expirer does.

- **Schedule**: a pass every fifth of a lifecycle day (`[lifecycle] day_seconds`; at
  most an hour apart), so with the conformance suite's 10 s day an object is expired
  within ~2 s of its due time.
- **Rate**: listing pages and actions together at most `per_second` a second
  (daemons/pacing.py), so a bucket of millions of objects never crowds out clients.
- **Resumable**: the last key done in a bucket is saved about every second of its
  walk (LifecycleStore.save_progress); a worker that restarts mid-pass begins the
  bucket there, and the next pass walks it whole again.
- **Several workers**: every action commutes (proxy/lifecycle_actions.py): two
  workers on one bucket write the same tombstones and the same delete marker, never
  two markers, and never remove a write newer than the one judged. So no lock is
  needed; `share` (a node's place among the nodes running `objectstore daemons`)
  only spares the duplicate work.
"""

from __future__ import annotations

import asyncio
import itertools
import time
import zlib
from dataclasses import dataclass

from objectstore import errors
from objectstore.daemons.base import Clock, Daemon, PassStats, Sleep
from objectstore.daemons.pacing import Pace
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.lifecycle_actions import SEGMENTS, LifecycleActions
from objectstore.proxy.lifecycle_rules import (
    DAY,
    TAGGING,
    Configuration,
    abort_due,
    current_expiry,
    marker_expiry,
    noncurrent_expired,
    noncurrent_rules,
    parse_tags,
)
from objectstore.proxy.lifecycle_store import LifecycleStore
from objectstore.proxy.version_names import STATE, listed_size
from objectstore.proxy.versions import VersionEntry, Versions
from objectstore.timestamps import Timestamp

PAGE = 1000
PER_SECOND = 200.0
CHECKPOINT_SECONDS = 1.0       # how often a walk saves where it is (one small write)
MAX_INTERVAL = 3600.0


def pass_interval(day: float) -> float:
    return min(max(day / 5, 1.0), MAX_INTERVAL)


@dataclass(frozen=True)
class BucketJob:
    account: str
    bucket: str


@dataclass
class LifecycleStats(PassStats):
    buckets: int = 0
    expired: int = 0            # current versions deleted or given a delete marker
    markers: int = 0            # delete markers left alone, removed
    noncurrent: int = 0         # noncurrent versions removed
    aborted: int = 0            # incomplete multipart uploads aborted
    resumed: int = 0            # buckets begun where an interrupted pass stopped

    def pass_items(self) -> int:
        return self.buckets

    def summary(self) -> str:
        return (f"{self.buckets} buckets, {self.expired} expired, {self.markers} delete "
                f"markers and {self.noncurrent} noncurrent versions removed, "
                f"{self.aborted} uploads aborted, {self.resumed} buckets resumed, "
                f"{self.failures} failures, "
                f"{self.seconds:.1f} s")


class LifecycleWorker(Daemon[BucketJob, LifecycleStats]):
    name = "lifecycle"

    def __init__(self, proxy: Proxy, day: float = DAY, per_second: float = PER_SECOND,
                 share: tuple[int, int] = (0, 1), clock: Clock = time.time,
                 sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(clock, sleep)
        self.day = day
        self.interval = pass_interval(day)
        containers = Containers(proxy)
        self.containers = containers
        self.store = LifecycleStore(proxy, containers)
        self.actions = LifecycleActions(proxy, containers)
        self.versions = Versions(proxy, containers)
        self.pace = Pace(per_second, clock, sleep)
        self.share = share
        self._saved = 0.0

    def new_stats(self) -> LifecycleStats:
        self.pace.restart()
        return LifecycleStats()

    def describe(self, job: BucketJob) -> str:
        return f"{job.account}/{job.bucket}"

    def mine(self, job: BucketJob) -> bool:
        index, of = self.share
        return of <= 1 or zlib.crc32(self.describe(job).encode()) % of == index

    async def list_jobs(self) -> list[BucketJob]:
        return [job for job in (BucketJob(a, b) for a, b in await self.store.buckets())
                if self.mine(job)]

    async def process(self, job: BucketJob, stats: LifecycleStats) -> None:
        loaded = await self.store.load(job.account, job.bucket)
        if loaded is None:
            return
        config, headers = loaded
        stats.buckets += 1
        rules = config.active
        if any(r.expires_current or r.expired_object_delete_marker
               or r.noncurrent_days is not None for r in rules):
            start = await self.store.progress(job.account, job.bucket)
            stats.resumed += bool(start)
            if headers.get(STATE):
                await self._versioned(job, config, start, headers[STATE] == "false", stats)
            else:
                await self._unversioned(job, config, start, stats)
            await self.store.save_progress(job.account, job.bucket, "")
        if any(r.abort_days is not None for r in rules):
            await self._uploads(job, config, stats)

    async def _tags(self, job: BucketJob, container: str, name: str,
                    config: Configuration) -> dict[str, str]:
        if not config.uses_tags:
            return {}
        await self.pace.step()
        try:
            head = await self.actions.proxy.head_object(job.account, container, name)
        except errors.NotFound:     # gone meanwhile: no tags (nothing will match it)
            return {}
        return parse_tags(head.get(TAGGING, ""))

    async def _unversioned(self, job: BucketJob, config: Configuration, marker: str,
                           stats: LifecycleStats) -> None:
        while True:
            await self.pace.step()
            rows = (await self.containers.list_container(
                job.account, job.bucket, marker=marker or None, limit=str(PAGE))).entries
            for row in rows:
                row = listed_size(row)
                key, created = str(row["name"]), Timestamp.parse(row["timestamp"])
                if not any(key.startswith(r.filter.prefix) for r in config.active
                           if r.expires_current):
                    continue
                tags = await self._tags(job, job.bucket, key, config)
                found = current_expiry(config, key, int(row["bytes"]), tags,
                                       created.seconds, self.day)
                if found is not None and found[0] <= self.clock():
                    await self.pace.step()
                    if await self.actions.expire_unversioned(job.account, job.bucket, key,
                                                             created):
                        stats.expired += 1
                await self._checkpoint(job, key)
            if len(rows) < PAGE:
                return
            marker = str(rows[-1]["name"])

    async def _checkpoint(self, job: BucketJob, done: str) -> None:
        if self.clock() - self._saved >= CHECKPOINT_SECONDS:
            await self.store.save_progress(job.account, job.bucket, done)
            self._saved = self.clock()

    async def _versioned(self, job: BucketJob, config: Configuration, marker: str,
                         suspended: bool, stats: LifecycleStats) -> None:
        """Each object's versions, newest first, are judged together (a version's
        successor says since when it is noncurrent)."""
        group: list[VersionEntry] = []
        version_marker = ""
        while True:
            await self.pace.step()
            page = await self.versions.list_versions(
                job.account, job.bucket, marker=marker, version_marker=version_marker,
                limit=PAGE)
            for entry in page:
                if entry.subdir is not None:
                    continue
                if group and entry.name != group[0].name:
                    await self._judge(job, config, group, suspended, stats)
                    await self._checkpoint(job, group[0].name)
                    group = []
                group.append(entry)
            if len(page) < PAGE:
                break
            marker, version_marker = page[-1].name, page[-1].version_id
        if group:
            await self._judge(job, config, group, suspended, stats)

    async def _judge(self, job: BucketJob, config: Configuration,
                     versions: list[VersionEntry], suspended: bool,
                     stats: LifecycleStats) -> None:
        key, now = versions[0].name, self.clock()
        latest = versions[0]
        tags = await self._tags(job, job.bucket, key, config) \
            if latest.is_latest and not latest.is_marker else {}
        if latest.is_latest and not latest.is_marker:
            found = current_expiry(config, key, latest.size, tags,
                                   Timestamp.parse(latest.timestamp).seconds, self.day)
            if found is not None and found[0] <= now:
                await self.pace.step()
                if await self.actions.expire_versioned(job.account, job.bucket, key,
                                                       latest.version_id, found[0],
                                                       suspended):
                    stats.expired += 1
        left = await self._noncurrent(job, config, versions, now, stats)
        if len(left) == 1 and left[0].is_marker:       # a delete marker left alone
            due = marker_expiry(config, key, Timestamp.parse(left[0].timestamp).seconds,
                                self.day)
            if due is not None and due <= now:
                await self.pace.step()
                if await self.actions.remove_version(job.account, job.bucket, key,
                                                     left[0].version_id):
                    stats.markers += 1

    async def _noncurrent(self, job: BucketJob, config: Configuration,
                          versions: list[VersionEntry], now: float,
                          stats: LifecycleStats) -> list[VersionEntry]:
        """Remove the noncurrent versions the rules expire; returns what is left."""
        left = [versions[0]]
        newer = 0                   # noncurrent versions newer than the one judged
        for successor, entry in itertools.pairwise(versions):
            rules = noncurrent_rules(config, entry.name, entry.size, {}) \
                if not config.uses_tags else noncurrent_rules(
                    config, entry.name, entry.size,
                    await self._version_tags(job, entry, config))
            since = Timestamp.parse(successor.timestamp).seconds
            if rules and noncurrent_expired(rules, since, newer, now, self.day):
                await self.pace.step()
                if await self.actions.remove_version(job.account, job.bucket, entry.name,
                                                     entry.version_id):
                    stats.noncurrent += 1
                    continue
            left.append(entry)
            if not entry.is_marker:
                newer += 1
        return left

    async def _version_tags(self, job: BucketJob, entry: VersionEntry,
                            config: Configuration) -> dict[str, str]:
        if entry.is_marker:
            return {}
        try:
            container, name = await self.versions.locate(job.account, job.bucket,
                                                         entry.name, entry.version_id)
        except errors.NotFound:     # gone meanwhile, or a marker
            return {}
        return await self._tags(job, container, name, config)

    async def _uploads(self, job: BucketJob, config: Configuration,
                       stats: LifecycleStats) -> None:
        """Incomplete multipart uploads: each is an empty marker `<key>/<upload id>` in
        the bucket's segments container, beside its parts `<key>/<id>/<number>`."""
        container, marker = job.bucket + SEGMENTS, ""
        while True:
            await self.pace.step()
            try:
                rows = (await self.containers.list_container(
                    job.account, container, marker=marker or None, limit=str(PAGE))).entries
            except errors.ContainerNotFound:    # no upload ever: no segments container
                return
            for row in rows:
                key, _, upload = str(row["name"]).rpartition("/")
                if not key or not upload or upload.isdigit() or int(row["bytes"]):
                    continue
                due = abort_due(config, key, Timestamp.parse(row["timestamp"]).seconds,
                                self.day)
                if due is not None and due <= self.clock():
                    await self.pace.step()
                    await self.actions.abort_upload(job.account, job.bucket, key, upload)
                    stats.aborted += 1
            if len(rows) < PAGE:
                return
            marker = str(rows[-1]["name"])
