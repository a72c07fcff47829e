"""The transfers one proxy counts: per (account, bucket, class), per hour, the requests
and the bytes in and out, in memory until written into the cluster.

An hour's counts are totals since this process began counting that hour: each flush
writes all of them again over this proxy's object of that hour (series.py), so a flush
that fails loses nothing (the next one writes the same totals, grown) and one that
succeeds while requests go on is not mistaken for complete (an hour is clean only when
nothing was counted since its counts were taken). An hour that is over and written
is forgotten.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from objectstore.serving.request_layer import Finished
from objectstore.usage.classes import operation_class
from objectstore.usage.periods import hour_of

METERED_APIS = frozenset({"s3", "swift"})
# (account as the API noted it, without AUTH_; bucket or ""; class)
Key = tuple[str, str, str]


@dataclass
class Counts:
    requests: int = 0
    bytes_in: int = 0
    bytes_out: int = 0

    def add(self, other: Counts) -> None:
        self.requests += other.requests
        self.bytes_in += other.bytes_in
        self.bytes_out += other.bytes_out


@dataclass(frozen=True)
class Taken:
    """An hour's counts as a flush takes them, and how many changes they include."""

    hour: int
    changes: int
    rows: dict[Key, Counts]


class Meter:
    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self._hours: dict[int, dict[Key, Counts]] = {}
        self._changes: dict[int, int] = {}
        self._dirty: set[int] = set()

    def observe(self, done: Finished) -> None:
        """A request observer (ClientRequests): count it. Only the S3 and Swift APIs'
        requests that name an account or a bucket are metered."""
        if done.api not in METERED_APIS:
            return
        account = done.account.removeprefix("AUTH_")
        if not account and not done.bucket:
            return
        hour = hour_of(self.clock())
        rows = self._hours.get(hour)
        if rows is None:
            rows = self._hours[hour] = {}
        key = (account, done.bucket, operation_class(done.api, done.operation))
        counts = rows.get(key)
        if counts is None:
            counts = rows[key] = Counts()
        counts.requests += 1
        counts.bytes_in += done.bytes_in
        counts.bytes_out += done.bytes_out
        self._changes[hour] = self._changes.get(hour, 0) + 1
        self._dirty.add(hour)

    def take(self) -> list[Taken]:
        """The hours counted since their last flush (copies: counting goes on)."""
        return [Taken(hour, self._changes[hour],
                      {k: Counts(c.requests, c.bytes_in, c.bytes_out)
                       for k, c in self._hours[hour].items()})
                for hour in sorted(self._dirty)]

    def written(self, taken: Taken) -> None:
        """`taken` is in the cluster: clean unless counted since; forgotten when over."""
        if self._changes.get(taken.hour) != taken.changes:
            return
        self._dirty.discard(taken.hour)
        if taken.hour < hour_of(self.clock()):
            self._hours.pop(taken.hour, None)
            self._changes.pop(taken.hour, None)

    def accounts(self) -> set[str]:
        """The accounts counted in the hours still held."""
        return {account for rows in self._hours.values() for account, _, _ in rows
                if account}
