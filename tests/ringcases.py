"""Device sets for ring tests: hypothesis strategies and fixed topologies."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from objectstore.ring import RingBuilder

WEIGHTS = (0.0, 1.0, 50.0, 100.0, 100.0, 100.0, 150.0, 400.0)


@dataclass(frozen=True)
class DevSpec:
    region: int
    zone: int
    host: int
    weight: float


@st.composite
def device_sets(draw: st.DrawFn, max_devices: int = 24) -> list[DevSpec]:
    """Random regions/zones/hosts/devices with uneven weights, including zero."""
    regions = draw(st.integers(1, 3))
    specs: list[DevSpec] = []
    for region in range(regions):
        for zone in range(draw(st.integers(1, 4))):
            for host in range(draw(st.integers(1, 3))):
                for _ in range(draw(st.integers(1, 3))):
                    specs.append(DevSpec(region, zone, host, draw(st.sampled_from(WEIGHTS))))
    return specs[:max_devices]


def build(specs: list[DevSpec], replicas: int, part_power: int = 8,
          min_part_hours: float = 0.0) -> RingBuilder:
    builder = RingBuilder(part_power, replicas, min_part_hours)
    for i, s in enumerate(specs):
        add(builder, s, f"d{i}")
    return builder


def add(builder: RingBuilder, spec: DevSpec, name: str) -> int:
    return builder.add_device(spec.region, spec.zone, f"10.{spec.region}.{spec.zone}.{spec.host}",
                              6200, name, spec.weight)


def weighted(specs: list[DevSpec]) -> int:
    return sum(1 for s in specs if s.weight > 0)


def settle(builder: RingBuilder, seed: int = 0, rounds: int = 8) -> int:
    """Rebalance until nothing moves; returns all replicas moved on the way."""
    total = 0
    for _ in range(rounds):
        moved = builder.rebalance(seed=seed).moved
        total += moved
        if not moved:
            return total
    raise AssertionError(f"rebalance did not settle in {rounds} rounds")
