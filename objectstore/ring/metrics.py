"""How good a placement is: balance (weight share kept) and dispersion (domains kept).

Both are defined on a plain assignment table so that any builder's output, ours or
another's, is judged by the same yardstick.

* balance of a device: how far its partition replicas are from its weight's share, in
  percent (Swift's definition). A zero-weight device holding anything counts as 999.99.
* dispersion: the percentage of partition replicas placed where they break the
  dispersion bounds (see plan.py), counting each partition at its worst level.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from objectstore.ring.devices import Device
from objectstore.ring.dispersion import NO_DEVICE, DispersionCheck
from objectstore.ring.plan import make_plan

MAX_BALANCE = 999.99


def replicas_per_device(rows: Iterable[Iterable[int]]) -> Counter[int]:
    held: Counter[int] = Counter()
    for row in rows:
        held.update(row)
    held.pop(NO_DEVICE, None)
    return held


def wanted_by_weight(devices: Iterable[Device], replicas: int, parts: int) -> dict[int, float]:
    devs = list(devices)
    total = sum(d.weight for d in devs)
    if total <= 0:
        return {d.id: 0.0 for d in devs}
    return {d.id: replicas * parts * d.weight / total for d in devs}


def device_balance(wanted: float, held: int) -> float:
    """Percent over (+) or under (-) the weight share."""
    if wanted <= 0:
        return MAX_BALANCE if held else 0.0
    return min(MAX_BALANCE, 100.0 * held / wanted - 100.0)


def balance(devices: Iterable[Device], held: Mapping[int, int], replicas: int,
            parts: int) -> float:
    """The worst device's distance from its weight share, in percent."""
    wanted = wanted_by_weight(devices, replicas, parts)
    return max((abs(device_balance(w, held.get(d, 0))) for d, w in wanted.items()),
               default=0.0)


def dispersion(devices: Iterable[Device], rows: Sequence[Sequence[int]]) -> float:
    """Percent of partition replicas placed against the dispersion bounds."""
    replicas = len(rows)
    parts = len(rows[0]) if rows else 0
    if not parts:
        return 0.0
    check = DispersionCheck(make_plan(devices, replicas, parts))
    leaf_of = check.plan.leaf_of
    ok = check.ok
    at_risk = 0
    for ids in zip(*rows):
        if not (all(d in leaf_of for d in ids) and ok(ids)):
            at_risk += check.at_risk(ids)
    return 100.0 * at_risk / (parts * replicas)
