"""Where a name lives: the ring's answer for one account, container or object, as one
value instead of a tuple whose order every caller must remember."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from objectstore.node.paths import OBJECTS, objects_kind
from objectstore.ring.devices import Device
from objectstore.ring.policies import Policy
from objectstore.ring.ringdata import RingData


@dataclass(slots=True)     # not frozen: a frozen dataclass costs ~1 us more to build,
class Placement:           # and two or three are built for every request
    """A name's partition, its primary devices (replica i on primaries[i]), the handoffs
    to try when a primary fails (an iterator, pulled lazily and once), the replica count
    (which quorums are computed from), and for an object the node path kind of its
    storage policy. Treat it as read-only."""

    partition: int
    primaries: list[Device]
    handoffs: Iterator[Device]
    replicas: int
    kind: str = OBJECTS

    @classmethod
    def of(cls, ring: RingData, account: str, container: str | None = None,
           obj: str | None = None) -> Placement:
        part, primaries = ring.get_nodes(account, container, obj)
        return cls(part, primaries, ring.handoffs(part), ring.replicas)

    @classmethod
    def of_policy(cls, ring: RingData, policy: Policy, account: str, container: str,
                  obj: str) -> Placement:
        """An object of a policy with k replicas: the first k primaries, and the ring's
        other primaries as its first handoffs."""
        part, primaries = ring.get_nodes(account, container, obj)
        keeps = policy.replicas
        return cls(part, primaries[:keeps],
                   itertools.chain(primaries[keeps:], ring.handoffs(part)), keeps,
                   objects_kind(policy.index))
