"""Swift's reading of a true value in a header, a query or a setting (its
config_true_value): the one list every part of the Swift API uses."""

from __future__ import annotations

TRUE = frozenset({"true", "1", "yes", "on", "t", "y"})


def is_true(value: str | None) -> bool:
    return value is not None and value.strip().lower() in TRUE
