"""The frozen ring: partition -> primary devices, plus handoffs. What servers load.

Lookups are a keyed hash, a shift and one array index per replica. A `RingData` never
changes after it is made; a process that wants a newer ring swaps the whole object
(see files.RingFile), so a lookup never sees half of one ring and half of another.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Callable, Iterator, Sequence

from objectstore.ring.devices import LEVELS, Device
from objectstore.ring.hashing import PathHasher, partition_of
from objectstore.ring.policies import Policy, default_only


class RingData:
    """Devices and the assignment table of one ring version."""

    def __init__(self, part_power: int, replicas: int, version: int,
                 devices: Sequence[Device], rows: Sequence[array[int]],
                 hasher: PathHasher | None = None, checksum: str = "",
                 policies: tuple[Policy, ...] | None = None) -> None:
        self.part_power = part_power
        self.replicas = replicas
        self.policies = policies or default_only(replicas)
        self._policy = {p.index: p for p in self.policies}
        self.version = version
        self.checksum = checksum
        self.hasher = hasher or PathHasher()
        self.rows = tuple(rows)
        self.devices = tuple(sorted(devices, key=lambda d: d.id))
        size = max((d.id for d in self.devices), default=-1) + 1
        by_id: list[Device | None] = [None] * size
        for d in self.devices:
            by_id[d.id] = d
        self._by_id = by_id
        self._shift = 32 - part_power
        # Handoff search: all devices, weighted ones first, and per level the number of
        # failure domains (so a pass that cannot find a new domain is skipped).
        self._handoff_pool = ([d for d in self.devices if d.weight > 0]
                              + [d for d in self.devices if d.weight <= 0])
        self._domains = [len({d.tiers[lv] for d in self._handoff_pool})
                         for lv in range(len(LEVELS) - 1)]

    @property
    def parts(self) -> int:
        return 1 << self.part_power

    def device(self, dev_id: int) -> Device:
        dev = self._by_id[dev_id] if 0 <= dev_id < len(self._by_id) else None
        if dev is None:
            raise KeyError(dev_id)
        return dev

    def policy(self, index: int) -> Policy:
        """KeyError for an index this ring does not have."""
        return self._policy[index]

    # -- lookups -----------------------------------------------------------------------
    def partition(self, account: str, container: str | None = None,
                  obj: str | None = None) -> int:
        return partition_of(self.hasher.digest(account, container, obj), self.part_power)

    def get_nodes(self, account: str, container: str | None = None,
                  obj: str | None = None) -> tuple[int, list[Device]]:
        """The partition of a path and its primary devices, in replica order."""
        part = int.from_bytes(self.hasher.digest(account, container, obj)[:4],
                              "big") >> self._shift
        by_id = self._by_id
        return part, [by_id[row[part]] for row in self.rows]  # type: ignore[misc]

    def primaries(self, part: int) -> list[Device]:
        if not 0 <= part < self.parts:
            raise IndexError(f"partition {part} out of range 0..{self.parts - 1}")
        return [self.device(row[part]) for row in self.rows]

    def handoffs(self, part: int) -> Iterator[Device]:
        """Every non-primary device once, in a fixed order for this partition: first one
        device in each region the primaries do not use, then each unused zone, then each
        unused host, then all the rest (zero-weight devices last)."""
        primaries = self.primaries(part)
        seen = {d.id for d in primaries}
        used = [{d.tiers[lv] for d in primaries} for lv in range(len(self._domains))]
        pool = self._handoff_pool
        order = _probe_order(part, len(pool))
        for level, domains in enumerate(self._domains):
            if len(used[level]) >= domains:
                continue
            for i in order():
                dev = pool[i]
                if dev.id in seen or dev.tiers[level] in used[level]:
                    continue
                seen.add(dev.id)
                for lv, tier_set in enumerate(used):
                    tier_set.add(dev.tiers[lv])
                yield dev
        for i in order():
            dev = pool[i]
            if dev.id not in seen:
                seen.add(dev.id)
                yield dev


def _probe_order(part: int, n: int) -> Callable[[], Iterator[int]]:
    """A per-partition permutation of range(n): start and stride come from the partition,
    so the handoffs of different partitions spread over different devices."""
    mix = (part * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF
    start = mix % n if n else 0
    step = (mix >> 20) % n if n > 1 else 1
    while math.gcd(step, n) != 1:
        step = (step + 1) % n or 1

    def order() -> Iterator[int]:
        i = start
        for _ in range(n):
            yield i
            i = (i + step) % n
    return order
