"""The placement plan: dispersion bounds and quotas for hand-checked topologies."""

from __future__ import annotations

import pytest

from objectstore.ring import Device, RingError
from objectstore.ring.plan import make_plan


def devs(*layout: tuple[int, int, str, float]) -> list[Device]:
    return [Device(i, r, z, h, 6200, f"d{i}", w) for i, (r, z, h, w) in enumerate(layout)]


def tier(plan, key):  # type: ignore[no-untyped-def]
    return next(t for t in plan.tiers if t.key == key)


def test_three_equal_zones_hold_one_replica_each() -> None:
    plan = make_plan(devs(*[(1, z, f"h{z}{i}", 100.0) for z in range(3) for i in range(4)]),
                     3, 1024)
    assert plan.star_level == 2
    for z in range(3):
        t = tier(plan, (1, z))
        assert (t.lo, t.hi, t.quota) == (1, 1, 1024)
    assert all(plan.device_quota(d) == 256 for d in range(12))


def test_dispersion_beats_weight() -> None:
    """A tiny zone still holds one replica of every partition when there are R zones."""
    plan = make_plan(devs((1, 1, "a", 100.0), (1, 2, "b", 100.0), (1, 3, "c", 1.0)), 3, 64)
    assert [plan.device_quota(d) for d in range(3)] == [64, 64, 64]


def test_fewer_zones_than_replicas_uses_every_zone_then_hosts() -> None:
    # region 1 has one zone, region 2 five: with 6 zones >= 3 replicas, every zone holds
    # at most one replica, so region 1 may hold at most 1 although regions split 2/1.
    layout = [(1, 1, "h1", 100.0), (1, 1, "h2", 100.0)]
    layout += [(2, z, f"z{z}", 100.0) for z in range(5)]
    plan = make_plan(devs(*layout), 3, 64)
    assert plan.star_level == 2
    assert (tier(plan, (1,)).lo, tier(plan, (1,)).hi) == (1, 1)
    assert (tier(plan, (2,)).lo, tier(plan, (2,)).hi) == (2, 2)


def test_five_replicas_two_regions_split_three_two() -> None:
    layout = [(r, z, f"h{r}{z}", 100.0) for r in (1, 2) for z in range(4)]
    plan = make_plan(devs(*layout), 5, 64)
    for r in (1, 2):
        assert (tier(plan, (r,)).lo, tier(plan, (r,)).hi) == (2, 3)
    assert sum(tier(plan, (r,)).quota for r in (1, 2)) == 5 * 64


def test_quotas_follow_weight_and_add_up() -> None:
    plan = make_plan(devs((1, 1, "a", 100.0), (1, 2, "b", 200.0), (1, 3, "c", 300.0),
                          (1, 4, "d", 400.0)), 2, 1000)
    quotas = [plan.device_quota(d) for d in range(4)]
    assert sum(quotas) == 2000
    assert quotas == [200, 400, 600, 800]


def test_rounding_prefers_what_devices_hold() -> None:
    layout = devs(*[(1, z, f"h{z}", 100.0) for z in range(3)])
    a = make_plan(layout, 1, 100, held={0: 34, 1: 33, 2: 33})
    b = make_plan(layout, 1, 100, held={0: 33, 1: 33, 2: 34})
    assert [a.device_quota(d) for d in range(3)] == [34, 33, 33]
    assert [b.device_quota(d) for d in range(3)] == [33, 33, 34]


def test_zero_weight_devices_get_nothing() -> None:
    plan = make_plan(devs((1, 1, "a", 100.0), (1, 2, "b", 0.0), (1, 3, "c", 100.0)), 2, 64)
    assert plan.device_quota(1) == 0
    assert plan.device_quota(0) == plan.device_quota(2) == 64


def test_too_few_devices() -> None:
    with pytest.raises(RingError, match="too few devices"):
        make_plan(devs((1, 1, "a", 100.0), (1, 2, "b", 0.0), (1, 3, "c", 100.0)), 3, 64)
