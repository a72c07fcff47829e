"""A fake clock for code that takes a `clock` (and a `sleep`): tests advance time
instead of waiting for it to pass."""

from __future__ import annotations


class FakeClock:
    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        """What asyncio.sleep would have done, at once: time passes, nothing waits."""
        self.slept.append(seconds)
        self.now += seconds
