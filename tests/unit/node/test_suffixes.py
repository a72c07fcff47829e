"""Suffix hashes and listings of a partition directory: what replication compares."""

from __future__ import annotations

from pathlib import Path

from objectstore.node.diskfile import DiskFile
from objectstore.node.suffixes import newest, suffix_hashes, suffix_listing
from objectstore.timestamps import Timestamp

T0 = 1_700_000_000.0


def stamp(seconds: float) -> Timestamp:
    return Timestamp(int(seconds * 100_000))


def put(devices: Path, name_hash: str, seconds: float, body: bytes = b"data") -> DiskFile:
    df = DiskFile(devices, "sdb1", 5, f"/a/c/{name_hash}", name_hash)
    writer = df.writer()
    writer.write(body)
    writer.commit(stamp(seconds), "text/plain")
    return df


def test_hashes_follow_what_matters(tmp_path: Path) -> None:
    part = tmp_path / "sdb1" / "objects" / "5"
    a, b = "0" * 29 + "abc", "1" * 29 + "abc"
    df = put(tmp_path, a, T0)
    first = suffix_hashes(part, now=T0)
    assert list(first) == ["abc"]
    put(tmp_path, b, T0)
    second = suffix_hashes(part, now=T0)
    assert second["abc"] != first["abc"], "a new object changes its suffix's hash"
    df.write_meta(stamp(T0 + 1), {"color": "red"})
    listing = suffix_listing(part, "abc", now=T0)
    assert listing[a] == sorted([f"{stamp(T0).internal}.data",
                                 f"{stamp(T0 + 1).internal}.meta"])
    assert suffix_hashes(part, now=T0)["abc"] != second["abc"], "so does a .meta"
    assert newest(listing[a]) == stamp(T0)


def test_old_tombstones_are_reclaimed(tmp_path: Path) -> None:
    part = tmp_path / "sdb1" / "objects" / "5"
    h = "2" * 29 + "def"
    df = put(tmp_path, h, T0)
    df.write_tombstone(stamp(T0 + 10))
    assert suffix_listing(part, "def", reclaim_age=100, now=T0 + 50) == {
        h: [f"{stamp(T0 + 10).internal}.ts"]}, "a young tombstone stays (and the .data goes)"
    assert suffix_hashes(part, reclaim_age=100, now=T0 + 500) == {}
    assert not (part / "def").exists(), "reclaimed, and the empty directories with it"
