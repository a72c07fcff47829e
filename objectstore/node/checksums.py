"""Extra content checksums a node computes while writing, when the caller asks
(`x-backend-checksum-algorithm`): the S3 API stores and returns them, and a value known
only at the end of an upload (a trailer) cannot travel in the request's headers."""

from __future__ import annotations

import base64
import hashlib
import zlib
from typing import Any


class ExtraChecksum:
    def __init__(self, name: str, state: Any) -> None:
        self.name = name
        self._state = state
        self._crc = 0

    def update(self, data: bytes) -> None:
        if self._state is None:
            self._crc = zlib.crc32(data, self._crc)
        else:
            self._state.update(data)

    def b64digest(self) -> str:
        raw = self._crc.to_bytes(4, "big") if self._state is None else self._state.digest()
        return base64.b64encode(raw).decode()


def extra_checksum(name: str) -> ExtraChecksum | None:
    """A running checksum for crc32, sha1 or sha256; None for anything else."""
    name = name.strip().lower()
    if name == "crc32":
        return ExtraChecksum(name, None)
    if name in ("sha1", "sha256"):
        return ExtraChecksum(name, hashlib.new(name))
    return None
