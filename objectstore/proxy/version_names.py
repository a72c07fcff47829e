"""Where the store keeps the versions of an object, and what they are called.

One version model for both APIs (S3 versioning, Swift's `X-Versions-Enabled`): a
versioned container's current object is, in the container itself, either a plain
object (the *null* version: written while versioning was off) or a *pointer*, a
zero-byte object whose system metadata names the version it stands for. Every other
version -- and every delete marker -- is an object of the container's hidden *versions
container*, named `<object>\\0<inverted version id>`: NUL is refused in names by both
APIs, so no user name collides, a prefix listing of `<object>\\0` gives exactly that
object's versions, newest first, and names sort by object first (NUL sorts lowest).

A version id is the timestamp its write began with (Swift's form, `1732562345.12345`),
or "null".
"""

from __future__ import annotations

from typing import Any

from objectstore.node import wire
from objectstore.timestamps import TICKS_PER_SECOND, Timestamp

RESERVED = "\x00"
VERSIONS_PREFIX = "\x00versions\x00"
NULL = "null"
# a container's versioning state, kept as its system metadata: "true" (enabled) or
# "false" (suspended; once enabled a container never goes back to unversioned)
STATE = "x-container-sysmeta-versions-enabled"
# on a pointer: the id of the version it stands for
POINTER = wire.OBJECT_SYSMETA + "versions-current"
# on a version copied from a null version (so S3 still calls it "null")
WAS_NULL = wire.OBJECT_SYSMETA + "versions-null"
# what the proxy adds to a resolved object's headers: the version it read
VERSION_ID = "x-backend-version-id"
DELETE_MARKER_TYPE = "application/x-deleted;swift_versions_deleted=1"
# the last tick a Timestamp can hold (9999999999.99999): versions invert against it
_LAST_TICK = 10_000_000_000 * TICKS_PER_SECOND - 1


def versions_container(container: str) -> str:
    return VERSIONS_PREFIX + container


def is_reserved(name: str) -> bool:
    """A name no API may use (a versions container): hidden from listings."""
    return name.startswith(RESERVED)


def version_id(timestamp: Timestamp) -> str:
    return timestamp.normal


_last_new = 0


def new_version_id() -> str:
    """A new version's id: now, and never the same as this process's previous one (two
    writes of one object in the same 10 us would otherwise share a version's name)."""
    global _last_new
    ticks = max(Timestamp.now().ticks, _last_new + 1)
    _last_new = ticks
    return version_id(Timestamp(ticks))


def parse_version_id(text: str) -> Timestamp:
    """The timestamp a (non-null) version id names; ValueError if it is none."""
    if len(text) != 16 or text[10:11] != ".":
        raise ValueError(f"not a version id: {text!r}")
    return Timestamp.parse(text)


def version_object(obj: str, vid: str) -> str:
    """The versions container's name for version `vid` of `obj`."""
    inverted = Timestamp(_LAST_TICK - parse_version_id(vid).ticks)
    return f"{obj}{RESERVED}{inverted.normal}"


def versions_prefix(obj: str) -> str:
    """The prefix all of `obj`'s versions share (and nothing else)."""
    return obj + RESERVED


def parse_version_object(name: str) -> tuple[str, str] | None:
    """(object, version id) of a versions container's name; None for another name."""
    obj, sep, inverted = name.rpartition(RESERVED)
    if not sep:
        return None
    try:
        ticks = Timestamp.parse(inverted).ticks
    except ValueError:
        return None
    return obj, version_id(Timestamp(_LAST_TICK - ticks))


def listed_size(row: dict[str, Any]) -> dict[str, Any]:
    """A container row as listings show it: a pointer's row has the size of its version
    (kept in its ETag's parameters; the pointer itself holds no bytes, so the
    container's counts do not count a version twice: the versions container has it)."""
    value = row.get("hash", "")
    if "version_bytes=" not in value:
        return row
    for param in value.split(";")[1:]:
        key, _, size = param.strip().partition("=")
        if key == "version_bytes" and size.isdigit():
            return {**row, "bytes": int(size)}
    return row
