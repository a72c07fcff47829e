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

from objectstore.cli.setting_values import number
from objectstore.daemons.lifecycle import PER_SECOND
from objectstore.proxy.lifecycle_rules import DAY


@dataclass(frozen=True)
class LifecycleSettings:
    day_seconds: float = DAY
    actions_per_second: float = PER_SECOND


def lifecycle_of(doc: dict[str, Any]) -> LifecycleSettings:
    section = doc.get("lifecycle", {})
    return LifecycleSettings(
        number("lifecycle", section, "day_seconds", DAY, True),
        number("lifecycle", section, "actions_per_second", PER_SECOND, False))


def day_seconds_of(doc: dict[str, Any]) -> float:
    return lifecycle_of(doc).day_seconds


def load_lifecycle(config: Path | None) -> LifecycleSettings:
    if config is None:
        return LifecycleSettings()
    with open(config, "rb") as f:
        return lifecycle_of(tomllib.load(f))
