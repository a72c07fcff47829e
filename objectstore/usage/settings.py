"""`[usage]` of a config file: how often the stored bytes are sampled (`sample_seconds`,
300), how often a proxy writes the transfers it counted into the cluster
(`flush_seconds`, 60) and how long samples and transfer hours are kept (`keep_days`,
90). Tests use seconds."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KEYS = frozenset({"sample_seconds", "flush_seconds", "keep_days"})


@dataclass(frozen=True)
class UsageSettings:
    sample_seconds: float = 300.0
    flush_seconds: float = 60.0
    keep_days: float = 90.0

    @property
    def keep_seconds(self) -> float:
        return self.keep_days * 86400


def usage_settings(doc: Mapping[str, Any]) -> UsageSettings:
    """The `[usage]` table of a config document; ValueError naming a bad value."""
    section = doc.get("usage", {})
    if not isinstance(section, dict):
        raise ValueError("[usage] must be a table")
    values = {}
    for name in KEYS:
        if name not in section:
            continue
        value = section[name]
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ValueError(f"[usage] {name} must be a positive number, not {value!r}")
        values[name] = float(value)
    if values.get("sample_seconds", 1.0) < 1:
        raise ValueError("[usage] sample_seconds must be at least 1 (samples are named "
                         "by the second)")
    return UsageSettings(**values)
