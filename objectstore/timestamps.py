"""Totally ordered timestamps: what decides which replica of a thing is newest.

A timestamp is a count of 10-microsecond ticks since the epoch, written as
`1732562345.12345` (16 characters, so names of files sort like the timestamps). An
offset orders several events stamped in the same tick (e.g. a POST right after a PUT):
`1732562345.12345_000000000000000a`.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

TICKS_PER_SECOND = 100_000
_FORMAT = re.compile(r"^(\d{10})\.(\d{5})(?:_([0-9a-f]{16}))?$")


@dataclass(frozen=True, order=True)
class Timestamp:
    ticks: int
    offset: int = 0

    @classmethod
    def now(cls) -> Timestamp:
        return cls(time.time_ns() // (1_000_000_000 // TICKS_PER_SECOND))

    @classmethod
    def from_seconds(cls, seconds: float) -> Timestamp:
        return cls(round(seconds * TICKS_PER_SECOND))

    @classmethod
    def parse(cls, text: str) -> Timestamp:
        """Parse `internal` form; also accepts plain seconds like `1732562345.1`."""
        m = _FORMAT.match(text)
        if m:
            return cls(int(m.group(1)) * TICKS_PER_SECOND + int(m.group(2)),
                       int(m.group(3), 16) if m.group(3) else 0)
        try:
            seconds = float(text)
        except ValueError:
            raise ValueError(f"not a timestamp: {text!r}") from None
        if not 0 <= seconds < 10_000_000_000:
            raise ValueError(f"timestamp out of range: {text!r}")
        return cls.from_seconds(seconds)

    @property
    def seconds(self) -> float:
        return self.ticks / TICKS_PER_SECOND

    @property
    def normal(self) -> str:
        return f"{self.ticks // TICKS_PER_SECOND:010d}.{self.ticks % TICKS_PER_SECOND:05d}"

    @property
    def internal(self) -> str:
        return self.normal if not self.offset else f"{self.normal}_{self.offset:016x}"

    def with_offset(self, offset: int) -> Timestamp:
        return Timestamp(self.ticks, offset)

    def __str__(self) -> str:
        return self.internal
