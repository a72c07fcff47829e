"""Rebalance: move as few partition replicas as possible to meet the plan.

Three passes over the assignment table (one row of device ids per replica):

1. Gather. Replicas on devices that left the plan (removed, or weight 0) become holes,
   whatever `min_part_hours` says. A partition whose replicas break the dispersion
   bounds gives up one replica, if it may move (not moved within `min_part_hours`).
2. Place. Each hole goes down the failure-domain tree, at each level into the child
   that the partition may still use and that is furthest below its quota (a domain the
   partition must use comes first).
3. Shed. Devices above quota give replicas, one per partition, to the neediest device
   the partition may use; a move that would not reach a device below quota is skipped.
   Where no such direct move is left, a chain of moves through devices at quota.

A partition loses at most one replica per rebalance to voluntary moves (2. and 3.), so
every partition keeps R-1 readable replicas in place while data moves; only replicas on
removed or zero-weight devices may add to that.
"""

from __future__ import annotations

import random
from array import array
from collections import Counter
from collections.abc import MutableSequence
from dataclasses import dataclass

from objectstore.ring.dispersion import NO_DEVICE, DispersionCheck
from objectstore.ring.plan import ROOT, Plan

_NOTHING: frozenset[int] = frozenset()
_MUST_USE = float(1 << 40)     # added to the key of a domain the partition must still use
_NOISE = 4.0                   # how far below the neediest a domain may be and still win
_NOISE_UNIT = _NOISE / 65536
_TIE_UNIT = 0.5 / 65536        # noise that only breaks ties between equal needs
_SCAN_LIMIT = 4                # a big build samples domains with more children than this
_CHOICES = 3                   # ... and takes the neediest of this many random ones
_RELAY_LIMIT = 256             # chains of moves per rebalance, when direct moves fail
_RELAY_CHECKS = 500_000        # placement checks all chain searches of a rebalance may spend


@dataclass(frozen=True)
class RebalanceResult:
    forced: int          # replicas that had to leave a removed or zero-weight device
    deferred: int        # partitions left at risk because they moved within min_part_hours


