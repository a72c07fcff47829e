"""A storage node's configuration: loaded once, passed down, never global."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from objectstore.ring.hashing import PathHasher


@dataclass(frozen=True)
class NodeConfig:
    devices: Path                 # one directory per device below this
    secret: bytes                 # the cluster secret: node API auth
    hash_prefix: str = ""         # the ring's path-hash salt
    hash_suffix: str = ""
    host: str = "127.0.0.1"
    port: int = 6200
    connect_timeout: float = 2.0  # for container updates to other nodes
    read_timeout: float = 10.0
    ring: Path | None = None      # the ring file (the daemons need it; the server not)
    reserve_bytes: int = 16 * 1024 * 1024   # a PUT leaving less free is refused (507)
    update_timeout: float = 0.5   # a container update slower than this is queued instead

    def hasher(self) -> PathHasher:
        return PathHasher(self.hash_prefix, self.hash_suffix)
