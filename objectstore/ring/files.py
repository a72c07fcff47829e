"""The ring's only contact with the disk: builder files, ring files, and reloading.

Builder file (JSON, for people and for the next rebalance):
    {"format": "objectstore-ring-builder", "format_version": 1, "part_power", "replicas",
     "min_part_hours", "version", "next_id", "devices": [{...}, ...],
     "assignment": null | {"rows": [<table>, ...]}, "last_moved": <table>,
     "policies": [{"index", "name", "replicas"}, ...]}   (absent: the default alone)
  where a <table> is {"typecode", "zlib_base64"}: a little-endian array, compressed.

Ring file (binary, compact, fast to load):
    magic  b"OSRING\\x00" + format byte (1)
    u32    length of the header (little-endian)
    header JSON {"version", "part_power", "replicas", "typecode", "compression": "zlib",
                 "devices": [...], "policies": [{"index", "name", "replicas"}, ...]}
    rows   zlib-compressed: replicas x 2**part_power device ids, little-endian, each
           `typecode` wide (B, H or I: the narrowest that holds every id)
    16     xxh3-128 digest of everything before it: the ring's checksum

Every write goes to a temporary file that is fsynced and renamed over the target, so a
reader sees the old file or the new one, never a mix.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import struct
import sys
import tempfile
import threading
import time
import zlib
from array import array
from pathlib import Path
from typing import Any

import xxhash

from objectstore.ring.builder import MAX_PART_POWER, MAX_REPLICAS, RingBuilder
from objectstore.ring.devices import Device
from objectstore.ring.errors import RingError
from objectstore.ring.hashing import PathHasher
from objectstore.ring.policies import from_documents
from objectstore.ring.ringdata import RingData

BUILDER_FORMAT = "objectstore-ring-builder"
RING_MAGIC = b"OSRING\x00\x01"
_CHECKSUM_SIZE = 16


# -- atomic writes ---------------------------------------------------------------------
def write_atomic(path: str | os.PathLike[str], data: bytes, mode: int = 0o644) -> None:
    """Write `data` to `path` so that a crash leaves the old file or the new one
    (`mode`: its permissions; a key file's are the owner's only)."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            os.fchmod(f.fileno(), mode)      # mkstemp makes it private; rings are not
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _le_bytes(table: array[int]) -> bytes:
    if sys.byteorder == "big":
        table = array(table.typecode, table)
        table.byteswap()
    return table.tobytes()


def _from_le(typecode: str, raw: bytes) -> array[int]:
    table = array(typecode)
    table.frombytes(raw)
    if sys.byteorder == "big":
        table.byteswap()
    return table


# -- builder files ---------------------------------------------------------------------
def _pack_table(table: array[int]) -> dict[str, str]:
    return {"typecode": table.typecode,
            "zlib_base64": base64.b64encode(zlib.compress(_le_bytes(table), 6)).decode()}


def _unpack_table(raw: Any, typecode: str, length: int) -> array[int]:
    if not isinstance(raw, dict) or raw.get("typecode") != typecode:
        raise RingError(f"table must be {{'typecode': {typecode!r}, 'zlib_base64': ...}}")
    data = zlib.decompress(base64.b64decode(raw["zlib_base64"], validate=True))
    table = _from_le(typecode, data)
    if len(table) != length:
        raise RingError(f"table has {len(table)} entries, expected {length}")
    return table


def builder_to_json(builder: RingBuilder) -> bytes:
    doc = {
        "format": BUILDER_FORMAT,
        "format_version": 1,
        "part_power": builder.part_power,
        "replicas": builder.replicas,
        "min_part_hours": builder.min_part_hours,
        "version": builder.version,
        "next_id": builder.next_id,
        "devices": [d.to_dict() for d in builder.devices_sorted()],
        "assignment": (None if builder.rows is None
                       else {"rows": [_pack_table(row) for row in builder.rows]}),
        "last_moved": _pack_table(builder.last_moved),
        "policies": [p.to_dict() for p in builder.policies],
    }
    return (json.dumps(doc, indent=1) + "\n").encode()


def builder_from_json(data: bytes) -> RingBuilder:
    try:
        doc = json.loads(data)
        if not isinstance(doc, dict) or doc.get("format") != BUILDER_FORMAT:
            raise RingError("not an objectstore ring builder file")
        if doc.get("format_version") != 1:
            raise RingError(f"unsupported builder format version {doc.get('format_version')}")
        builder = RingBuilder(doc["part_power"], doc["replicas"], doc["min_part_hours"])
        builder.version = int(doc["version"])
        builder.policies = from_documents(doc.get("policies"), builder.replicas)
        for raw in doc["devices"]:
            dev = Device.from_dict(raw)
            builder.devices[dev.id] = dev
        builder.next_id = max([int(doc["next_id"])] + [i + 1 for i in builder.devices])
        builder.last_moved = _unpack_table(doc["last_moved"], "I", builder.parts)
        if doc["assignment"] is not None:
            rows = [_unpack_table(r, "i", builder.parts) for r in doc["assignment"]["rows"]]
            if len(rows) != builder.replicas:
                raise RingError(f"{len(rows)} assignment rows for {builder.replicas} replicas")
            builder.rows = rows
        return builder
    except RingError:
        raise
    except (ValueError, KeyError, TypeError, zlib.error) as exc:
        raise RingError(f"corrupt builder file: {exc.__class__.__name__}: {exc}") from None


def save_builder(builder: RingBuilder, path: str | os.PathLike[str]) -> None:
    write_atomic(path, builder_to_json(builder))


