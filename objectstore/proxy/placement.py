"""Where a name lives: the ring's answer for one account, container or object, as one
value instead of a tuple whose order every caller must remember."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from objectstore.ring.devices import Device
from objectstore.ring.ringdata import RingData


@dataclass(slots=True)     # not frozen: a frozen dataclass costs ~1 us more to build,
class Placement:           # and two or three are built for every request
    """A name's partition, its primary devices (replica i on primaries[i]), the handoffs
    to try when a primary fails (an iterator, pulled lazily and once), and the ring's
    replica count (which quorums are computed from). Treat it as read-only."""

    partition: int
    primaries: list[Device]
    handoffs: Iterator[Device]
    replicas: int

    @classmethod
    def of(cls, ring: RingData, account: str, container: str | None = None,
           obj: str | None = None) -> Placement:
        part, primaries = ring.get_nodes(account, container, obj)
        return cls(part, primaries, ring.handoffs(part), ring.replicas)
