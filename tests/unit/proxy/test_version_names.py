"""Names of versions: they round-trip, sort newest first within an object, and never
mix two objects' versions."""

from __future__ import annotations

import pytest

from objectstore.proxy import version_names as vn
from objectstore.timestamps import Timestamp


def test_a_version_name_round_trips() -> None:
    vid = vn.version_id(Timestamp.parse("1764620000.12345_000000000000000a"))
    assert vid == "1764620000.12345"            # the offset is not part of an id
    name = vn.version_object("dir/ob\u00e9", vid)
    assert name.startswith(vn.versions_prefix("dir/ob\u00e9"))
    assert vn.parse_version_object(name) == ("dir/ob\u00e9", vid)
    assert vn.parse_version_object("plain") is None
    assert vn.parse_version_object("a\x00notatime") is None


def test_versions_sort_newest_first_and_by_object_first() -> None:
    ids = [vn.version_id(Timestamp(t)) for t in (100, 200, 300)]
    names = [vn.version_object("a", v) for v in ids]
    assert sorted(names) == names[::-1]
    # another object's versions never fall between one object's (NUL sorts lowest)
    others = [vn.version_object(o, ids[0]) for o in ("a!", "a\x01", "ab", "")]
    everything = sorted(n.encode() for n in names + others)
    positions = [everything.index(n.encode()) for n in names]
    assert sorted(positions) == list(range(min(positions), min(positions) + 3))


@pytest.mark.parametrize("bad", ["", "null", "1", "1764620000.1234", "1764620000_12345",
                                 "abcdefghij.12345", "1764620000.12345_0a"])
def test_only_ids_are_ids(bad: str) -> None:
    with pytest.raises(ValueError):
        vn.parse_version_id(bad)


def test_a_pointer_row_lists_its_versions_size() -> None:
    row = {"name": "o", "bytes": 0, "hash": "abc; version_id=1; version_bytes=42"}
    assert vn.listed_size(row)["bytes"] == 42
    assert vn.listed_size({"name": "o", "bytes": 3, "hash": "abc"})["bytes"] == 3
    assert vn.is_reserved(vn.versions_container("c")) and not vn.is_reserved("c")