def load_builder(path: str | os.PathLike[str]) -> RingBuilder:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RingError(f"cannot read builder file {path}: {exc.strerror}") from None
    try:
        return builder_from_json(data)
    except RingError as exc:
        raise RingError(f"{path}: {exc}") from None


# -- ring files ------------------------------------------------------------------------
def ring_to_bytes(ring: RingData) -> bytes:
    typecode = ring.rows[0].typecode if ring.rows else "H"
    header = json.dumps({
        "version": ring.version, "part_power": ring.part_power, "replicas": ring.replicas,
        "typecode": typecode, "compression": "zlib",
        "devices": [d.to_dict() for d in ring.devices],
        "policies": [p.to_dict() for p in ring.policies],
    }, separators=(",", ":")).encode()
    table = zlib.compress(b"".join(_le_bytes(row) for row in ring.rows), 6)
    body = b"".join([RING_MAGIC, struct.pack("<I", len(header)), header, table])
    return body + xxhash.xxh3_128_digest(body)


def ring_from_bytes(data: bytes, hasher: PathHasher | None = None) -> RingData:
    if len(data) < len(RING_MAGIC) + 4 + _CHECKSUM_SIZE or not data.startswith(RING_MAGIC):
        raise RingError("not an objectstore ring file")
    body, digest = data[:-_CHECKSUM_SIZE], data[-_CHECKSUM_SIZE:]
    if xxhash.xxh3_128_digest(body) != digest:
        raise RingError("ring file checksum mismatch: the file is damaged")
    try:
        (header_len,) = struct.unpack_from("<I", body, len(RING_MAGIC))
        start = len(RING_MAGIC) + 4
        header = json.loads(body[start:start + header_len])
        part_power, replicas = int(header["part_power"]), int(header["replicas"])
        if not (0 <= part_power <= MAX_PART_POWER and 1 <= replicas <= MAX_REPLICAS):
            raise RingError(f"impossible ring: part power {part_power}, {replicas} replicas")
        typecode = header["typecode"]
        if typecode not in ("B", "H", "I") or header.get("compression") != "zlib":
            raise RingError(f"unknown table encoding {typecode!r}/{header.get('compression')!r}")
        devices = [Device.from_dict(d) for d in header["devices"]]
        table = zlib.decompress(body[start + header_len:])
        size = (1 << part_power) * array(typecode).itemsize
        if len(table) != replicas * size:
            raise RingError("ring table has the wrong size")
        rows = [_from_le(typecode, table[r * size:(r + 1) * size]) for r in range(replicas)]
        policies = from_documents(header.get("policies"), replicas)
    except RingError:
        raise
    except (ValueError, KeyError, TypeError, struct.error, zlib.error) as exc:
        raise RingError(f"corrupt ring file: {exc}") from None
    # Only our builder writes ring files, and it refuses a table naming unlisted
    # devices; the checksum stands for the rest, so no scan of the table here.
    return RingData(part_power, replicas, int(header["version"]), devices, rows,
                    hasher=hasher, checksum=digest.hex(), policies=policies)


def save_ring(ring: RingData, path: str | os.PathLike[str]) -> str:
    """Write the ring file; returns its checksum."""
    data = ring_to_bytes(ring)
    write_atomic(path, data)
    return data[-_CHECKSUM_SIZE:].hex()


def load_ring(path: str | os.PathLike[str], hasher: PathHasher | None = None) -> RingData:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RingError(f"cannot read ring file {path}: {exc.strerror}") from None
    try:
        return ring_from_bytes(data, hasher)
    except RingError as exc:
        raise RingError(f"{path}: {exc}") from None


class RingFile:
    """A ring file that is reloaded when it changes on disk.

    `current()` returns a whole `RingData`; callers take it once per request and do all
    their lookups on it. The file is checked at most every `check_interval` seconds; a
    changed file that fails to load keeps the old ring in service."""

    def __init__(self, path: str | os.PathLike[str], hasher: PathHasher | None = None,
                 check_interval: float = 1.0) -> None:
        self.path = Path(path)
        self.hasher = hasher
        self.check_interval = check_interval
        self._lock = threading.Lock()
        self._stamp = self._file_stamp()
        self._ring = load_ring(self.path, hasher)
        self._next_check = time.monotonic() + check_interval
        self.last_error: str | None = None

    def _file_stamp(self) -> tuple[int, int, int]:
        st = os.stat(self.path)
        return (st.st_ino, st.st_size, st.st_mtime_ns)

    def current(self) -> RingData:
        if time.monotonic() >= self._next_check:
            self.reload_if_changed()
        return self._ring

    def reload_if_changed(self) -> bool:
        """Reload now if the file changed; True if a new ring was loaded."""
        with self._lock:
            self._next_check = time.monotonic() + self.check_interval
            try:
                stamp = self._file_stamp()
                if stamp == self._stamp:
                    return False
                ring = load_ring(self.path, self.hasher)
            except (OSError, RingError) as exc:
                self.last_error = str(exc)
                return False
            self._stamp, self.last_error = stamp, None
            if ring.version < self._ring.version:     # never back to an older ring
                self.last_error = (f"{self.path} holds ring version {ring.version}, "
                                   f"older than the {self._ring.version} in use")
                return False
            self._ring = ring
            return True

    def install(self, data: bytes) -> RingData:
        """Use the ring file `data` (checked) from now on, and keep it in the file if the
        file can be written (a read-only copy keeps it in memory only)."""
        ring = ring_from_bytes(data, self.hasher)
        with self._lock:
            try:
                write_atomic(self.path, data)
                self._stamp = self._file_stamp()
            except OSError as exc:
                self.last_error = f"cannot write {self.path}: {exc.strerror}"
            self._ring = ring
        return ring
