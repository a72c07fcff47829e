"""Usage as one proxy runs it: the meter (a request observer of its port), a flush of
the counts every `flush_seconds`, a sample at the start of every slot of
`sample_seconds`, and what is older than `keep_days` deleted; the report reader of
the admin API. Every proxy of a cluster runs one; `close()` flushes at shutdown.

A transfer is counted to the account that owns its bucket (the global name registry
says which: the same for both APIs, and for a request of another account or an
anonymous one), and to the account the request named when it names no bucket (or one
nobody holds).
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
import time
from collections.abc import Callable, Iterable
from typing import Any

from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.serving.request_layer import Finished
from objectstore.usage.meter import Counts, Key, Meter
from objectstore.usage.periods import hour_of, iso, slot_of
from objectstore.usage.reading import Reader
from objectstore.usage.sampler import Sampler, bare
from objectstore.usage.series import STORED, TRANSFER, Series
from objectstore.usage.settings import UsageSettings

OWNER_SECONDS = 300.0       # how long a bucket's owner is trusted
CLOSE_SECONDS = 5.0         # the longest a stop waits for the last flush
log = logging.getLogger(__name__)


def new_proxy_id() -> str:
    """This process's name in transfer objects: unique, so that no two proxies (nor a
    proxy and its restarted self) write over each other's counts."""
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


class Usage:
    def __init__(self, proxy: Proxy, settings: UsageSettings | None = None,
                 proxy_id: str | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings or UsageSettings()
        self.proxy_id = proxy_id or new_proxy_id()
        self.clock = clock
        self.containers = Containers(proxy)
        self.series = Series(proxy, self.containers)
        self.meter = Meter(clock)
        self.reader = Reader(self.series)
        # the users' accounts, given by the assembler (who knows the users)
        self.known_accounts: Callable[[], Iterable[str]] = lambda: ()
        self.sampler = Sampler(self.containers,
                               lambda: [*self.known_accounts(), *self.meter.accounts()])
        self._owners: dict[str, tuple[float, str]] = {}

    def observe(self, done: Finished) -> None:
        self.meter.observe(done)

    async def _owner(self, bucket: str) -> str:
        known = self._owners.get(bucket)
        now = time.monotonic()
        if known is not None and known[0] > now:
            return known[1]
        owner = bare(await self.sampler.names.owner(bucket) or "")
        if len(self._owners) > 10_000:
            self._owners.clear()
        self._owners[bucket] = (now + OWNER_SECONDS, owner)
        return owner

    async def _owned(self, rows: dict[Key, Counts]) -> dict[Key, Counts]:
        """Rows moved to their bucket's owner; those nobody is charged for dropped."""
        out: dict[Key, Counts] = {}
        for (account, bucket, kind), counts in rows.items():
            owner = (await self._owner(bucket) if bucket else "") or account
            if owner:
                out.setdefault((owner, bucket, kind), Counts()).add(counts)
        return out

    async def flush(self) -> bool:
        """Write every hour counted since its last flush; False if one failed (its
        counts stay, for the next flush)."""
        ok = True
        for taken in self.meter.take():
            try:
                rows = await self._owned(taken.rows)
                doc = {"hour": iso(taken.hour), "proxy": self.proxy_id, "rows": [
                    {"account": a, "bucket": b, "class": k, "requests": c.requests,
                     "bytes_in": c.bytes_in, "bytes_out": c.bytes_out}
                    for (a, b, k), c in sorted(rows.items())]}
                await self.series.put(TRANSFER, f"{iso(taken.hour)}/{self.proxy_id}", doc)
            except Exception as exc:      # kept for the next flush, whatever failed
                log.warning("usage: could not write the transfers of %s: %s",
                            iso(taken.hour), exc)
                ok = False
                continue
            self.meter.written(taken)
        return ok

    async def sample(self, when: float | None = None) -> dict[str, Any] | None:
        """Sample the slot `when` (now) falls in, unless a proxy did already."""
        slot = slot_of(self.clock() if when is None else when,
                       self.settings.sample_seconds)
        if await self.series.exists(STORED, iso(slot)):
            return None
        doc = await self.sampler.take(slot)
        await self.series.put(STORED, iso(slot), doc)
        return doc

    async def expire(self) -> int:
        """Delete the samples and transfer hours older than keep_days."""
        before = self.clock() - self.settings.keep_seconds
        # (an hour goes once all of it is older: the one `before` falls in stays)
        return (await self.series.delete_before(STORED, before)
                + await self.series.delete_before(TRANSFER, hour_of(before)))

    async def run_forever(self) -> None:
        """Flush and sample on schedule until cancelled (a failing step is logged and
        tried again at its next time)."""
        s = self.settings
        next_flush = self.clock() + s.flush_seconds
        next_sample = slot_of(self.clock(), s.sample_seconds) + s.sample_seconds
        while True:
            await asyncio.sleep(max(0.0, min(next_flush, next_sample) - self.clock()))
            now = self.clock()
            if now >= next_flush:
                next_flush = now + s.flush_seconds
                await self.flush()
            if now >= next_sample:
                next_sample = slot_of(now, s.sample_seconds) + s.sample_seconds
                try:
                    await self.sample(now)
                    await self.expire()
                except Exception:
                    log.exception("usage: sampling failed")

    async def close(self, timeout: float = CLOSE_SECONDS) -> None:
        """At shutdown: write what was counted (within `timeout`: a stop must not wait
        long on nodes that do not answer)."""
        try:
            written = await asyncio.wait_for(self.flush(), timeout)
        except TimeoutError:
            written = False
        if not written:
            log.warning("usage: transfers counted since the last flush are lost")
