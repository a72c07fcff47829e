"""Checked values of a config table's settings: a wrong type or range stops the start
with the table and key named, never falls back to a default unseen."""

from __future__ import annotations

from typing import Any

from objectstore.cli.errors import CommandError


def number(table: str, section: dict[str, Any], name: str, default: float,
           positive: bool) -> float:
    """`section[name]` (or `default`): a number >= 0, or > 0 when `positive`."""
    value = section.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 \
            or (positive and value == 0):
        kind = "positive" if positive else "non-negative"
        raise CommandError(f"[{table}] {name} must be a {kind} number, not {value!r}")
    return float(value)
