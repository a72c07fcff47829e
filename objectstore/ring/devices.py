"""Devices of a ring and the failure domains they sit in."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from typing import Any

from objectstore.ring.errors import RingError

#: Failure-domain levels, coarsest first; a device's tier at level i is its first i+1 keys.
LEVELS = ("region", "zone", "host", "device")

#: Device names become directory names on a node, so they must be plain path components.
_BAD_NAME = re.compile(r"[/\\\x00]")
_SPACE = re.compile(r"\s")


@dataclass(frozen=True)
class Device:
    """One disk of one storage node. Weight 0 means: hold nothing, drain what you hold."""

    id: int
    region: int
    zone: int
    host: str
    port: int
    device: str
    weight: float

    def __post_init__(self) -> None:
        validate_device_fields(self.id, self.region, self.zone, self.host, self.port,
                               self.device, self.weight)

    @property
    def tiers(self) -> tuple[tuple[Any, ...], ...]:
        """The failure domains of this device, coarsest first: region, zone, host, device."""
        return (
            (self.region,),
            (self.region, self.zone),
            (self.region, self.zone, self.host),
            (self.region, self.zone, self.host, self.id),
        )

    def with_weight(self, weight: float) -> Device:
        return replace(self, weight=weight)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "region": self.region, "zone": self.zone, "host": self.host,
            "port": self.port, "device": self.device, "weight": self.weight,
        }

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Device:
        try:
            return cls(
                id=raw["id"], region=raw["region"], zone=raw["zone"], host=raw["host"],
                port=raw["port"], device=raw["device"], weight=float(raw["weight"]),
            )
        except (KeyError, TypeError) as exc:
            raise RingError(f"bad device entry {raw!r}: {exc}") from None


def validate_device_fields(dev_id: int, region: int, zone: int, host: str, port: int,
                           device: str, weight: float) -> None:
    """Reject values that would make a ring unusable or a node path unsafe."""
    for name, value in (("id", dev_id), ("region", region), ("zone", zone)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise RingError(f"device {name} must be a non-negative integer, got {value!r}")
    if not isinstance(host, str) or not host or _SPACE.search(host):
        raise RingError(f"device host must be a non-empty name without spaces, got {host!r}")
    if not isinstance(port, int) or isinstance(port, bool) or not 0 < port < 65536:
        raise RingError(f"device port must be 1..65535, got {port!r}")
    if (not isinstance(device, str) or not device or device in (".", "..")
            or _BAD_NAME.search(device)):
        raise RingError(f"device name must be a plain directory name, got {device!r}")
    if not isinstance(weight, float) or not math.isfinite(weight) or weight < 0:
        raise RingError(f"device weight must be a finite number >= 0, got {weight!r}")
