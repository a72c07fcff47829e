"""Builder and ring files on a real disk: round trips, damage, reloading."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from objectstore.ring import PathHasher, RingBuilder, RingError
from objectstore.ring.files import (
    RingFile,
    load_builder,
    load_ring,
    save_builder,
    save_ring,
)


def built(part_power: int = 8) -> RingBuilder:
    b = RingBuilder(part_power, 3, 1)
    for z in range(1, 5):
        b.add_device(1, z, f"10.0.0.{z}", 6200 + z, f"sd{z}", 100.0 * z)
    b.add_device(1, 1, "10.0.0.9", 6200, "drain", 0.0)
    b.rebalance(seed=7, now=1_700_000_000)
    return b


def test_builder_round_trip_and_is_readable_json(tmp_path: Path) -> None:
    b = built()
    path = tmp_path / "object.builder"
    save_builder(b, path)
    doc = json.loads(path.read_text())
    assert doc["part_power"] == 8 and doc["replicas"] == 3
    assert doc["devices"][0] == {"id": 0, "region": 1, "zone": 1, "host": "10.0.0.1",
                                 "port": 6201, "device": "sd1", "weight": 100.0}
    again = load_builder(path)
    assert again.rows == b.rows and again.devices == b.devices
    assert again.last_moved == b.last_moved
    # a rebalance of the loaded builder is the same as one of the original
    b.add_device(2, 1, "10.1.0.1", 6200, "sdx", 100)
    again.add_device(2, 1, "10.1.0.1", 6200, "sdx", 100)
    assert b.rebalance(seed=1, now=1_800_000_000) == again.rebalance(seed=1, now=1_800_000_000)
    assert b.rows == again.rows


def test_ring_round_trip_version_and_checksum(tmp_path: Path) -> None:
    b = built()
    path = tmp_path / "object.ring"
    checksum = save_ring(b.ring_data(), path)
    ring = load_ring(path, PathHasher("a", "b"))
    assert ring.checksum == checksum and len(checksum) == 32
    assert ring.version == b.version == 1
    assert [list(r) for r in ring.rows] == [list(r) for r in b.rows or []]
    assert ring.devices == tuple(b.devices_sorted())
    # same content, same checksum; another rebalance, another version and checksum
    assert save_ring(b.ring_data(), tmp_path / "copy.ring") == checksum
    b.add_device(1, 5, "10.0.0.5", 6200, "sd5", 100)
    b.pretend_min_part_hours_passed()
    b.rebalance()
    assert save_ring(b.ring_data(), path) != checksum
    assert load_ring(path).version == 2


@pytest.mark.parametrize("damage", ["flip", "truncate", "extend", "garbage", "empty"])
def test_damaged_ring_file_is_refused(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "object.ring"
    save_ring(built().ring_data(), path)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0x40
    elif damage == "truncate":
        data = data[:-100]
    elif damage == "extend":
        data += b"\0" * 8
    elif damage == "garbage":
        data = bytearray(b"not a ring at all, not even close" * 3)
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    with pytest.raises(RingError):
        load_ring(path)


@pytest.mark.parametrize("text", ["", "{", "[]", '{"format": "other"}',
                                  '{"format": "objectstore-ring-builder", "format_version": 1}'])
def test_corrupt_builder_file_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "x.builder"
    path.write_text(text)
    with pytest.raises(RingError):
        load_builder(path)


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(RingError, match="cannot read"):
        load_builder(tmp_path / "nope.builder")
    with pytest.raises(RingError, match="cannot read"):
        load_ring(tmp_path / "nope.ring")


def grow_and_save(b: RingBuilder, path: Path) -> None:
    """Add a device, rebalance and write the ring file again."""
    b.add_device(1, 5, "10.0.0.5", 6200, "sd5", 100)
    b.pretend_min_part_hours_passed()
    b.rebalance()
    save_ring(b.ring_data(), path)


def test_ring_file_reloads_when_changed(tmp_path: Path) -> None:
    b = built()
    path = tmp_path / "object.ring"
    save_ring(b.ring_data(), path)
    watched = RingFile(path, check_interval=0)
    first = watched.current()
    assert watched.current() is first, "unchanged file, same ring object"
    grow_and_save(b, path)
    second = watched.current()
    assert second is not first
    assert (second.version, second.checksum) != (first.version, first.checksum)
    # A damaged replacement keeps the good ring in service and says why.
    path.write_bytes(b"broken")
    os.utime(path, ns=(1, 1))
    assert watched.current() is second
    assert watched.last_error is not None


def test_ring_file_checks_at_most_every_interval(tmp_path: Path) -> None:
    b = built()
    path = tmp_path / "object.ring"
    save_ring(b.ring_data(), path)
    watched = RingFile(path, check_interval=3600)
    first = watched.current()
    grow_and_save(b, path)
    assert watched.current() is first
    assert watched.reload_if_changed()
    assert watched.current() is not first


def test_files_are_readable_by_other_users(tmp_path: Path) -> None:
    b = built()
    save_builder(b, tmp_path / "object.builder")
    save_ring(b.ring_data(), tmp_path / "object.ring")
    for name in ("object.builder", "object.ring"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644
    # and the temporary files of the atomic writes are gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["object.builder", "object.ring"]
