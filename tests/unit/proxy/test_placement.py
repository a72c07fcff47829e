"""A Placement is the ring's answer for one name, as named fields."""

from __future__ import annotations

import itertools

from objectstore.proxy.placement import Placement
from objectstore.ring import PathHasher, RingBuilder
from objectstore.ring.ringdata import RingData


def small_ring(devices: int, replicas: int = 3) -> RingData:
    b = RingBuilder(6, replicas, 0)
    for i in range(devices):
        b.add_device(1, i + 1, f"10.0.0.{i}", 6200, "sdb", 100)
    b.rebalance()
    data = b.ring_data()
    data.hasher = PathHasher("p", "s")
    return data


def test_placement_names_the_rings_answer() -> None:
    ring = small_ring(6)
    for name in (("AUTH_a",), ("AUTH_a", "c"), ("AUTH_a", "c", "o")):
        where = Placement.of(ring, *name)
        part, primaries = ring.get_nodes(*name)
        assert where.partition == part == ring.partition(*name)
        assert where.primaries == primaries
        assert where.replicas == 3
        assert list(where.handoffs) == list(ring.handoffs(part))


def test_handoffs_are_pulled_lazily_and_exclude_primaries() -> None:
    ring = small_ring(6)
    where = Placement.of(ring, "AUTH_a", "c", "o")
    first = list(itertools.islice(where.handoffs, 2))
    assert len(first) == 2
    assert not {d.id for d in first} & {d.id for d in where.primaries}
    rest = list(where.handoffs)         # the same iterator: continues after the two
    assert [d.id for d in first + rest] == [d.id for d in ring.handoffs(where.partition)]

