"""The placement plan: failure-domain tree, dispersion bounds and per-tier quotas.

Before any partition moves, a rebalance decides how many partition replicas every tier
(region, zone, host, device) should hold. The plan is pure arithmetic over the devices:

* Dispersion bounds. Let `star` be the coarsest level with at least R domains. Every
  partition puts at most one replica in any domain of that level (so with >= R zones,
  losing a zone never loses two replicas), and uses every domain of the levels above it
  (they have fewer than R domains). Within those limits replicas are split as evenly as
  possible down the tree. The result is, for every tier, `lo..hi`: the fewest and most
  replicas of any one partition it may hold.
* Shares. A tier's share of its parent's replicas follows its weight, clamped to its
  bounds; when a bound bites, dispersion wins and the siblings absorb the difference.
* Quotas. Shares times the partition count, rounded to integers that add up exactly at
  every level (largest remainder; ties go to tiers that already hold more, so less moves).

A placement that gives every device its quota and every partition counts within the
bounds is as balanced as the weights allow without giving up dispersion.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from objectstore.ring.devices import Device
from objectstore.ring.errors import RingError

ROOT = 0


@dataclass
class Tier:
    """A node of the failure-domain tree. Level 0 is the root, 4 a device."""

    index: int
    key: tuple[object, ...]
    level: int
    parent: int
    children: list[int] = field(default_factory=list)
    weight: float = 0.0
    dev_id: int = -1
    lo: int = 0
    hi: int = 0
    share: float = 0.0
    quota: int = 0


@dataclass
class Plan:
    """Bounds and quotas for one rebalance over the devices that hold data (weight > 0)."""

    replicas: int
    parts: int
    star_level: int
    tiers: list[Tier]
    leaf_of: dict[int, int]                 # device id -> its leaf tier index
    paths: dict[int, tuple[int, ...]]       # leaf tier index -> tier indices, levels 1..4

    def by_level(self, level: int) -> list[Tier]:
        return [t for t in self.tiers if t.level == level]

    def device_quota(self, dev_id: int) -> int:
        leaf = self.leaf_of.get(dev_id)
        return 0 if leaf is None else self.tiers[leaf].quota

    def device_share(self, dev_id: int) -> float:
        """Planned partition replicas (fractional) for a device."""
        leaf = self.leaf_of.get(dev_id)
        return 0.0 if leaf is None else self.tiers[leaf].share * self.parts


def make_plan(devices: Iterable[Device], replicas: int, parts: int,
              held: Mapping[int, int] | None = None) -> Plan:
    """Plan placement for the weighted devices; `held` (device id -> replicas now) makes
    rounding prefer tiers that already hold data."""
    active = sorted((d for d in devices if d.weight > 0), key=_sort_key)
    if len(active) < replicas:
        raise RingError(
            f"too few devices: {replicas} replicas need at least {replicas} devices "
            f"with weight > 0, there are {len(active)}")
    tiers, leaf_of, paths = _build_tree(active)
    counts = [sum(1 for t in tiers if t.level == lv) for lv in range(5)]
    star = next(lv for lv in range(1, 5) if counts[lv] >= replicas)
    _set_bounds(tiers, replicas, star)
    _set_shares(tiers, replicas)
    _set_quotas(tiers, replicas * parts, parts, _tier_holdings(tiers, paths, leaf_of, held))
    return Plan(replicas, parts, star, tiers, leaf_of, paths)


def _sort_key(d: Device) -> tuple[int, int, str, int]:
    return (d.region, d.zone, d.host, d.id)


def _build_tree(active: Sequence[Device]) -> tuple[
        list[Tier], dict[int, int], dict[int, tuple[int, ...]]]:
    tiers = [Tier(index=ROOT, key=(), level=0, parent=-1)]
    index: dict[tuple[object, ...], int] = {(): ROOT}
    leaf_of: dict[int, int] = {}
    paths: dict[int, tuple[int, ...]] = {}
    for dev in active:
        parent = ROOT
        path = []
        for level, key in enumerate(dev.tiers, start=1):
            idx = index.get(key)
            if idx is None:
                idx = len(tiers)
                index[key] = idx
                tiers.append(Tier(index=idx, key=key, level=level, parent=parent))
                tiers[parent].children.append(idx)
            tiers[idx].weight += dev.weight
            path.append(idx)
            parent = idx
        tiers[ROOT].weight += dev.weight
        tiers[parent].dev_id = dev.id
        leaf_of[dev.id] = parent
        paths[parent] = tuple(path)
    return tiers, leaf_of, paths


def _descendants_at(tiers: list[Tier], level: int) -> list[int]:
    """For each tier, how many tiers of `level` lie under it (1 for itself at that level)."""
    n = [0] * len(tiers)
    for t in reversed(tiers):            # children always come after their parent
        if t.level == level:
            n[t.index] = 1
        elif t.level < level:
            n[t.index] = sum(n[c] for c in t.children)
    return n


def _set_bounds(tiers: list[Tier], replicas: int, star: int) -> None:
    cap = _descendants_at(tiers, star)                  # one replica per star-level domain
    must = _descendants_at(tiers, star - 1) if star > 1 else [0] * len(tiers)
    for t in tiers:
        if t.level >= star:
            cap[t.index] = 1
        if t.level >= star or t.level == 0:
            must[t.index] = 0
    root = tiers[ROOT]
    root.lo = root.hi = replicas
    for t in tiers:                                     # parents before children
        kids = [tiers[c] for c in t.children]
        if not kids:
            continue
        level = _even_level(t.hi, [must[k.index] for k in kids], [cap[k.index] for k in kids])
        for k in kids:
            k.hi = min(max(level, must[k.index]), cap[k.index])
        total_hi = sum(k.hi for k in kids)
        for k in kids:
            k.lo = max(must[k.index], t.lo - (total_hi - k.hi))


def _even_level(total: int, lows: list[int], highs: list[int]) -> int:
    """Smallest f with sum(clamp(f, low, high)) >= total: the most even split's ceiling."""
    f = 0
    while sum(min(max(f, lo), hi) for lo, hi in zip(lows, highs)) < total:
        f += 1
        if f > total:
            raise RingError("internal error: dispersion bounds cannot hold the replicas")
    return f


