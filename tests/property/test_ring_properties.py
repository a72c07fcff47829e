"""Ring invariants over random device sets (issue: the ring)."""

from __future__ import annotations

import itertools
import os

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from objectstore.ring import RingBuilder
from objectstore.ring.devices import LEVELS
from objectstore.ring.files import (
    builder_from_json,
    builder_to_json,
    ring_from_bytes,
    ring_to_bytes,
)
from objectstore.ring.plan import make_plan
from tests.ringcases import DevSpec, add, build, device_sets, settle, weighted

# HYPOTHESIS_EXAMPLES=1000 for a longer hunt than CI's.
SETTINGS = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
                    deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                          HealthCheck.filter_too_much])
replica_counts = st.integers(1, 5)


def changed_per_partition(before: list[list[int]], after: RingBuilder) -> list[int]:
    assert after.rows is not None
    return [sum(a != b for a, b in zip(old, new))
            for old, new in zip(zip(*before), zip(*after.rows))]


def snapshot(builder: RingBuilder) -> list[list[int]]:
    assert builder.rows is not None
    return [list(row) for row in builder.rows]


def weights_clamped(builder: RingBuilder, margin: float = 0.1) -> bool:
    """True where dispersion bounds bite: some domain's share is not its weight's, or
    sits on or near a bound (it must hold a replica of nearly every partition, or of
    nearly none), so which partition may move where is tightly constrained."""
    plan = builder.plan()
    total = plan.tiers[0].weight
    return any(abs(t.share - builder.replicas * t.weight / total) > 1e-9
               or (t.lo < t.hi and (t.share > t.hi - margin or t.share < t.lo + margin))
               for t in plan.tiers[1:])


def move_bound(builder: RingBuilder, minimum: int, clamped_before: bool) -> float:
    """1.05 x the least possible, give or take one partition (R replicas). Where
    dispersion overrides weights, which replicas may go where is constrained, and
    evening out can take chains of two moves."""
    if clamped_before or weights_clamped(builder):
        return 2 * minimum + builder.replicas
    return 1.05 * minimum + builder.replicas


@SETTINGS
@given(device_sets(), replica_counts, st.integers(0, 3))
def test_fresh_rebalance_meets_every_invariant(specs: list[DevSpec], replicas: int,
                                               seed: int) -> None:
    assume(weighted(specs) >= replicas)
    builder = build(specs, replicas)
    builder.rebalance(seed=seed)
    builder.check()          # distinct weighted devices, dispersion bounds, quotas
    assert builder.rows is not None
    for ids in zip(*builder.rows):
        assert len(set(ids)) == replicas
        assert all(builder.devices[d].weight > 0 for d in ids)


@SETTINGS
@given(device_sets(), replica_counts, st.integers(0, 3))
def test_same_seed_same_ring(specs: list[DevSpec], replicas: int, seed: int) -> None:
    assume(weighted(specs) >= replicas)
    a, b = build(specs, replicas), build(specs, replicas)
    a.rebalance(seed=seed, now=1_000_000)
    b.rebalance(seed=seed, now=1_000_000)
    assert a.rows == b.rows


@SETTINGS
@given(device_sets(), replica_counts)
def test_at_least_r_zones_means_one_replica_per_zone(specs: list[DevSpec],
                                                     replicas: int) -> None:
    zones = {(s.region, s.zone) for s in specs if s.weight > 0}
    assume(len(zones) >= replicas)
    builder = build(specs, replicas)
    builder.rebalance()
    assert builder.rows is not None
    for ids in zip(*builder.rows):
        in_zones = [builder.devices[d].tiers[1] for d in ids]
        assert len(set(in_zones)) == replicas, "losing one zone would lose two replicas"


