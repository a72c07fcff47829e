"""`[usage]` of a config file (objectstore.usage.settings), for `serve` and `proxy`: a
bad value stops the start with its table and key named."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from objectstore.cli.errors import CommandError
from objectstore.usage.settings import UsageSettings, usage_settings


def usage_of(doc: dict[str, Any]) -> UsageSettings:
    try:
        return usage_settings(doc)
    except ValueError as exc:
        raise CommandError(str(exc)) from None


def load_usage(config: Path | None) -> UsageSettings:
    if config is None:
        return UsageSettings()
    with open(config, "rb") as f:
        return usage_of(tomllib.load(f))
