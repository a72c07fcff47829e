"""The content checksums S3 clients send (x-amz-checksum-*): CRC32, CRC32C, CRC64NVME,
MD5, SHA-1, SHA-256, SHA-512, XXHASH64, XXHASH3 (64-bit) and XXHASH128 (XXH3's 128-bit
form), as running sums, and how a multipart object's checksum is made from its parts' (a
checksum of the part checksums, or for the CRCs optionally the CRC of the whole object,
combined arithmetically without reading the data again).

The CRCs come from awscrt (AWS's C library, the one botocore itself uses): zlib has
no CRC32C or CRC64NVME, and Python loops would cap uploads at a few MB/s. The xxhashes
come from the xxhash package; every digest goes on the wire big-endian (the canonical
form botocore sends), base64-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Callable
from typing import Any

import xxhash
from awscrt import checksums as crt

CRCS: dict[str, tuple[Callable[[bytes, int], int], int]] = {
    "crc32": (lambda data, prev: zlib.crc32(data, prev), 4),
    "crc32c": (lambda data, prev: crt.crc32c(data, prev), 4),
    "crc64nvme": (lambda data, prev: crt.crc64nvme(data, prev), 8),
}
# the other algorithms: a hashlib-like object with update() and digest()
HASHES: dict[str, Callable[[], Any]] = {
    "md5": lambda: hashlib.md5(usedforsecurity=False),
    "sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512,
    "xxhash64": xxhash.xxh64, "xxhash3": xxhash.xxh3_64, "xxhash128": xxhash.xxh3_128,
}
ALGORITHMS = (*CRCS, *HASHES)
SIZES = {name: width for name, (_, width) in CRCS.items()} | {
    "md5": 16, "sha1": 20, "sha256": 32, "sha512": 64,
    "xxhash64": 8, "xxhash3": 8, "xxhash128": 16}
_COMBINE: dict[str, Callable[[int, int, int], int]] = {
    "crc32": crt.combine_crc32, "crc32c": crt.combine_crc32c,
    "crc64nvme": crt.combine_crc64nvme,
}


class RunningChecksum:
    """One algorithm's sum over a stream, fed chunk by chunk."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._crc = CRCS.get(name)
        self._value = 0
        self._hash: Any = None if self._crc else HASHES[name]()

    def update(self, data: bytes) -> None:
        if self._crc is not None:
            self._value = self._crc[0](data, self._value)
        else:
            self._hash.update(data)

    def digest(self) -> bytes:
        if self._crc is not None:
            return self._value.to_bytes(self._crc[1], "big")
        return bytes(self._hash.digest())

    def b64digest(self) -> str:
        return base64.b64encode(self.digest()).decode()


def running(name: str) -> RunningChecksum | None:
    """A running checksum for a known algorithm name (any case); None otherwise."""
    name = name.strip().lower()
    return RunningChecksum(name) if name in ALGORITHMS else None


def composite(name: str, part_values: list[str]) -> str:
    """S3's COMPOSITE checksum of a multipart object: the checksum of the parts' raw
    checksums, then `-<number of parts>`."""
    summer = RunningChecksum(name)
    for value in part_values:
        summer.update(base64.b64decode(value))
    return f"{summer.b64digest()}-{len(part_values)}"


def full_object(name: str, parts: list[tuple[str, int]]) -> str:
    """The FULL_OBJECT checksum of a multipart object (CRCs only): the CRC of all its
    bytes, combined from each part's (checksum, size)."""
    combine = _COMBINE[name]
    width = CRCS[name][1]
    value = 0
    for index, (b64, size) in enumerate(parts):
        part = int.from_bytes(base64.b64decode(b64), "big")
        value = part if index == 0 else combine(value, part, size)
    return base64.b64encode(value.to_bytes(width, "big")).decode()


def valid_value(name: str, value: str) -> bool:
    """Whether `value` is well-formed base64 of the algorithm's digest size."""
    try:
        return len(base64.b64decode(value, validate=True)) == SIZES[name]
    except (ValueError, KeyError):
        return False
