from __future__ import annotations

import pytest

from objectstore.timestamps import Timestamp


def test_formats_sort_like_time() -> None:
    stamps = [Timestamp(5), Timestamp(5, 1), Timestamp(5, 16), Timestamp(100_000),
              Timestamp(10**15)]
    texts = [t.internal for t in stamps]
    assert texts == sorted(texts)
    assert stamps == sorted(stamps)
    assert Timestamp(123_456_789).normal == "0000001234.56789"
    assert Timestamp(5, 10).internal == "0000000000.00005_000000000000000a"


@pytest.mark.parametrize("text", ["0000001234.56789", "0000000000.00005_000000000000000a"])
def test_round_trip(text: str) -> None:
    assert Timestamp.parse(text).internal == text


def test_parse_plain_seconds_and_refuse_junk() -> None:
    assert Timestamp.parse("1234.5") == Timestamp(123_450_000)
    for bad in ("", "abc", "-1", "1e20", "12.3.4"):
        with pytest.raises(ValueError):
            Timestamp.parse(bad)


def test_now_is_recent_and_increasing() -> None:
    a = Timestamp.now()
    b = Timestamp.now()
    assert a <= b and a.seconds > 1_700_000_000
