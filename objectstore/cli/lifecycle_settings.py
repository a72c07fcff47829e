"""`[lifecycle]` of a config file: `day_seconds`, the length of a lifecycle day (86400;
the s3-tests runner uses 10, so rules of a few "days" are carried out within its
waits), and `actions_per_second`, the worker's bound (listing pages and removals
together; 0: none). Read by `serve`, `proxy` (the x-amz-expiration dates) and
`daemons` (the worker)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from objectstore.cli.errors import CommandError
from objectstore.daemons.lifecycle import PER_SECOND
from objectstore.proxy.lifecycle_rules import DAY


@dataclass(frozen=True)
class LifecycleSettings:
    day_seconds: float = DAY
    actions_per_second: float = PER_SECOND


def _number(section: dict[str, Any], name: str, default: float, positive: bool) -> float:
    value = section.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
            or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise CommandError(f"[lifecycle] {name} must be a {kind} number, not {value!r}")
    return float(value)


def lifecycle_of(doc: dict[str, Any]) -> LifecycleSettings:
    section = doc.get("lifecycle", {})
    return LifecycleSettings(_number(section, "day_seconds", DAY, True),
                             _number(section, "actions_per_second", PER_SECOND, False))


def day_seconds_of(doc: dict[str, Any]) -> float:
    return lifecycle_of(doc).day_seconds


def load_lifecycle(config: Path | None) -> LifecycleSettings:
    if config is None:
        return LifecycleSettings()
    with open(config, "rb") as f:
        return lifecycle_of(tomllib.load(f))
