"""Container updates a node owes, kept on disk until the container replicas took them.

Every object write (PUT or DELETE) that names container replicas keeps its listing
update *in the file it writes* (the .data footer's or the tombstone's "update") and
leaves a hard link to that file in `<device>/async_pending/` before the file is
renamed into place. The link costs no write of its own: the file's content is fsynced
anyway, and the link's directory is fsynced in the same step (ext4 has usually
committed it with the file by then). So no crash can leave an object in place whose
listing update is not on disk: the object is visible only once its record is durable.
Once every replica took the row, the link is removed (no fsync: a removal lost in a
crash only means the update is sent twice, and rows merge by timestamp). Records left
over -- a crash, a replica down -- are sent by the updater (daemons/updater.py), which
also runs at once when a node starts.

A record whose file never got into place (a crash between the two) must not list
anything: the updater checks that the object directory holds the write (or a newer
one) first, and drops a record that does not once it is old enough not to be a write
still in progress (IN_FLIGHT).

Files in async_pending/:
    <timestamp>-<random>.data | .ts   links to written files; their "update" is
    {"method": "PUT"|"DELETE", "targets": ["host:port/device", ...], "partition": n,
     "account": a, "container": c, "obj": o, "headers": {x-timestamp, x-size, ...},
     "object_partition": n, "hash": the object's name hash}
    <name>.json   the same JSON alone (what is left of a record after some replicas
                  took it), or, queued after a replica failed to take it, with one
                  "target": spec instead of "targets" and no object check
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, TypeVar

from objectstore.node import paths
from objectstore.node.diskfile import Step, footer_doc, scan
from objectstore.timestamps import Timestamp

ASYNC_PENDING = "async_pending"
KINDS = (".json", ".data", ".ts")
IN_FLIGHT = 60.0        # seconds: a record younger than this may be of a write under way
T = TypeVar("T")


def pending_dir(devices: Path, device: str) -> Path:
    return devices / paths.checked_device(device) / ASYNC_PENDING


class PendingRecord:
    """The record of one write's listing update, linked as part of its commit."""

    def __init__(self, devices: Path, device: str, update: dict[str, Any]) -> None:
        self.directory = pending_dir(devices, device)
        self.update = update
        self.path: Path | None = None

    def link(self, written: Path, ext: str) -> int:
        """Link the write's (not yet synced) file here; the directory's descriptor to
        fsync, which the caller closes."""
        name = f"{self.update['headers']['x-timestamp']}-{os.urandom(6).hex()}.{ext}"
        path = self.directory / name
        try:
            os.link(written, path)
        except FileNotFoundError:       # the directory's first record (no mkdir each time)
            if not os.path.exists(written):
                raise
            self.directory.mkdir(parents=True, exist_ok=True)
            os.link(written, path)
        self.path = path
        try:
            return os.open(self.directory, os.O_RDONLY)
        except BaseException:
            self.remove()
            raise

    def remove(self) -> None:
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
            self.path = None


def with_record(steps: Generator[int, None, T], record: PendingRecord,
                written: Callable[[], Path | None], ext: str) -> Generator[Step, None, T]:
    """A commit's steps (diskfile) with the record linked before the first fsync, and
    its directory synced along with it -- before anything is renamed into place, at
    no extra round trip. `written()` is the commit's temporary file once its first
    step is reached. A commit that fails before the rename removes the record."""
    try:
        first = next(steps)             # the file is written, the checks are done
        source = written()
        assert source is not None
        dir_fd = record.link(source, ext)
        try:
            yield (first, dir_fd)
        finally:
            os.close(dir_fd)
    except BaseException:               # nothing was put in place: nothing to list
        record.remove()
        raise
    # From here on the object may be in place: the record stays whatever happens.
    try:
        while True:
            yield steps.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def read_record(path: Path) -> dict[str, Any]:
    """The update a file of async_pending/ stands for (ValueError if damaged)."""
    if path.suffix == ".data":
        with open(path, "rb") as f:
            doc, _ = footer_doc(f, path)
    else:
        doc = json.loads(path.read_bytes())
    update = doc["update"] if path.suffix != ".json" else doc
    if not isinstance(update, dict):
        raise ValueError("not an update")
    return update


def object_holds(devices: Path, device: str, update: dict[str, Any]) -> bool | None:
    """Whether the write a record stands for is in place (it, or a newer version);
    None when the record does not say where its object is (queued after the write)."""
    if "hash" not in update:
        return None
    directory = paths.object_dir(devices, device, int(update["object_partition"]),
                                 str(update["hash"]), int(update.get("policy", 0)))
    held = scan(directory).timestamp
    return held is not None and held >= Timestamp.parse(update["headers"]["x-timestamp"])
