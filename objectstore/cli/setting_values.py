"""Checked values of a config table's settings: a wrong type or range stops the start
with the table and key named, never falls back to a default unseen."""

from __future__ import annotations

from typing import Any

from objectstore.cli.errors import CommandError


def log_timing(doc: dict[str, Any]) -> tuple[float, float]:
    """`[bucket_logging] roll_seconds`: how long S3 server access log records gather
    before the next one closes them into a log object (5: soon enough to watch; a
    cluster's proxy.toml says 300), and `idle_seconds`: how long they wait for one
    before they are written all the same (60, never less than roll_seconds)."""
    section = doc.get("bucket_logging", {})
    return (number("bucket_logging", section, "roll_seconds", 5.0, True),
            number("bucket_logging", section, "idle_seconds", 60.0, True))


def number(table: str, section: dict[str, Any], name: str, default: float,
           positive: bool) -> float:
    """`section[name]` (or `default`): a number >= 0, or > 0 when `positive`."""
    value = section.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
            or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise CommandError(f"[{table}] {name} must be a {kind} number, not {value!r}")
    return float(value)
