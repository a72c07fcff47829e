"""Sizes as the benchmarks' options spell them: `256MiB`, `1GiB`, `4KiB` or bytes."""

from __future__ import annotations


def parse_size(text: str) -> int:
    for unit, factor in (("GIB", 1 << 30), ("MIB", 1 << 20), ("KIB", 1 << 10)):
        if text.upper().endswith(unit):
            return int(float(text[:-len(unit)]) * factor)
    return int(text)
