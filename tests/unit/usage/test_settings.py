"""[usage]: defaults, small values for tests, and refusals that name the key."""

from __future__ import annotations

from typing import Any

import pytest

from objectstore.usage.settings import UsageSettings, usage_settings


def test_defaults_and_values() -> None:
    assert usage_settings({}) == UsageSettings(300.0, 60.0, 90.0)
    got = usage_settings({"usage": {"sample_seconds": 2, "flush_seconds": 0.5,
                                    "keep_days": 1}})
    assert got == UsageSettings(2.0, 0.5, 1.0)
    assert got.keep_seconds == 86400


@pytest.mark.parametrize(("section", "named"), [
    ({"sample_seconds": 0}, "sample_seconds"), ({"flush_seconds": -1}, "flush_seconds"),
    ({"keep_days": "90"}, "keep_days"), ({"keep_days": True}, "keep_days"),
    ({"sample_seconds": 0.5}, "sample_seconds"),
])
def test_bad_values_are_named(section: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        usage_settings({"usage": section})