def _set_shares(tiers: list[Tier], replicas: int) -> None:
    tiers[ROOT].share = float(replicas)
    for t in tiers:
        kids = [tiers[c] for c in t.children]
        if kids:
            shares = _weighted_fill(t.share, [k.weight for k in kids],
                                    [k.lo for k in kids], [k.hi for k in kids])
            for k, s in zip(kids, shares):
                k.share = s


def _weighted_fill(total: float, weights: list[float], lows: list[int],
                   highs: list[int]) -> list[float]:
    """Split `total` in proportion to weight, each part clamped to [low, high]."""
    wsum = sum(weights)
    scale = total / wsum
    plain = [scale * w for w in weights]
    if all(lo <= x <= hi for x, lo, hi in zip(plain, lows, highs)):
        return plain

    def filled(s: float) -> float:
        return sum(min(max(s * w, lo), hi) for w, lo, hi in zip(weights, lows, highs))

    lo_s, hi_s = 0.0, scale
    while filled(hi_s) < total:
        hi_s *= 2
    for _ in range(200):
        mid = (lo_s + hi_s) / 2
        if filled(mid) < total:
            lo_s = mid
        else:
            hi_s = mid
    return [min(max(hi_s * w, lo), hi) for w, lo, hi in zip(weights, lows, highs)]


def _tier_holdings(tiers: list[Tier], paths: Mapping[int, tuple[int, ...]],
                   leaf_of: Mapping[int, int], held: Mapping[int, int] | None) -> list[int]:
    holdings = [0] * len(tiers)
    for dev_id, n in (held or {}).items():
        leaf = leaf_of.get(dev_id)
        if leaf is not None:
            for idx in paths[leaf]:
                holdings[idx] += n
    return holdings


def _set_quotas(tiers: list[Tier], total: int, parts: int, holdings: list[int]) -> None:
    tiers[ROOT].quota = total
    for t in tiers:
        kids = [tiers[c] for c in t.children]
        if not kids:
            continue
        share_sum = sum(k.share for k in kids)
        ideal = [t.quota * k.share / share_sum for k in kids]
        quotas = _round_to_total(t.quota, ideal, [k.lo * parts for k in kids],
                                 [k.hi * parts for k in kids],
                                 [holdings[k.index] for k in kids])
        for k, q in zip(kids, quotas):
            k.quota = q


def _round_to_total(total: int, ideal: list[float], lows: list[int], highs: list[int],
                    held: list[int]) -> list[int]:
    """Integers within [low, high] adding up to `total`, each the floor or ceiling of its
    ideal where the bounds allow; ties in the remainder go to who holds more already."""
    out = [min(max(math.floor(x + 1e-9), lo), hi) for x, lo, hi in zip(ideal, lows, highs)]
    left = total - sum(out)
    # Remainders are rounded so float noise cannot beat the holdings tie-break.
    order = sorted(range(len(ideal)),
                   key=lambda i: (-round(ideal[i] - out[i], 9), -held[i], i))
    step = 1 if left > 0 else -1
    while left:
        progressed = False
        for i in (order if step > 0 else reversed(order)):
            if left and lows[i] <= out[i] + step <= highs[i]:
                out[i] += step
                left -= step
                progressed = True
        if not progressed:
            raise RingError("internal error: quotas cannot add up within the bounds")
    return out
