"""The ring builder: the offline, mutable side of the ring.

It owns the device list and the assignment table (replica -> partition -> device id),
changes devices, rebalances, and produces the frozen `RingData` that servers load.
It never touches files (see files.py) and never opens a socket.
"""

from __future__ import annotations

import operator
import time
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

from objectstore.ring.devices import Device
from objectstore.ring.dispersion import NO_DEVICE, DispersionCheck
from objectstore.ring.errors import RingError
from objectstore.ring.metrics import balance, dispersion, replicas_per_device
from objectstore.ring.placement import Rebalancer
from objectstore.ring.plan import Plan, make_plan
from objectstore.ring.policies import Policy, default_only
from objectstore.ring.ringdata import RingData

MAX_PART_POWER = 24
MAX_REPLICAS = 16


@dataclass(frozen=True)
class RebalanceReport:
    moved: int            # partition replicas that changed device
    forced: int           # of which left removed or zero-weight devices
    deferred: int         # partitions still at risk, waiting for min_part_hours
    balance: float        # percent, worst device against its weight share
    dispersion: float     # percent of partition replicas against the dispersion bounds
    version: int          # version of the ring this rebalance produced


class RingBuilder:
    """Devices plus an assignment table; every change takes effect at `rebalance()`."""

    def __init__(self, part_power: int, replicas: int, min_part_hours: float = 1.0) -> None:
        _check_int("part power", part_power, 0, MAX_PART_POWER)
        _check_int("replicas", replicas, 1, MAX_REPLICAS)
        if not isinstance(min_part_hours, (int, float)) or not 0 <= min_part_hours < 1e6:
            raise RingError(f"min_part_hours must be a number >= 0, got {min_part_hours!r}")
        self.part_power = part_power
        self.replicas = replicas
        self.min_part_hours = float(min_part_hours)
        self.devices: dict[int, Device] = {}
        self.policies: tuple[Policy, ...] = default_only(replicas)
        self.next_id = 0
        self.version = 0
        # rows[r][p] is the device id of replica r of partition p; None until built.
        self.rows: list[array[int]] | None = None
        # When each partition last moved (seconds since the epoch; 0 = never).
        self.last_moved = array("I", bytes(4 * self.parts))

    @property
    def parts(self) -> int:
        return 1 << self.part_power

    # -- devices -----------------------------------------------------------------------
    def add_device(self, region: int, zone: int, host: str, port: int, device: str,
                   weight: float, dev_id: int | None = None) -> int:
        """Add a device; returns its id. Ids are never reused while data may refer to them."""
        if dev_id is None:
            dev_id = self.next_id
        if dev_id in self.devices or (dev_id < self.next_id and self._in_table(dev_id)):
            raise RingError(f"device id {dev_id} is already in use")
        dev = Device(dev_id, region, zone, host, port, device, float(weight))
        for other in self.devices.values():
            if (other.host, other.port, other.device) == (host, port, device):
                raise RingError(f"device {host}:{port}/{device} is already in the ring "
                                f"(id {other.id})")
        self.devices[dev_id] = dev
        self.next_id = max(self.next_id, dev_id + 1)
        return dev_id

    def remove_device(self, dev_id: int) -> Device:
        """Remove a device; its partitions move at the next rebalance."""
        return self.devices.pop(self._known(dev_id))

    def set_weight(self, dev_id: int, weight: float) -> None:
        dev = self.devices[self._known(dev_id)]
        self.devices[dev_id] = Device(dev.id, dev.region, dev.zone, dev.host, dev.port,
                                      dev.device, float(weight))

    def _known(self, dev_id: int) -> int:
        if dev_id not in self.devices:
            raise RingError(f"no device with id {dev_id}")
        return dev_id

    def _in_table(self, dev_id: int) -> bool:
        return self.rows is not None and any(dev_id in row for row in self.rows)

    # -- rebalance ---------------------------------------------------------------------
    def rebalance(self, seed: int = 0, now: float | None = None) -> RebalanceReport:
        """Move partition replicas to meet the plan; see placement.py for the rules."""
        now_s = int(time.time() if now is None else now)
        rows = ([row.tolist() for row in self.rows] if self.rows is not None
                else [[NO_DEVICE] * self.parts for _ in range(self.replicas)])
        plan = make_plan(self.devices.values(), self.replicas, self.parts,
                         replicas_per_device(rows))
        before = [row.copy() for row in rows]
        result = Rebalancer(plan, rows, self.last_moved, now_s,
                            int(self.min_part_hours * 3600), seed).run()
        moved = sum(sum(map(operator.ne, old, new)) for old, new in zip(before, rows))
        self.rows = [array("i", row) for row in rows]
        self.version += 1
        return RebalanceReport(moved, result.forced, result.deferred,
                               self.balance(), self.dispersion(), self.version)

    def held_back(self, now: float | None = None) -> int:
        """Partitions that moved within the last min_part_hours, so that a rebalance now
        may not move them (every partition, right after the first rebalance)."""
        cutoff = int(time.time() if now is None else now) - int(self.min_part_hours * 3600)
        return sum(1 for moved in self.last_moved if moved > cutoff)

    def pretend_min_part_hours_passed(self) -> None:
        """Let every partition move again at the next rebalance."""
        self.last_moved = array("I", bytes(4 * self.parts))

    # -- measures ----------------------------------------------------------------------
    def replicas_held(self) -> dict[int, int]:
        return dict(replicas_per_device(self.rows or []))

    def balance(self) -> float:
        return balance(self.devices.values(), self.replicas_held(), self.replicas, self.parts)

    def dispersion(self) -> float:
        if self.rows is None:
            return 0.0
        return dispersion(self.devices.values(), self.rows)

    def plan(self) -> Plan:
        return make_plan(self.devices.values(), self.replicas, self.parts,
                         self.replicas_held())

    def check(self) -> None:
        """Raise RingError unless the table is complete, on distinct weighted devices,
        each device holds its planned quota (give or take one replica) and every
        partition is within the dispersion bounds."""
        if self.rows is None:
            raise RingError("the ring has never been rebalanced")
        plan = self.plan()
        check = DispersionCheck(plan)
        for p, ids in enumerate(zip(*self.rows)):
            if any(d not in plan.leaf_of for d in ids):
                raise RingError(f"partition {p} is on unknown or unweighted devices {ids}")
            if len(set(ids)) != len(ids):
                raise RingError(f"partition {p} has two replicas on one device: {ids}")
            if not check.ok(ids):
                raise RingError(f"partition {p} breaks dispersion: {ids}")
        held = self.replicas_held()
        for dev_id in plan.leaf_of:
            quota = plan.device_quota(dev_id)
            if abs(held.get(dev_id, 0) - quota) > 1:
                raise RingError(f"device {dev_id} holds {held.get(dev_id, 0)} partition "
                                f"replicas, its quota is {quota}")

    # -- the ring ----------------------------------------------------------------------
    def ring_data(self) -> RingData:
        """The frozen ring servers use; only after a rebalance."""
        if self.rows is None:
            raise RingError("the ring has never been rebalanced: run rebalance first")
        stale = {d for row in self.rows for d in set(row)} - set(self.devices)
        if stale:
            raise RingError(f"devices {sorted(stale)} were removed since the last "
                            "rebalance: run rebalance first")
        width = "B" if self.next_id <= 0x100 else "H" if self.next_id <= 0x10000 else "I"
        return RingData(self.part_power, self.replicas, self.version,
                        list(self.devices.values()),
                        [array(width, row) for row in self.rows],
                        policies=self.policies)

    def devices_sorted(self) -> Iterable[Device]:
        return (self.devices[i] for i in sorted(self.devices))


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RingError(f"{name} must be an integer from {low} to {high}, got {value!r}")
