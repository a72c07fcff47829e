"""Where things live on a storage node: the one module that builds on-disk paths.

    <devices>/<device>/objects/<partition>/<suffix>/<hash>/<timestamp>.data|.meta|.ts
    <devices>/<device>/objects-<i>/...            the same, for storage policy i > 0
    <devices>/<device>/containers/<partition>/<suffix>/<hash>/<hash>.db   (SQLite)
    <devices>/<device>/accounts/<partition>/<suffix>/<hash>/<hash>.db
    <devices>/<device>/tmp/                       temporary files, renamed into place
    <devices>/<device>/quarantined/objects/<hash>/  damaged files, moved aside

`hash` is the hex of the ring's keyed path hash; `suffix` its last three characters, so
a partition splits into at most 4096 directories that replication can compare one by
one.
"""

from __future__ import annotations

from pathlib import Path

from objectstore.errors import BadRequest
from objectstore.ring.hashing import PathHasher

OBJECTS = "objects"
CONTAINERS = "containers"
ACCOUNTS = "accounts"
TMP = "tmp"
QUARANTINED = "quarantined"


def checked_device(device: str) -> str:
    """A device name from a request, refused unless it is a plain directory name."""
    if not device or device in (".", "..") or "/" in device or "\0" in device:
        raise BadRequest(f"bad device name {device!r}")
    return device


def objects_kind(policy: int) -> str:
    """The directory (and node API path kind) of a storage policy's objects."""
    return OBJECTS if policy == 0 else f"{OBJECTS}-{policy}"


def policy_of_kind(kind: str) -> int | None:
    """The policy an objects directory or path kind names (None: not one)."""
    if kind == OBJECTS:
        return 0
    head, dash, index = kind.partition("-")
    if head == OBJECTS and dash and index.isdigit() and index == str(int(index)) \
            and int(index) > 0:
        return int(index)
    return None


def object_hash(hasher: PathHasher, account: str, container: str, obj: str) -> str:
    return hasher.digest(account, container, obj).hex()


def object_dir(devices: Path, device: str, partition: int, name_hash: str,
               policy: int = 0) -> Path:
    return (devices / checked_device(device) / objects_kind(policy) / str(partition)
            / name_hash[-3:] / name_hash)


def tmp_dir(devices: Path, device: str) -> Path:
    return devices / checked_device(device) / TMP


def quarantine_dir(devices: Path, device: str, name_hash: str) -> Path:
    return devices / checked_device(device) / QUARANTINED / OBJECTS / name_hash


def db_path(devices: Path, device: str, kind: str, partition: int, name_hash: str) -> Path:
    """A container (kind CONTAINERS) or account (ACCOUNTS) database file."""
    return (devices / checked_device(device) / kind / str(partition) / name_hash[-3:]
            / name_hash / f"{name_hash}.db")