@SETTINGS
@given(device_sets(), replica_counts)
def test_dispersion_reaches_as_many_domains_as_exist(specs: list[DevSpec],
                                                     replicas: int) -> None:
    """Per level, every partition spans min(R, number of domains) distinct domains."""
    assume(weighted(specs) >= replicas)
    builder = build(specs, replicas)
    builder.rebalance()
    assert builder.rows is not None
    live = [d for d in builder.devices.values() if d.weight > 0]
    for level in range(len(LEVELS)):
        domains = len({d.tiers[level] for d in live})
        for ids in zip(*builder.rows):
            spanned = {builder.devices[d].tiers[level] for d in ids}
            assert len(spanned) == min(replicas, domains), (LEVELS[level], ids)


@SETTINGS
@given(device_sets(), replica_counts)
def test_quotas_follow_weights_where_dispersion_allows(specs: list[DevSpec],
                                                       replicas: int) -> None:
    assume(weighted(specs) >= replicas)
    builder = build(specs, replicas)
    plan = make_plan(builder.devices.values(), replicas, builder.parts)
    total_weight = sum(d.weight for d in builder.devices.values())
    unbounded = all(t.lo <= replicas * t.weight / total_weight <= t.hi
                    for t in plan.tiers if t.level > 0)
    builder.rebalance()
    held = builder.replicas_held()
    for dev in builder.devices.values():
        if dev.weight == 0:
            assert held.get(dev.id, 0) == 0
        elif unbounded:
            fair = replicas * builder.parts * dev.weight / total_weight
            assert abs(held.get(dev.id, 0) - fair) <= len(LEVELS) + 1, (dev, fair)


@SETTINGS
@given(device_sets(max_devices=20), replica_counts, st.sampled_from(WEIGHT_CHOICES := (
    1.0, 100.0, 300.0)), st.data())
def test_adding_a_device_moves_only_its_fair_share(specs: list[DevSpec], replicas: int,
                                                   weight: float, data: st.DataObject) -> None:
    assume(weighted(specs) >= replicas)
    builder = build(specs, replicas)
    settle(builder)
    clamped = weights_clamped(builder)
    before = snapshot(builder)
    where = data.draw(st.sampled_from(specs))
    spec = DevSpec(where.region, data.draw(st.sampled_from([where.zone, 9])),
                   data.draw(st.sampled_from([where.host, 9])), weight)
    held = builder.replicas_held()
    new_id = add(builder, spec, "new")
    plan = builder.plan()
    report = builder.rebalance()
    assert max(changed_per_partition(before, builder)) <= 1
    # The least any rebalance can move: what the new device's fair share needs, plus
    # any old device whose share grew with it (a zone the new device made heavier).
    minimum = sum(max(0, plan.device_quota(d) - held.get(d, 0)) for d in builder.devices)
    assert minimum >= plan.device_quota(new_id)
    total = report.moved + settle(builder)
    assert total <= move_bound(builder, minimum, clamped), (total, minimum)
    builder.check()


@SETTINGS
@given(device_sets(), replica_counts, st.data())
def test_removing_a_device_moves_only_what_it_held(specs: list[DevSpec], replicas: int,
                                                   data: st.DataObject) -> None:
    assume(weighted(specs) > replicas)
    builder = build(specs, replicas)
    settle(builder)
    clamped = weights_clamped(builder)
    victim = data.draw(st.sampled_from(sorted(builder.devices)))
    held = builder.replicas_held()
    builder.remove_device(victim)
    assume(sum(1 for d in builder.devices.values() if d.weight > 0) >= replicas)
    # The least any rebalance can move: the victim's replicas, or more where its loss
    # shifts the shares of whole domains (then others must give up replicas too).
    plan = builder.plan()
    minimum = sum(max(0, plan.device_quota(d) - held.get(d, 0)) for d in builder.devices)
    assert minimum >= held.get(victim, 0)
    total = settle(builder)
    assert total <= move_bound(builder, minimum, clamped), (total, minimum)
    builder.check()


