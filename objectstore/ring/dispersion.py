"""Per-partition dispersion checks against the plan's bounds.

A partition is at risk when some tier holds more of its replicas than the tier's `hi`
bound, or fewer than its `lo` bound (a failure domain that should hold a replica holds
none). The hot path (is this partition fine?) is one set per partition at the level
where every domain may hold at most one replica; only levels above it, which have fewer
domains than replicas, need counting.
"""

from __future__ import annotations

from collections.abc import Sequence

from objectstore.ring.plan import Plan

NO_DEVICE = -1


class DispersionCheck:
    """Answers, for the device ids of one partition, whether and how badly it is at risk."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        star = plan.star_level
        self.star_of = {d: plan.paths[leaf][star - 1] for d, leaf in plan.leaf_of.items()}
        # Levels above `star` that have a choice to make (more than one tier).
        self.counted_levels: list[tuple[dict[int, int], list[int]]] = []
        for level in range(1, star):
            tiers = plan.by_level(level)
            if len(tiers) > 1:
                tier_of = {d: plan.paths[leaf][level - 1] for d, leaf in plan.leaf_of.items()}
                self.counted_levels.append((tier_of, [t.index for t in tiers]))
        self.lo = [t.lo for t in plan.tiers]
        self.hi = [t.hi for t in plan.tiers]

    def ok(self, ids: Sequence[int]) -> bool:
        """True if the assigned devices (no holes) of a partition are within all bounds."""
        star_of = self.star_of
        if len({star_of[d] for d in ids}) != len(ids):
            return False
        full = len(ids) == self.plan.replicas
        for tier_of, level_tiers in self.counted_levels:
            counts: dict[int, int] = {}
            for d in ids:
                t = tier_of[d]
                counts[t] = counts.get(t, 0) + 1
            for t, n in counts.items():
                if n > self.hi[t]:
                    return False
            if full and any(counts.get(t, 0) < self.lo[t] for t in level_tiers):
                return False
        return True

    def at_risk(self, ids: Sequence[int]) -> int:
        """How many of the partition's replicas sit in the wrong place (worst level).

        Devices unknown to the plan (removed or weight 0) count as misplaced."""
        known = [d for d in ids if d in self.star_of]
        worst = len(ids) - len(known)
        if len(known) == self.plan.replicas and self.ok(known):
            return worst
        star = [self.star_of[d] for d in known]
        worst = max(worst, len(star) - len(set(star)))
        for tier_of, level_tiers in self.counted_levels:
            counts: dict[int, int] = {}
            for d in known:
                t = tier_of[d]
                counts[t] = counts.get(t, 0) + 1
            excess = sum(max(0, n - self.hi[t]) for t, n in counts.items())
            deficit = sum(max(0, self.lo[t] - counts.get(t, 0)) for t in level_tiers)
            worst = max(worst, excess, deficit)
        return worst

    def replica_to_drop(self, ids: Sequence[int], quota: Sequence[int],
                        count: Sequence[int]) -> tuple[int, int]:
        """Which replica to move to repair dispersion, and where it must go.

        Returns (index in `ids`, starved tier or -1). At the coarsest level that is
        wrong: if a domain is crowded, a replica from the most crowded one; if a domain
        is starved, any replica whose domains can spare it, to be re-placed into the
        starved domain. Among candidates, the device most over its quota goes first."""
        leaf_of, hi, lo = self.plan.leaf_of, self.hi, self.lo
        paths = self.plan.paths
        levels = [*self.counted_levels, (self.star_of, [])]
        for tier_of, level_tiers in levels:
            counts: dict[int, int] = {}
            for d in ids:
                counts[tier_of[d]] = counts.get(tier_of[d], 0) + 1
            crowded = {t for t, n in counts.items() if n > hi[t]}
            starved = next((t for t in level_tiers if counts.get(t, 0) < lo[t]), -1)
            if not crowded and starved < 0:
                continue
            if crowded:
                candidates = [i for i, d in enumerate(ids) if tier_of[d] in crowded]
            else:
                # Replicas their domains can spare (a domain the starved one lies in
                # gets the replica back); where such a domain is full, only from
                # inside it, else the starved domain could not take the replica.
                held = self._tier_counts(ids)
                above = self.ancestors(starved)
                full = [a for a in above if held.get(a, 0) >= hi[a]]
                candidates = [i for i, d in enumerate(ids)
                              if all(held[t] > lo[t] or t in above for t in paths[leaf_of[d]])
                              and all(a in paths[leaf_of[d]] for a in full)]
            if candidates:
                best = max(candidates, key=lambda i: (
                    counts[tier_of[ids[i]]] - hi[tier_of[ids[i]]],
                    _overload(count[leaf_of[ids[i]]], quota[leaf_of[ids[i]]]), -i))
                return best, (-1 if crowded else starved)
        return 0, -1

    def ancestors(self, tier: int) -> frozenset[int]:
        """The tier and the tiers above it, root excluded."""
        tiers, chain = self.plan.tiers, set()
        while tier > 0:
            chain.add(tier)
            tier = tiers[tier].parent
        return frozenset(chain)

    def _tier_counts(self, ids: Sequence[int]) -> dict[int, int]:
        held: dict[int, int] = {}
        for d in ids:
            for t in self.plan.paths[self.plan.leaf_of[d]]:
                held[t] = held.get(t, 0) + 1
        return held

def _overload(count: int, quota: int) -> float:
    """How far over quota a device is, relative to its quota (a small device that holds
    twice its share is more over than a big one that holds a few extra)."""
    return (count - quota) / max(quota, 1)
