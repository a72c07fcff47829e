"""Builder operations, errors, min_part_hours and drains on fixed small rings."""

from __future__ import annotations

import pytest

from objectstore.ring import RingBuilder, RingError

HOUR = 3600


def three_zones(part_power: int = 8, min_part_hours: float = 0.0,
                per_zone: int = 2) -> RingBuilder:
    b = RingBuilder(part_power, 3, min_part_hours)
    for z in range(1, 4):
        for i in range(per_zone):
            b.add_device(1, z, f"10.0.{z}.{i}", 6200, "sdb", 100)
    return b


def test_add_returns_increasing_ids_and_rejects_duplicates() -> None:
    b = RingBuilder(4, 3)
    assert b.add_device(1, 1, "h1", 6200, "sdb", 100) == 0
    assert b.add_device(1, 1, "h1", 6200, "sdc", 100) == 1
    with pytest.raises(RingError, match="already in the ring"):
        b.add_device(1, 2, "h1", 6200, "sdb", 50)
    b.remove_device(1)
    assert b.add_device(1, 1, "h1", 6200, "sdd", 100) == 2, "ids are not reused"


@pytest.mark.parametrize("kwargs, message", [
    ({"region": -1}, "region"), ({"zone": "1"}, "zone"), ({"host": ""}, "host"),
    ({"host": "a b"}, "host"), ({"port": 0}, "port"), ({"port": 70000}, "port"),
    ({"device": "../x"}, "device name"), ({"device": ".."}, "device name"),
    ({"weight": -1.0}, "weight"), ({"weight": float("nan")}, "weight"),
])
def test_bad_device_fields(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"region": 1, "zone": 1, "host": "h", "port": 6200,
                                 "device": "sdb", "weight": 1.0}
    fields.update(kwargs)
    with pytest.raises(RingError, match=message):
        RingBuilder(4, 3).add_device(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize("part_power, replicas", [(-1, 3), (25, 3), (8, 0), (8, 17)])
def test_bad_ring_parameters(part_power: int, replicas: int) -> None:
    with pytest.raises(RingError):
        RingBuilder(part_power, replicas)


def test_unknown_ids_and_too_few_devices() -> None:
    b = RingBuilder(4, 3)
    with pytest.raises(RingError, match="no device with id 5"):
        b.remove_device(5)
    with pytest.raises(RingError, match="no device with id 5"):
        b.set_weight(5, 1)
    b.add_device(1, 1, "h1", 6200, "sdb", 100)
    b.add_device(1, 2, "h2", 6200, "sdb", 100)
    with pytest.raises(RingError, match="too few devices"):
        b.rebalance()
    with pytest.raises(RingError, match="never been rebalanced"):
        b.ring_data()


def test_balanced_and_dispersed() -> None:
    b = three_zones()
    report = b.rebalance(seed=3)
    assert report.moved == 3 * 256
    assert report.balance == 0.0 and report.dispersion == 0.0
    b.check()
    assert set(b.replicas_held().values()) == {128}


def test_min_part_hours_hold_back_voluntary_moves() -> None:
    b = three_zones(min_part_hours=1)
    b.rebalance(now=10 * HOUR)
    new = b.add_device(1, 1, "10.0.1.9", 6200, "sdb", 100)
    assert b.rebalance(now=10 * HOUR + 60).moved == 0, "everything moved a minute ago"
    assert b.replicas_held().get(new, 0) == 0
    report = b.rebalance(now=11 * HOUR + 60)
    assert report.moved == b.replicas_held()[new] > 0
    # Those partitions moved just now; the rest may still move, so nothing is left
    # to do that min_part_hours would block.
    b.check()


def test_pretend_min_part_hours_passed() -> None:
    b = three_zones(min_part_hours=24)
    b.rebalance(now=100 * HOUR)
    new = b.add_device(1, 2, "10.0.2.9", 6200, "sdb", 100)
    assert b.rebalance(now=100 * HOUR + 1).moved == 0
    b.pretend_min_part_hours_passed()
    assert b.rebalance(now=100 * HOUR + 2).moved == b.replicas_held()[new] > 0


def test_removed_device_moves_even_within_min_part_hours() -> None:
    b = three_zones(min_part_hours=24)
    b.rebalance(now=100 * HOUR)
    held = b.replicas_held()[0]
    b.remove_device(0)
    report = b.rebalance(now=100 * HOUR + 1)
    assert report.moved == report.forced == held
    assert 0 not in b.replicas_held()
    b.check()
    assert all(d.id != 0 for d in b.ring_data().devices)


def test_ring_data_refuses_a_stale_table() -> None:
    b = three_zones()
    b.rebalance()
    b.remove_device(0)
    with pytest.raises(RingError, match="removed since the last rebalance"):
        b.ring_data()


def test_one_replica_per_partition_moves_when_a_zone_arrives() -> None:
    """Going from 2 to 3 zones needs some partitions to move two replicas; each
    rebalance moves at most one of them, so every partition stays readable."""
    b = RingBuilder(6, 3, 0)
    for z in (1, 2):
        for i in range(3):
            b.add_device(1, z, f"10.0.{z}.{i}", 6200, "sdb", 100)
    b.rebalance()
    for i in range(6):
        b.add_device(1, 3, f"10.0.3.{i}", 6200, "sdb", 100)
    rounds = 0
    while True:
        before = [list(r) for r in b.rows or []]
        if b.rebalance().moved == 0:
            break
        rounds += 1
        after = b.rows or []
        for old, new in zip(zip(*before), zip(*after)):
            assert sum(x != y for x, y in zip(old, new)) <= 1
    assert rounds >= 1
    b.check()
    for ids in zip(*(b.rows or [])):
        assert sorted(b.devices[d].zone for d in ids) == [1, 2, 3]
