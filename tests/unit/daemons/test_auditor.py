"""The auditor's pass over real object files and SQLite databases: damaged ones
quarantined, good ones left, an unreadable entry counted without ending the pass, the
rate limit kept on an injected clock."""

from __future__ import annotations

import asyncio
from pathlib import Path

from objectstore.daemons.auditor import Auditor
from objectstore.node import paths
from objectstore.node.config import NodeConfig
from objectstore.node.diskfile import DiskFile, verify_file
from objectstore.node.listingdb import Item, ListingDB
from tests.clock import FakeClock
from tests.unit.daemons.nodes import HASHER, put, ts

DEVICE = "sdb1"


def config(root: Path) -> NodeConfig:
    (root / DEVICE).mkdir(parents=True, exist_ok=True)
    return NodeConfig(devices=root, secret=b"s")


def obj(root: Path, name: str, partition: int = 3) -> DiskFile:
    name_hash = paths.object_hash(HASHER, "AUTH_test", "c", name)
    return DiskFile(root, DEVICE, partition, f"/AUTH_test/c/{name}", name_hash)


def container_db(root: Path, name: str) -> Path:
    name_hash = paths.object_hash(HASHER, "AUTH_test", name, "")
    path = paths.db_path(root, DEVICE, paths.CONTAINERS, 5, name_hash)
    db = ListingDB(path)
    db.initialize(f"/AUTH_test/{name}", ts(1))
    db.put_item(Item("o", ts(2), 10))
    return path


def data_file(df: DiskFile) -> Path:
    return next(df.directory.glob("*.data"))


def test_a_pass_quarantines_the_damaged_and_goes_past_an_unreadable_entry(
        tmp_path: Path) -> None:
    conf = config(tmp_path)
    good, bad = obj(tmp_path, "good"), obj(tmp_path, "bad")
    put(good, b"g" * 5000, ts(1))
    put(bad, b"b" * 5000, ts(1))
    damaged = data_file(bad)
    with open(damaged, "r+b") as f:         # one flipped byte in the content
        f.seek(100)
        f.write(b"X")
    # an entry that cannot be read (here a symlink loop: ELOOP, standing in for EIO), an
    # OSError that is neither "gone" nor "damaged"; listed first, it used to end the pass
    odd = obj(tmp_path, "odd", partition=0).directory / f"{ts(1).internal}.data"
    odd.parent.mkdir(parents=True)
    odd.symlink_to(odd.name)
    sound_db = container_db(tmp_path, "c")
    broken_db = container_db(tmp_path, "broken")
    broken_db.write_bytes(b"not a database" * 100)

    stats = asyncio.run(Auditor(conf, 0, 0).run_once())

    assert (stats.files, stats.quarantined, stats.failures) == (2, 1, 1)
    assert (stats.databases, stats.databases_quarantined) == (2, 1)
    assert verify_file(data_file(good)) is not None, "a good file stays in place"
    assert not damaged.exists()
    quarantined = paths.quarantine_dir(tmp_path, DEVICE, bad.name_hash)
    assert [p.name for p in quarantined.glob("*.data")] == [damaged.name]
    assert sound_db.exists() and not broken_db.exists()
    assert list((tmp_path / DEVICE / paths.QUARANTINED / "databases").iterdir())


def test_the_rate_limit_waits_on_the_clock(tmp_path: Path) -> None:
    """At 2 files a second, four files take two seconds of the (fake) clock; at
    2,000 bytes a second, the bytes decide instead."""
    conf = config(tmp_path)
    for i in range(4):
        put(obj(tmp_path, f"o{i}"), b"x" * 1000, ts(1))
    clock = FakeClock()
    stats = asyncio.run(Auditor(conf, bytes_per_second=0, files_per_second=2,
                                clock=clock, sleep=clock.sleep).run_once())
    assert stats.files == 4
    assert clock.slept == [0.5, 0.5, 0.5, 0.5]
    assert stats.seconds == 2.0

    clock = FakeClock()
    asyncio.run(Auditor(conf, bytes_per_second=2000, files_per_second=0,
                        clock=clock, sleep=clock.sleep).run_once())
    assert clock.slept == [0.5, 0.5, 0.5, 0.5]


def test_unthrottled_passes_never_sleep(tmp_path: Path) -> None:
    conf = config(tmp_path)
    put(obj(tmp_path, "o"), b"x", ts(1))
    clock = FakeClock()
    stats = asyncio.run(Auditor(conf, 0, 0, clock=clock, sleep=clock.sleep).run_once())
    assert (stats.files, clock.slept) == (1, [])


def test_every_storage_policy_s_objects_are_audited(tmp_path: Path) -> None:
    conf = config(tmp_path)
    name_hash = paths.object_hash(HASHER, "AUTH_test", "c", "two")
    reduced = DiskFile(tmp_path, DEVICE, 3, "/AUTH_test/c/two", name_hash, policy=1)
    put(reduced, b"r" * 5000, ts(1))
    put(obj(tmp_path, "plain"), b"p" * 10, ts(1))
    damaged = data_file(reduced)
    with open(damaged, "r+b") as f:
        f.seek(200)
        f.write(b"X")
    (tmp_path / DEVICE / "objects-x").mkdir()       # not a policy's directory: not walked
    (tmp_path / DEVICE / "objects-x" / "junk.data").write_bytes(b"junk")

    stats = asyncio.run(Auditor(conf, 0, 0).run_once())

    assert (stats.files, stats.quarantined, stats.failures) == (2, 1, 0)
    assert damaged.parent.parent.parent.parent.name == "objects-1" and not damaged.exists()
