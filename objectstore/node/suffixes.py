"""What a partition holds, summed up per suffix directory, so two replicas can find
their differences cheaply: equal suffix hashes mean equal contents.

A suffix's hash covers, for each object directory in it, the names of the files that
matter (the newest .data or tombstone, and a newer .meta). Computing it also tidies the
directories: obsolete files go, and tombstones older than `reclaim_age` are removed
(every replica has had that long to learn of the delete).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from pathlib import Path

from objectstore.node.diskfile import Listing, cleanup, file_timestamp
from objectstore.timestamps import Timestamp

RECLAIM_AGE = 7 * 24 * 3600.0


def _wanted(listing: Listing) -> list[str]:
    return sorted(p.name for p in (listing.data, listing.meta, listing.tombstone)
                  if p is not None)


def suffix_listing(part_dir: Path, suffix: str, reclaim_age: float = RECLAIM_AGE,
                   now: float | None = None) -> dict[str, list[str]]:
    """{object hash: the names of its files that matter} for one suffix directory."""
    directory = part_dir / suffix
    now = time.time() if now is None else now
    out: dict[str, list[str]] = {}
    try:
        names = sorted(os.listdir(directory))
    except (FileNotFoundError, NotADirectoryError):
        return out
    for name in names:
        obj_dir = directory / name
        listing = cleanup(obj_dir)
        if listing.tombstone is not None and listing.timestamp is not None and \
                now - listing.timestamp.seconds > reclaim_age:
            with contextlib.suppress(FileNotFoundError):
                listing.tombstone.unlink()
            listing = Listing()
        files = _wanted(listing)
        if files:
            out[name] = files
        else:
            with contextlib.suppress(OSError):
                obj_dir.rmdir()                # empty (tmp files never live here)
    if not out:
        with contextlib.suppress(OSError):
            directory.rmdir()
    return out


def suffix_hashes(part_dir: Path, reclaim_age: float = RECLAIM_AGE,
                  now: float | None = None) -> dict[str, str]:
    """{suffix: hash of its contents} for a partition directory (empty ones left out)."""
    out: dict[str, str] = {}
    try:
        suffixes = sorted(os.listdir(part_dir))
    except (FileNotFoundError, NotADirectoryError):
        return out
    for suffix in suffixes:
        listing = suffix_listing(part_dir, suffix, reclaim_age, now)
        if listing:
            md5 = hashlib.md5(usedforsecurity=False)
            for name, files in listing.items():
                md5.update(name.encode() + b":" + ",".join(files).encode() + b";")
            out[suffix] = md5.hexdigest()
    return out


def newest(files: list[str]) -> Timestamp | None:
    """The timestamp of the .data or tombstone among an object's file names."""
    stamps = [file_timestamp(f) for f in files
              if f.endswith((".data", ".ts"))]
    return max(stamps) if stamps else None
