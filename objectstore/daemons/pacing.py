"""A bound on how fast a daemon works: at most `per_second` steps a second, on average
since it began, so background work never crowds out client requests (the expirer's
deletions and the lifecycle worker's share it). 0 means unbounded."""

from __future__ import annotations

from objectstore.daemons.base import Clock, Sleep


class Pace:
    def __init__(self, per_second: float, clock: Clock, sleep: Sleep) -> None:
        self.per_second = per_second
        self.clock = clock
        self.sleep = sleep
        self.began = 0.0
        self.steps = 0

    def restart(self) -> None:
        """A new pass: the average starts again (time between passes is no credit)."""
        self.began = self.clock()
        self.steps = 0

    async def step(self) -> None:
        """Wait, if need be, until one more step keeps within the bound."""
        if self.per_second <= 0:
            return
        if not self.steps:
            self.began = self.clock()
        self.steps += 1
        wait = self.began + self.steps / self.per_second - self.clock()
        if wait > 0:
            await self.sleep(wait)
