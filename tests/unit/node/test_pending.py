"""Listing-update records made durable with their write (pending.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from objectstore.errors import InsufficientStorage
from objectstore.node import paths
from objectstore.node.diskfile import DiskFile, NewerExists, run_steps
from objectstore.node.pending import PendingRecord, object_holds, read_record, with_record
from objectstore.timestamps import Timestamp

TS = Timestamp(1_700_000_000 * 100_000)
NAME_HASH = "ab" * 16


def record(devices: Path, ts: Timestamp = TS, targets: tuple[str, ...] = ("h:1/d",)
           ) -> PendingRecord:
    return PendingRecord(devices, "d", {
        "method": "PUT", "targets": list(targets), "partition": 5, "account": "a",
        "container": "c", "obj": "o", "headers": {"x-timestamp": ts.internal, "x-size": "1"},
        "object_partition": 3, "hash": NAME_HASH})


def diskfile(devices: Path) -> DiskFile:
    (devices / "d").mkdir(parents=True, exist_ok=True)
    return DiskFile(devices, "d", 3, "/a/c/o", NAME_HASH)


def records(devices: Path) -> list[dict[str, Any]]:
    return [read_record(p) for p in (devices / "d" / "async_pending").glob("*")]


def test_the_record_is_durable_before_the_object_is_in_place(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    writer = df.writer()
    writer.write(b"x")
    rec = record(tmp_path)
    steps = with_record(writer.commit_steps(TS, "t", update=rec.update), rec,
                        lambda: writer.path, "data")
    first = next(steps)
    assert isinstance(first, tuple) and len(first) == 2     # the file, the record's dir
    assert records(tmp_path) == [rec.update]
    assert rec.path is not None and writer.path is not None
    assert os.path.samefile(rec.path, writer.path), "a link: no write of its own"
    assert df.newest_timestamp() is None, "nothing in place before the fsyncs"
    for fd in first:
        os.fsync(fd)
    run_steps(_rest(steps))
    assert df.newest_timestamp() == TS and len(records(tmp_path)) == 1


def _rest(steps: Any) -> Any:
    try:
        while True:
            yield steps.send(None)
    except StopIteration as done:
        return done.value


def test_a_commit_that_fails_first_leaves_no_record(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    df.write_tombstone(Timestamp(1_700_000_000 * 100_000 + 10))
    writer = df.writer()
    writer.write(b"x")
    with pytest.raises(NewerExists):
        run_steps(with_record(writer.commit_steps(TS, "t", only_if_newer=True),
                              record(tmp_path), lambda: writer.path, "data"))
    assert records(tmp_path) == []


def test_a_delete_keeps_its_update_in_the_tombstone(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    rec = record(tmp_path)
    run_steps(with_record(df.tombstone_steps(TS, rec.update), rec, lambda: df.tmp_file,
                          "ts"))
    assert df.newest_timestamp() == TS and records(tmp_path) == [rec.update]


def test_object_holds(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    update = record(tmp_path).update
    assert object_holds(tmp_path, "d", update) is False
    df.write_tombstone(TS)
    assert object_holds(tmp_path, "d", update) is True
    assert object_holds(tmp_path, "d", {k: v for k, v in update.items() if k != "hash"}
                        ) is None


def test_a_full_device_refuses_the_write_and_leaves_no_record(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    writer = df.writer()
    writer.write(b"x")
    rec = record(tmp_path)
    pending = tmp_path / "d" / "async_pending"
    pending.write_text("not a directory")       # the record cannot be made
    with pytest.raises((InsufficientStorage, OSError)):
        run_steps(with_record(writer.commit_steps(TS, "t"), rec, lambda: writer.path,
                              "data"))
    writer.abort()
    assert df.newest_timestamp() is None
    assert not list(paths.tmp_dir(tmp_path, "d").iterdir())


def test_object_holds_looks_in_the_policy_of_the_write(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    update = {**record(tmp_path).update, "policy": 2}
    DiskFile(tmp_path, "d", 3, "/a/c/o", NAME_HASH).write_tombstone(TS)    # policy 0
    assert object_holds(tmp_path, "d", update) is False
    DiskFile(tmp_path, "d", 3, "/a/c/o", NAME_HASH, policy=2).write_tombstone(TS)
    assert object_holds(tmp_path, "d", update) is True
