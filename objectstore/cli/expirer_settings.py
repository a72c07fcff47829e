"""`[expirer]` of a config file: `interval` (seconds between the expirer's passes,
30), `delay_reaping` (seconds an expired object's data is kept before the expirer
removes it, 60: a grace in which it can still be recovered) and `allow_open_expired`
(whether an account's owners may read or restore an expired object until then with
`X-Open-Expired: true`, as OpenStack Swift's option of that name; true). Read by
`serve`, `proxy` (allow_open_expired) and `daemons` (the rest)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from objectstore.cli.errors import CommandError
from objectstore.cli.setting_values import number

INTERVAL = 30.0
DELAY_REAPING = 60.0


@dataclass(frozen=True)
class ExpirerSettings:
    interval: float = INTERVAL
    delay_reaping: float = DELAY_REAPING
    allow_open_expired: bool = True


def expirer_of(doc: dict[str, Any]) -> ExpirerSettings:
    section = doc.get("expirer", {})
    allow = section.get("allow_open_expired", True)
    if not isinstance(allow, bool):
        raise CommandError(f"[expirer] allow_open_expired must be true or false, not "
                           f"{allow!r}")
    return ExpirerSettings(
        number("expirer", section, "interval", INTERVAL, True),
        number("expirer", section, "delay_reaping", DELAY_REAPING, False), allow)


def load_expirer(config: Path | None) -> ExpirerSettings:
    if config is None:
        return ExpirerSettings()
    with open(config, "rb") as f:
        return expirer_of(tomllib.load(f))
