"""Times as usage writes and reads them: names that sort as times, hours, slots, and
the since/until of a query (bad ones are ValueError: the admin API's 400)."""

from __future__ import annotations

import pytest

from objectstore.usage.periods import Window, from_iso, hour_of, iso, parse_time, slot_of

NOW = from_iso("2026-12-06T21:30:15Z")


def test_iso_round_trips_and_sorts_as_time() -> None:
    assert iso(NOW) == "2026-12-06T21:30:15Z"
    assert from_iso(iso(NOW)) == NOW
    times = [NOW - 86400 * 40, NOW - 3600, NOW - 1, NOW, NOW + 9]
    assert sorted(iso(t) for t in times) == [iso(t) for t in times]


def test_hours_and_slots() -> None:
    assert iso(hour_of(NOW)) == "2026-12-06T21:00:00Z"
    assert iso(slot_of(NOW, 300)) == "2026-12-06T21:30:00Z"
    assert iso(slot_of(NOW + 299, 300)) == "2026-12-06T21:35:00Z"
    assert slot_of(NOW, 1) == NOW


@pytest.mark.parametrize(("text", "expected"), [
    ("7d", NOW - 7 * 86400), ("24h", NOW - 86400), ("90m", NOW - 5400), ("0m", NOW),
    ("2026-12-06T00:00:00Z", from_iso("2026-12-06T00:00:00Z")),
    ("2026-12-06T00:00:00+00:00", from_iso("2026-12-06T00:00:00Z")),
    ("2026-12-06T01:00:00+01:00", from_iso("2026-12-06T00:00:00Z")),
    ("2026-12-06T00:00:00", from_iso("2026-12-06T00:00:00Z")),     # no offset: UTC
    ("2026-12-06", from_iso("2026-12-06T00:00:00Z")),
])
def test_times_a_query_may_name(text: str, expected: float) -> None:
    assert parse_time(text, NOW) == expected


@pytest.mark.parametrize("text", ["", "yesterday", "7", "7y", "-7d", "d", "2026-13-01",
                                  "2026-12-06T25:00:00Z", "7d ", "1e3h", "\uff11d"])
def test_bad_times_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        parse_time(text, NOW)


def test_windows() -> None:
    assert Window.of(None, None, NOW) == Window(NOW - 86400, NOW)
    assert Window.of("1h", None, NOW) == Window(NOW - 3600, NOW)
    assert Window.of(None, "2h", NOW) == Window(NOW - 7200 - 86400, NOW - 7200)
    with pytest.raises(ValueError, match="after until"):
        Window.of("1h", "2h", NOW)