@SETTINGS
@given(device_sets(), replica_counts, st.data())
def test_weight_changes_move_one_replica_per_partition(specs: list[DevSpec], replicas: int,
                                                       data: st.DataObject) -> None:
    assume(weighted(specs) >= replicas)
    builder = build(specs, replicas)
    settle(builder)
    dev_id = data.draw(st.sampled_from(sorted(builder.devices)))
    new_weight = data.draw(st.sampled_from([1.0, 50.0, 200.0, 800.0]))
    builder.set_weight(dev_id, new_weight)
    before = snapshot(builder)
    builder.rebalance()
    assert max(changed_per_partition(before, builder)) <= 1
    settle(builder)
    builder.check()


@SETTINGS
@given(device_sets(), replica_counts, st.data())
def test_zeroed_device_is_drained_in_one_rebalance(specs: list[DevSpec], replicas: int,
                                                   data: st.DataObject) -> None:
    assume(weighted(specs) > replicas)
    builder = build(specs, replicas, min_part_hours=24)
    builder.rebalance(now=1_000_000)
    dev_id = data.draw(st.sampled_from(sorted(builder.devices)))
    builder.set_weight(dev_id, 0.0)
    assume(sum(1 for d in builder.devices.values() if d.weight > 0) >= replicas)
    builder.rebalance(now=1_000_060)     # min_part_hours do not hold back a drain
    assert builder.replicas_held().get(dev_id, 0) == 0


@SETTINGS
@given(device_sets(), replica_counts, st.data())
def test_files_round_trip_exactly(specs: list[DevSpec], replicas: int,
                                  data: st.DataObject) -> None:
    assume(weighted(specs) >= replicas)
    builder = build(specs, replicas, min_part_hours=data.draw(st.sampled_from([0, 1, 2.5])))
    builder.rebalance(seed=data.draw(st.integers(0, 5)), now=1_700_000_000)
    again = builder_from_json(builder_to_json(builder))
    assert again.devices == builder.devices
    assert again.rows == builder.rows
    assert again.last_moved == builder.last_moved
    assert (again.part_power, again.replicas, again.min_part_hours, again.version,
            again.next_id) == (builder.part_power, builder.replicas, builder.min_part_hours,
                               builder.version, builder.next_id)
    ring = builder.ring_data()
    loaded = ring_from_bytes(ring_to_bytes(ring))
    assert loaded.devices == ring.devices
    assert [list(r) for r in loaded.rows] == [list(r) for r in ring.rows]
    assert (loaded.version, loaded.part_power, loaded.replicas) == (
        ring.version, ring.part_power, ring.replicas)
    assert loaded.checksum == ring_from_bytes(ring_to_bytes(ring)).checksum


@SETTINGS
@given(device_sets(), replica_counts, st.integers(0, 63))
def test_handoffs_cover_every_other_device_new_domains_first(
        specs: list[DevSpec], replicas: int, part: int) -> None:
    assume(weighted(specs) >= replicas)
    builder = build(specs, replicas)
    builder.rebalance()
    ring = builder.ring_data()
    primaries = ring.primaries(part)
    handoffs = list(ring.handoffs(part))
    ids = [d.id for d in handoffs]
    assert len(ids) == len(set(ids)), "a handoff repeats"
    assert set(ids) == {d.id for d in ring.devices} - {d.id for d in primaries}
    assert ids == [d.id for d in ring.handoffs(part)], "handoffs are not deterministic"
    # The first handoff is in the coarsest failure domain the primaries leave unused.
    live = [d for d in ring.devices if d.weight > 0]
    for level in range(len(LEVELS) - 1):
        used = {d.tiers[level] for d in primaries}
        if any(d.tiers[level] not in used for d in live):
            assert handoffs[0].tiers[level] not in used, LEVELS[level]
            break
    # Handoffs prefer fresh domains over reusing one: while an unused zone exists, no
    # handoff lands in a zone already used by a primary or an earlier handoff.
    seen_zones = {d.tiers[1] for d in primaries}
    live_zones = {d.tiers[1] for d in live}
    for dev in itertools.takewhile(lambda d: d.weight > 0, handoffs):
        if live_zones - seen_zones:
            assert dev.tiers[1] not in seen_zones
        seen_zones.add(dev.tiers[1])