class Rebalancer:
    """One rebalance of `rows` (lists of device ids, NO_DEVICE for a hole) to `plan`."""

    def __init__(self, plan: Plan, rows: list[list[int]], last_moved: MutableSequence[int],
                 now: int, min_part_seconds: int, seed: int) -> None:
        self.plan = plan
        self.rows = rows
        self.last_moved = last_moved
        self.moved_before = array("I", last_moved)
        self.now = now
        self.cutoff = now - min_part_seconds
        self.seed = seed
        self.random = random.Random(seed).random
        self.check = DispersionCheck(plan)
        tiers = plan.tiers
        self.children = [t.children for t in tiers]
        self.lo = [t.lo for t in tiers]
        self.hi = [t.hi for t in tiers]
        self.quota = [t.quota for t in tiers]
        self.count = [0] * len(tiers)
        # Domains with a child every partition must use are always scanned in full.
        self.must_use = [any(tiers[c].lo for c in t.children) for t in tiers]
        # Domains with siblings that every partition must use (levels with fewer
        # domains than replicas; few): a walk heads first for one its partition lacks.
        self.lo_tiers = [t.index for t in tiers
                         if t.lo > 0 and t.level > 0 and len(tiers[t.parent].children) > 1]
        self.up = {t: self.check.ancestors(t) for t in self.lo_tiers}
        self.dev_of_leaf = {leaf: d for d, leaf in plan.leaf_of.items()}
        # Per partition: did it lose a replica this round, and which replicas were
        # (re)placed this round -- those may be placed again without a second move.
        self.moved_now = bytearray(plan.parts)
        self.fresh = [0] * plan.parts
        self.forced = 0
        self.deferred = 0
        self.relay_budget = _RELAY_CHECKS
        # Partition -> a starved domain its dispersion hole must be placed in.
        self.targets: dict[int, int] = {}

    def run(self) -> RebalanceResult:
        self._count()
        holes = self._gather()
        self._place(holes)
        self._shed()
        return RebalanceResult(self.forced, self.deferred)

    def _frozen(self, p: int) -> bool:
        return self.moved_before[p] > self.cutoff

    # -- 1. gather -------------------------------------------------------------------
    def _gather(self) -> list[tuple[int, int]]:
        """Holes as (partition, replica)."""
        leaf_of = self.plan.leaf_of
        rows = self.rows
        ok = self.check.ok
        holes: list[tuple[int, int]] = []
        for p, ids in enumerate(zip(*rows)):
            if all(d in leaf_of for d in ids) and ok(ids):
                continue
            assigned = []
            for r, d in enumerate(ids):
                if d in leaf_of:
                    assigned.append(r)
                    continue
                if d != NO_DEVICE:
                    rows[r][p] = NO_DEVICE
                    self.forced += 1
                    self.moved_now[p] = 1
                holes.append((p, r))
            kept = [ids[r] for r in assigned]
            if not kept or ok(kept):
                continue
            if self.moved_now[p] or self._frozen(p):
                self.deferred += 1
                continue
            index, starved = self.check.replica_to_drop(kept, self.quota, self.count)
            r = assigned[index]
            holes.append((p, r))
            if starved >= 0:
                self.targets[p] = starved
            self._add(leaf_of[rows[r][p]], -1)
            rows[r][p] = NO_DEVICE
            self.moved_now[p] = 1
        return holes

    def _count(self) -> None:
        held: Counter[int] = Counter()
        for row in self.rows:
            held.update(row)
        for d, n in held.items():
            leaf = self.plan.leaf_of.get(d)
            if leaf is not None:
                self._add(leaf, n)

    # -- 2. place --------------------------------------------------------------------
    def _place(self, holes: list[tuple[int, int]]) -> None:
        rows, fresh = self.rows, self.fresh
        # A big build samples a few domains per level instead of scanning all of them;
        # the shed pass then evens out what sampling left uneven.
        sample = len(holes) * 2 > self.plan.parts * self.plan.replicas
        for p, r in holes:
            ids = [row[p] for row in rows]
            target = self.targets.pop(p, -1)
            prefer = self.check.ancestors(target) if target >= 0 else _NOTHING
            leaf = self._best_leaf(p, self._partition_counts(ids, r), sample, prefer)
            rows[r][p] = self.dev_of_leaf[leaf]
            self._add(leaf, 1)
            self.last_moved[p] = self.now
            fresh[p] |= 1 << r

    def _partition_counts(self, ids: list[int], skip: int) -> dict[int, int]:
        """Replicas of one partition per tier, leaving out replica `skip` and holes."""
        pc: dict[int, int] = {}
        leaf_of = self.plan.leaf_of
        paths = self.plan.paths
        for r, d in enumerate(ids):
            if r == skip or d == NO_DEVICE:
                continue
            for idx in paths[leaf_of[d]]:
                pc[idx] = pc.get(idx, 0) + 1
        return pc

    def _best_leaf(self, p: int, pc: dict[int, int], sample: bool = False,
                   prefer: frozenset[int] = frozenset()) -> int:
        """Walk down from the root into the neediest child the partition may still use
        (one it must use, or one on the way to `prefer`, first)."""
        children, lo, hi, quota, count = self.children, self.lo, self.hi, self.quota, self.count
        must_use, rand = self.must_use, self.random
        for s in self.lo_tiers:
            if pc.get(s, 0) < lo[s]:
                prefer = prefer | self.up[s]
        noise = _NOISE_UNIT if sample else _TIE_UNIT
        mix = ((p + self.seed * 0x632BE5AB) * 0x9E3779B1) & 0xFFFFFFFF
        t = ROOT
        while kids := children[t]:
            n = len(kids)
            if n == 1:              # the bounds always leave room in an only child
                t = kids[0]
                continue
            best, best_key = -1, -float("inf")
            if sample and n > _SCAN_LIMIT and not must_use[t]:
                for _ in range(_CHOICES):
                    c = kids[int(rand() * n)]
                    if pc.get(c, 0) < hi[c] and quota[c] - count[c] > best_key:
                        best, best_key = c, quota[c] - count[c]
                if best >= 0:
                    t = best
                    continue
            for c in kids:
                k = pc.get(c, 0)
                if k >= hi[c]:
                    continue
                # Per-partition noise on the need: without it domains fill in lockstep,
                # and a device's partitions end up always sharing the same few partner
                # domains (bad for recovery and for rebalancing). Below 1 it only
                # breaks ties; a big build uses more, and its shed pass evens out.
                x = ((mix ^ (c * 0x85EBCA77)) * 0xC2B2AE3D) & 0xFFFFFFFF
                key = quota[c] - count[c] + (x >> 16) * noise
                if c in prefer:
                    key += _MUST_USE
                if key > best_key:
                    best, best_key = c, key
            if best < 0:
                raise AssertionError("dispersion bounds leave no room for a replica")
            t = best
        return t

    def _add(self, leaf: int, n: int) -> None:
        count = self.count
        count[ROOT] += n
        for idx in self.plan.paths[leaf]:
            count[idx] += n

    # -- 3. shed ---------------------------------------------------------------------
    def _shed(self) -> None:
        """Move replicas off devices above quota; where no direct move is left, chains
        of moves (see _relay)."""
        # Replicas placed this round first: re-placing them costs no extra move.
        for fresh_only in (True, False):
            left = self._shed_pass(fresh_only)
            if not left:
                return
            movable = self._movable_by_device(fresh_only)
            attempts = 0
            while left and attempts < _RELAY_LIMIT and self._relay(movable):
                attempts += 1
                left -= 1
            if not left:
                return

    def _movable_by_device(self, fresh_only: bool) -> dict[int, list[tuple[int, int]]]:
        """Device -> the (partition, replica) pairs on it that may move."""
        held: dict[int, list[tuple[int, int]]] = {}
        for r, row in enumerate(self.rows):
            for p, d in enumerate(row):
                if self._may_move(p, r, fresh_only):
                    held.setdefault(d, []).append((p, r))
        return held

    def _may_move(self, p: int, r: int, fresh_only: bool = False) -> bool:
        """One replica per partition per rebalance, and none within min_part_hours --
        except replicas placed this round, which may be placed again."""
        if self.fresh[p] >> r & 1:
            return True
        return not (fresh_only or self.moved_now[p] or self._frozen(p))

    def _over(self) -> dict[int, int]:
        leaf_of, quota, count = self.plan.leaf_of, self.quota, self.count
        return {d: count[leaf] - quota[leaf] for d, leaf in leaf_of.items()
                if count[leaf] > quota[leaf]}

    def _shed_pass(self, fresh_only: bool) -> int:
        """One scan over the partitions moving replicas off devices above quota to the
        neediest device each partition may use; returns the excess left."""
        excess = self._over()
        left = sum(excess.values())
        if not left:
            return 0
        rows, parts = self.rows, self.plan.parts
        start = random.Random(self.seed).randrange(parts)
        for i in range(parts):
            p = (start + i) % parts
            for r, row in enumerate(rows):
                d = row[p]
                if (excess.get(d, 0) > 0 and self._may_move(p, r, fresh_only)
                        and self._try_move(p, r, d)):
                    excess[d] -= 1
                    left -= 1
                    break
            if not left:
                break
        return left

    def _relay(self, movable: dict[int, list[tuple[int, int]]]) -> bool:
        """Even out one replica along a chain of moves, for when no partition on an
        over-quota device can go straight to an under-quota one: a breadth-first search
        from the over-quota devices, where device a leads to device b if some partition
        on a may move its replica to b, until it reaches a device below quota; then each
        link of the chain moves one replica (of distinct partitions). All searches of
        a rebalance together stop after _RELAY_CHECKS placement checks, so a huge ring
        never stalls here."""
        excess = self._over()
        if not excess:
            return False
        leaf_of, quota, count = self.plan.leaf_of, self.quota, self.count
        devices = sorted(leaf_of)
        link: dict[int, tuple[int, int, int]] = {}      # device -> (from device, p, r)
        frontier = sorted(excess)
        seen = set(frontier)
        while frontier and self.relay_budget > 0:
            nxt = []
            for a in frontier:
                for p, r in movable.get(a, ()):
                    for b in devices:
                        if b in seen:
                            continue
                        self.relay_budget -= 1
                        if not self._can_host(p, r, b):
                            continue
                        link[b] = (a, p, r)
                        seen.add(b)
                        if quota[leaf_of[b]] > count[leaf_of[b]]:
                            return self._follow(link, b, movable)
                        nxt.append(b)
                    if self.relay_budget <= 0:
                        return False
            frontier = nxt
        return False

    def _follow(self, link: dict[int, tuple[int, int, int]], end: int,
                movable: dict[int, list[tuple[int, int]]]) -> bool:
        """Make the moves of the chain that ends at device `end`, if its links are
        distinct partitions (each was checked alone); keeps `movable` up to date."""
        chain = []
        dev = end
        while dev in link:
            src, p, r = link[dev]
            chain.append((p, r, src, dev))
            dev = src
        if len({p for p, _, _, _ in chain}) != len(chain):
            return False
        for p, r, src, dst in chain:
            self._move(p, r, src, dst)
            movable[src].remove((p, r))
            movable.setdefault(dst, []).append((p, r))
            for other, row in enumerate(self.rows):     # the partition has moved now
                if other != r and (p, other) in movable.get(row[p], ()) \
                        and not self._may_move(p, other):
                    movable[row[p]].remove((p, other))
        return True

    def _can_host(self, p: int, r: int, dev: int) -> bool:
        """Could replica r of partition p move to `dev` within the dispersion bounds?"""
        ids = [row[p] for row in self.rows]
        if dev in ids:
            return False
        pc = self._partition_counts(ids, r)
        hi, lo = self.hi, self.lo
        dst_path = self.plan.paths[self.plan.leaf_of[dev]]
        if any(pc.get(t, 0) >= hi[t] for t in dst_path):
            return False
        src_path = self.plan.paths[self.plan.leaf_of[ids[r]]]
        return all(pc.get(t, 0) >= lo[t] for t in src_path if t not in dst_path)

    def _move(self, p: int, r: int, src_dev: int, dst_dev: int) -> None:
        leaf_of = self.plan.leaf_of
        self._add(leaf_of[src_dev], -1)
        self._add(leaf_of[dst_dev], 1)
        self.rows[r][p] = dst_dev
        self.moved_now[p] = 1
        self.fresh[p] |= 1 << r
        self.last_moved[p] = self.now

    def _try_move(self, p: int, r: int, dev: int) -> bool:
        """Move replica r of p off `dev` to the neediest device it may use, if that
        device is below quota."""
        src = self.plan.leaf_of[dev]
        self._add(src, -1)
        ids = [row[p] for row in self.rows]
        dst = self._best_leaf(p, self._partition_counts(ids, r))
        self._add(src, 1)
        if dst == src or self.quota[dst] - self.count[dst] < 1:
            return False
        if self.lo_tiers and not self._can_host(p, r, self.dev_of_leaf[dst]):
            return False
        self._move(p, r, dev, self.dev_of_leaf[dst])
        return True
