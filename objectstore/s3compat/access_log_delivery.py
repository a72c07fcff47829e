"""Delivering server access log records to the target bucket, in batches.

Each proxy gathers records in memory, one batch per target bucket and prefix (the
source buckets that log there with the same prefix share it, as RGW's do; with
PartitionedPrefix, whose names carry the source bucket, one per source too), and
writes a batch as one log object: when a record comes for it once it is `roll_seconds`
old (the new record starts the next batch), when it has waited `idle_seconds` with no
such record (the background pass: the records of a bucket that went quiet still
arrive), when the bucket's logging configuration changes or is removed (the batch goes
where it was meant to), and when the bucket is deleted. As S3's, delivery is best
effort: a proxy that stops loses the records of its last unwritten batch, and each
proxy writes its own log objects (their names carry a unique part, so they never
collide).

Log object names are S3's: `<prefix>YYYY-MM-DD-hh-mm-ss-<unique>` (SimplePrefix), or
`<prefix><owner>/<region>/<bucket>/YYYY/MM/DD/YYYY-MM-DD-hh-mm-ss-<unique>`
(PartitionedPrefix: the date of the batch's first event, or of its delivery).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from objectstore.s3compat.logging_config import LoggingConfig

log = logging.getLogger(__name__)

ROLL_SECONDS = 5.0
IDLE_SECONDS = 60.0
MAX_BATCH_LINES = 100_000       # a batch that grows past this is written at once
Write = Callable[[LoggingConfig, str, bytes], Awaitable[None]]
# whether a source bucket (name, owner) may still log to the config's target
Allowed = Callable[[LoggingConfig, str, str], Awaitable[bool]]


async def always(config: LoggingConfig, bucket: str, owner: str) -> bool:
    return True


@dataclass
class Batch:
    config: LoggingConfig
    owner: str                  # the source bucket owner's canonical id
    bucket: str
    started: float
    lines: list[tuple[str, str, str]] = field(default_factory=list)   # bucket, owner, line


def batch_key(config: LoggingConfig, bucket: str) -> tuple[str, ...]:
    """Which batch a source bucket's records join."""
    where = (config.target_account, config.target_bucket, config.prefix)
    return (*where, bucket) if config.partitioned else where


def object_name(batch: Batch, region: str, delivered: float) -> str:
    stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(delivered))
    unique = secrets.token_hex(8).upper()
    config = batch.config
    if not config.partitioned:
        return f"{config.prefix}{stamp}-{unique}"
    dated = batch.started if config.date_source == "EventTime" else delivered
    day = time.strftime("%Y/%m/%d", time.gmtime(dated))
    return (f"{config.prefix}{batch.owner}/{region}/{batch.bucket}/{day}/"
            f"{stamp}-{unique}")


class LogDelivery:
    def __init__(self, write: Write, region: str, roll_seconds: float = ROLL_SECONDS,
                 clock: Callable[[], float] = time.time,
                 idle_seconds: float = IDLE_SECONDS, allowed: Allowed = always) -> None:
        """`write(config, name, body)` stores one log object in the config's target. A
        batch `roll_seconds` old is written when the next record for it comes (which
        starts the next one, as RGW rolls); one that waited `idle_seconds` (at least
        `roll_seconds`) is written by the background pass, so the records of a bucket
        that went quiet still arrive. `allowed` is asked again for each source bucket
        when its records are written: one the target no longer lets in loses them."""
        self.write = write
        self.allowed = allowed
        self.region = region
        self.roll_seconds = roll_seconds
        self.idle_seconds = max(idle_seconds, roll_seconds)
        self.clock = clock
        self._batches: dict[tuple[str, ...], Batch] = {}
        self._task: asyncio.Task[None] | None = None
        self._writing: set[asyncio.Task[None]] = set()

    async def add(self, bucket: str, owner: str, config: LoggingConfig, lines: list[str]
                  ) -> None:
        """Records of one request to `bucket` (its owner's canonical id `owner`). A
        batch they close is written before this returns, so the request that rolled
        it is answered once its log object is there (as RGW commits it)."""
        key = batch_key(config, bucket)
        now = self.clock()
        batch = self._batches.get(key)
        closed = None
        if batch is not None and (now - batch.started >= self.roll_seconds
                                  or not batch.config.same_as(config)):
            closed = self._batches.pop(key)
            batch = None
        if batch is None:
            batch = self._batches[key] = Batch(config, owner, bucket, now)
        batch.lines.extend((bucket, owner, line) for line in lines)
        if len(batch.lines) >= MAX_BATCH_LINES:
            self._write_soon(self._batches.pop(key))
        self._keep_rolling()
        if closed is not None:
            await self._deliver(closed)

    def flush(self, config: LoggingConfig, bucket: str) -> Awaitable[None]:
        """Write now the batch `bucket`'s records go to (its configuration changes or
        goes, or the bucket does)."""
        batch = self._batches.pop(batch_key(config, bucket), None)
        return self._deliver(batch) if batch is not None else asyncio.sleep(0)

    def _keep_rolling(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._roll())

    async def _roll(self) -> None:
        """Write batches as they come of age; stop when there are none."""
        while self._batches:
            await asyncio.sleep(min(1.0, self.idle_seconds))
            now = self.clock()
            for key, batch in list(self._batches.items()):
                if now - batch.started >= self.idle_seconds:
                    self._write_soon(self._batches.pop(key))

    def _write_soon(self, batch: Batch) -> None:
        task = asyncio.get_running_loop().create_task(self._deliver(batch))
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def _deliver(self, batch: Batch) -> None:
        sources = {(bucket, owner) for bucket, owner, _ in batch.lines}
        refused = set()
        for bucket, owner in sources:
            if not await self.allowed(batch.config, bucket, owner):
                log.warning("access log records of bucket %s dropped: %s no longer lets "
                            "the logging service in", bucket, batch.config.target_bucket)
                refused.add((bucket, owner))
        lines = [line for bucket, owner, line in batch.lines if (bucket, owner) not in refused]
        if not lines:
            return
        body = ("\n".join(lines) + "\n").encode()
        name = object_name(batch, self.region, self.clock())
        try:
            await self.write(batch.config, name, body)
        except Exception as exc:   # best effort: the next batch is tried all the same
            log.warning("access log for bucket %s not delivered to %s: %s", batch.bucket,
                        batch.config.target_bucket, exc)

    async def close(self) -> None:
        """Write what is gathered (a clean stop loses nothing)."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        batches, self._batches = list(self._batches.values()), {}
        await asyncio.gather(*(self._deliver(b) for b in batches), *self._writing)
