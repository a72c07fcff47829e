"""Where a name lands: a keyed hash of the path, then its top bits are the partition.

The hash is BLAKE2b keyed with the cluster's secret prefix/suffix. A keyed hash is a
pseudo-random function, so without the secret nobody can choose names that pile into
one partition. The 16-byte digest doubles as the object's directory name on disk.
"""

from __future__ import annotations

import hashlib

_KEY_PERSON = b"objectstore-key"


class PathHasher:
    """Hashes `/account[/container[/object]]` with the cluster secret."""

    __slots__ = ("_base",)

    def __init__(self, prefix: str = "", suffix: str = "") -> None:
        material = b"%d:%s:%s" % (len(prefix.encode()), prefix.encode(), suffix.encode())
        key = hashlib.blake2b(material, digest_size=32, person=_KEY_PERSON).digest()
        self._base = hashlib.blake2b(key=key, digest_size=16)

    def digest(self, account: str, container: str | None = None,
               obj: str | None = None) -> bytes:
        """16-byte keyed hash of the path; `obj` needs `container`."""
        h = self._base.copy()
        h.update(path_bytes(account, container, obj))
        return h.digest()


def path_bytes(account: str, container: str | None = None, obj: str | None = None) -> bytes:
    """The hashed path: `/account`, `/account/container` or `/account/container/object`."""
    if obj is not None and container is None:
        raise ValueError("an object name needs a container name")
    if container is None:
        return ("/" + account).encode()
    if obj is None:
        return ("/" + account + "/" + container).encode()
    return ("/" + account + "/" + container + "/" + obj).encode()


def partition_of(digest: bytes, part_power: int) -> int:
    """The top `part_power` bits of the digest."""
    return int.from_bytes(digest[:4], "big") >> (32 - part_power)
