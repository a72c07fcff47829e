"""What every background daemon shares: a pass over a list of jobs (`run_once`), passes
repeated every `interval` seconds (`run_forever`), a failsafe around each job (one bad
file, partition or database is logged and counted, and the pass goes on), stats with
the pass's start and end, and a progress callback for the command line's bar.

Time comes from an injected `clock` (epoch seconds) and waits go through an injected
`sleep`, so tests drive throttles, intervals and reclaim ages with a fake clock
instead of sleeping.
"""

from __future__ import annotations

import asyncio
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from objectstore.node import last_pass

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
Progress = Callable[[int, int], None]

MIN_PAUSE = 1.0         # between passes, however long the last one took


@dataclass
class PassStats:
    """Counters of one pass; each daemon adds its own."""

    failures: int = 0           # jobs that raised, plus the daemon's own failure counts
    started: float = 0.0
    finished: float = 0.0

    @property
    def seconds(self) -> float:
        return max(self.finished - self.started, 0.0)

    def summary(self) -> str:
        return f"{self.failures} failures, {self.seconds:.1f} s"

    def pass_items(self) -> int:
        """What the pass went through, in the daemon's own unit (node/last_pass)."""
        return 0

    def pass_bytes(self) -> int:
        """What it read or moved (0 if the daemon does not count bytes)."""
        return 0


Job = TypeVar("Job")
Stats = TypeVar("Stats", bound=PassStats)


class Daemon(ABC, Generic[Job, Stats]):
    """Subclasses say what a pass's jobs are and how one is done; the base runs them."""

    name = "daemon"
    interval = 30.0
    # where each pass is recorded (node/last_pass): the node's devices directory,
    # set by whoever runs the daemon for a node; None records nothing
    pass_dir: Path | None = None

    def __init__(self, clock: Clock = time.time, sleep: Sleep = asyncio.sleep) -> None:
        self.clock = clock
        self.sleep = sleep
        self.log = logging.getLogger(f"objectstore.daemons.{self.name}")

    @abstractmethod
    def new_stats(self) -> Stats: ...

    @abstractmethod
    async def list_jobs(self) -> list[Job]:
        """The work of one pass, listed at its start."""

    @abstractmethod
    async def process(self, job: Job, stats: Stats) -> None:
        """Do one job; whatever it raises is logged and counted, never the pass's end."""

    async def finish(self, stats: Stats) -> None:
        """After the last job (and `stats.finished` set): more work or a status file."""

    def describe(self, job: Job) -> str:
        return str(job)

    async def run_once(self, progress: Progress | None = None) -> Stats:
        stats = self.new_stats()
        stats.started = self.clock()
        jobs = await self.list_jobs()
        for i, job in enumerate(jobs):
            try:
                await self.process(job, stats)
            except Exception:       # one bad item never stops a pass (cancellation does)
                self.log.exception("%s: %s failed", self.name, self.describe(job))
                stats.failures += 1
            if progress is not None:
                progress(i + 1, len(jobs))
        stats.finished = self.clock()
        await self.finish(stats)
        if self.pass_dir is not None:
            await asyncio.to_thread(last_pass.record, self.pass_dir, self.name, stats)
        return stats

    async def run_forever(self, interval: float | None = None) -> None:
        """A pass every `interval` seconds (from start to start), at least MIN_PAUSE
        apart; a pass that fails as a whole (its listing, say) is logged, and the next
        one comes as usual."""
        every = self.interval if interval is None else interval
        while True:
            began = self.clock()
            try:
                stats = await self.run_once()
                self.log.info("%s: %s", self.name, stats.summary())
            except Exception:
                self.log.exception("%s: pass failed", self.name)
            await self.sleep(max(MIN_PAUSE, every - (self.clock() - began)))

