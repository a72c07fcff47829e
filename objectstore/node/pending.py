"""Container updates a node owes, kept on disk until the container replicas took them.

Every object write (PUT or DELETE) that names container replicas leaves a record of its
listing update in `<device>/async_pending/` *in the same durable step as the object*:
the record is written before the object's data is fsynced, and fsynced (with its
directory) together with it, before the object is renamed into place. So no crash can
leave an object in place whose listing update is not on disk: the object is visible
only once its record is durable. Once every replica took the row, the record is
removed (no fsync: a removal lost in a crash only means the update is sent twice, and
rows merge by timestamp). Records left over -- a crash, a replica down -- are sent by
the updater (daemons/updater.py), which also runs at once when a node starts.

A record whose object never got into place (a crash between the two) must not list
anything: the updater checks that the object directory holds the write (or a newer
one) first, and drops a record that does not once it is old enough not to be a write
still in progress (IN_FLIGHT).

Records (JSON, one file each):
    {"method": "PUT"|"DELETE", "targets": ["host:port/device", ...], "partition": n,
     "account": a, "container": c, "obj": o, "headers": {x-timestamp, x-size, ...},
     "object_partition": n, "hash": the object's name hash}
or, for an update queued after a replica failed to take it, one target: "target": spec
(no object check: it is queued after the object was in place).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Generator
from pathlib import Path
from typing import Any, TypeVar

from objectstore.node import paths
from objectstore.node.diskfile import scan
from objectstore.timestamps import Timestamp

ASYNC_PENDING = "async_pending"
IN_FLIGHT = 60.0        # seconds: a record younger than this may be of a write under way
T = TypeVar("T")


def pending_dir(devices: Path, device: str) -> Path:
    return devices / paths.checked_device(device) / ASYNC_PENDING


class PendingRecord:
    """The record of one write's listing update, written as part of its commit."""

    def __init__(self, devices: Path, device: str, update: dict[str, Any]) -> None:
        self.directory = pending_dir(devices, device)
        self.update = update
        self.path: Path | None = None

    def create(self) -> tuple[int, int]:
        """Write the record (not yet synced); the descriptors to fsync, file and
        directory, which the caller closes with `close`."""
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{self.update['headers']['x-timestamp']}-{os.urandom(6).hex()}.json"
        self.path = self.directory / name
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, json.dumps(self.update, separators=(",", ":")).encode())
            dir_fd = os.open(self.directory, os.O_RDONLY)
        except BaseException:
            os.close(fd)
            self.remove()
            raise
        return fd, dir_fd

    def remove(self) -> None:
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            self.path = None


def with_record(steps: Generator[int, None, T], record: PendingRecord
                ) -> Generator[int | tuple[int, ...], None, T]:
    """A commit's steps (diskfile) with the record made durable alongside its first
    fsync -- before anything is renamed into place, at no extra round trip. A commit
    that fails (or finds a newer version) removes the record."""
    try:
        first = next(steps)             # the commit's checks are done by now
        fds = record.create()
        try:
            yield (first, *fds)
        finally:
            for fd in fds:
                os.close(fd)
    except BaseException:               # nothing was put in place: nothing to list
        record.remove()
        raise
    # From here on the object may be in place: the record stays whatever happens.
    try:
        while True:
            yield steps.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def object_holds(devices: Path, device: str, update: dict[str, Any]) -> bool | None:
    """Whether the write a record stands for is in place (it, or a newer version);
    None when the record does not say where its object is (queued after the write)."""
    if "hash" not in update:
        return None
    directory = paths.object_dir(devices, device, int(update["object_partition"]),
                                 str(update["hash"]))
    held = scan(directory).timestamp
    return held is not None and held >= Timestamp.parse(update["headers"]["x-timestamp"])
