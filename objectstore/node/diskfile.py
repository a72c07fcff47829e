"""Object files on a storage node: the one seam between the object server and the disk.

An object version is one file, `<timestamp>.data`, self-describing so the auditor can
check it alone:

    content bytes | footer JSON | u32 footer length (little-endian) | b"OSF1"

The footer holds the name, timestamp, size, content type, MD5 ETag, xxh3-64 checksum
of the content, user metadata and other stored headers. Metadata lives in the file, not
in xattrs, so the largest metadata the APIs allow fits on any filesystem.

A POST adds `<timestamp>.meta` (JSON: the replacement user metadata and expiry, and any
system metadata it carried, which then stands over the .data's under those names: what
the APIs change without rewriting an object, as S3's tags); a DELETE leaves
`<timestamp>.ts`, a tombstone. The newest timestamp wins; older files are removed.

The durable write, step by step (a crash at any point leaves the old object or the new
one, never a part):
 1. stream the content into a temporary file in the device's tmp/ directory;
 2. append the footer, fsync the file;
 3. rename it into the object's directory (atomic within one filesystem);
 4. fsync the object's directory, so the rename itself survives a crash;
 5. remove the files the new one makes obsolete.
Reads and writes of content happen in fixed-size chunks; the blocking steps (open,
fsync, rename, listdir) are meant to run off the event loop (see node/server.py).
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import struct
import tempfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import xxhash

from objectstore.errors import DiskFileError, InsufficientStorage, ObjectNotFound
from objectstore.node import paths
from objectstore.node.syncer import Syncer
from objectstore.node.wire import DELETE_AT
from objectstore.timestamps import Timestamp

CHUNK = 256 * 1024
_TRAILER = struct.Struct("<I4s")
_MAGIC = b"OSF1"
MAX_FOOTER = 1 << 20
T = TypeVar("T")


@dataclass
class ObjectMetadata:
    """What the footer of a .data file (plus a newer .meta) says about an object."""

    name: str
    timestamp: Timestamp
    size: int
    etag: str
    checksum: str
    content_type: str = "application/octet-stream"
    user_meta: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)   # Content-Encoding and such
    meta_timestamp: Timestamp | None = None                 # of the newest .meta, if any

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "timestamp": self.timestamp.internal, "size": self.size,
                "etag": self.etag, "checksum": self.checksum,
                "content_type": self.content_type, "user_meta": self.user_meta,
                "headers": self.headers}

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ObjectMetadata:
        return cls(name=doc["name"], timestamp=Timestamp.parse(doc["timestamp"]),
                   size=int(doc["size"]), etag=doc["etag"], checksum=doc["checksum"],
                   content_type=doc["content_type"], user_meta=dict(doc["user_meta"]),
                   headers=dict(doc["headers"]))


@dataclass(frozen=True)
class Listing:
    """The files of one object directory that still matter."""

    data: Path | None = None
    meta: Path | None = None
    tombstone: Path | None = None

    @property
    def timestamp(self) -> Timestamp | None:
        newest = self.data or self.tombstone
        return file_timestamp(newest.name) if newest else None


def file_timestamp(filename: str) -> Timestamp:
    """The timestamp an object file is named by (`<timestamp>.<ext>`)."""
    return Timestamp.parse(filename.rsplit(".", 1)[0])


def scan(directory: Path) -> Listing:
    """The newest .data or .ts of a directory, and a .meta newer than that .data."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return Listing()
    best: Path | None = None
    best_ts: Timestamp | None = None
    meta: Path | None = None
    meta_ts: Timestamp | None = None
    for name in names:
        stem, _, ext = name.rpartition(".")
        try:
            ts = Timestamp.parse(stem)
        except ValueError:
            continue
        if ext in ("data", "ts") and (best_ts is None or ts > best_ts):
            best, best_ts = directory / name, ts
        elif ext == "meta" and (meta_ts is None or ts > meta_ts):
            meta, meta_ts = directory / name, ts
    if best is None or best.suffix == ".ts":
        return Listing(tombstone=best)
    if meta is not None and meta_ts is not None and best_ts is not None and meta_ts > best_ts:
        return Listing(data=best, meta=meta)
    return Listing(data=best)


def cleanup(directory: Path) -> Listing:
    """Remove files made obsolete by newer ones (never the ones `scan` would pick);
    returns what is kept."""
    keep = scan(directory)
    wanted = {p for p in (keep.data, keep.meta, keep.tombstone) if p is not None}
    with contextlib.suppress(FileNotFoundError):
        for name in os.listdir(directory):
            path = directory / name
            if path not in wanted and name.rpartition(".")[2] in ("data", "meta", "ts"):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
    return keep


Step = int | tuple[int, ...]     # descriptors to fsync (all of them) before going on


def run_steps(steps: Generator[Step, None, T]) -> T:
    """Drive a `commit_steps` generator here, fsyncing what it yields."""
    try:
        fds = next(steps)
        while True:
            for fd in (fds,) if isinstance(fds, int) else fds:
                os.fsync(fd)
            fds = steps.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


async def run_steps_async(steps: Generator[Step, None, T], syncer: Syncer) -> T:
    """Drive a `commit_steps` generator on the event loop; only the fsyncs go to the
    syncer's threads (every blocking call in a thread contends for the GIL with the
    loop, and each contended hand-over costs more than the quick calls themselves)."""
    try:
        fds = next(steps)
        while True:
            # all settled before going on: the caller closes these descriptors
            await syncer.fsync_all((fds,) if isinstance(fds, int) else fds)
            fds = steps.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]


def place_steps(directory: Path, tmp_file: Path, final_name: str
                ) -> Generator[int, None, None]:
    """Steps 3-5: rename a synced file into an object's directory, have the directory
    synced (the yielded descriptor), remove what it makes obsolete."""
    directory.mkdir(parents=True, exist_ok=True)
    os.replace(tmp_file, directory / final_name)
    fd = os.open(directory, os.O_RDONLY)
    try:
        yield fd
    finally:
        os.close(fd)
    cleanup(directory)


def _full(exc: OSError) -> bool:
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


class DiskFile:
    """One object (name) on one device of one node."""

    def __init__(self, devices: Path, device: str, partition: int, name: str,
                 name_hash: str, policy: int = 0) -> None:
        self.devices = devices
        self.device = device
        self.name = name
        self.name_hash = name_hash
        self.directory = paths.object_dir(devices, device, partition, name_hash, policy)
        self.tmp_file: Path | None = None     # of the small file being installed

    # -- writing -----------------------------------------------------------------------
    def writer(self, size: int | None = None, reserve: int = 0, etag: bool = True
               ) -> DiskFileWriter:
        """A writer for a new version; with its `size` known, refused up front
        (InsufficientStorage) unless the device has room for it and `reserve` more.
        With etag=False the caller supplies the MD5 (`use_etag`)."""
        if size is not None:
            check_space(self.devices, self.device, size, reserve)
        return DiskFileWriter(self, etag)

    def write_tombstone(self, timestamp: Timestamp) -> None:
        run_steps(self.tombstone_steps(timestamp))

    def tombstone_steps(self, timestamp: Timestamp, update: dict[str, Any] | None = None
                        ) -> Generator[int, None, None]:
        """`update`: the listing update this delete owes, kept in the tombstone (see
        node/pending.py)."""
        doc: dict[str, Any] = {"name": self.name}
        if update is not None:
            doc["update"] = update
        return self.install_steps(json.dumps(doc).encode(), timestamp, "ts")

    def write_meta(self, timestamp: Timestamp, user_meta: dict[str, str],
                   delete_at: str | None = None, sysmeta: dict[str, str] | None = None
                   ) -> None:
        """POSTed metadata: replaces the user metadata of the current .data, and its
        expiry (None: none, as a Swift POST without X-Delete-At leaves it); `sysmeta`
        stands over the .data's system metadata of those names. Each .meta is the
        whole posted state (the proxy carries forward what it keeps), so replicas
        that missed an earlier POST agree once they have the newest."""
        current = self.read_metadata()              # raises ObjectNotFound
        if timestamp <= current.timestamp:
            return
        doc: dict[str, Any] = {"user_meta": user_meta, DELETE_AT: delete_at}
        if sysmeta:
            doc["sysmeta"] = sysmeta
        self._install(json.dumps(doc).encode(), timestamp, "meta")

    def _install(self, body: bytes, timestamp: Timestamp, ext: str) -> None:
        run_steps(self.install_steps(body, timestamp, ext))

    def install_steps(self, body: bytes, timestamp: Timestamp, ext: str
                      ) -> Generator[int, None, None]:
        """Write a small file (.ts, .meta) durably, as steps (see `commit_steps`)."""
        tmp = paths.tmp_dir(self.devices, self.device)
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=tmp)
            self.tmp_file = Path(name)      # written whole by the first step
            try:
                os.write(fd, body)
                yield fd
            finally:
                os.close(fd)
            yield from self.place_steps(Path(name), f"{timestamp.internal}.{ext}")
        except OSError as exc:
            if _full(exc):
                raise InsufficientStorage(f"device {self.device} is full") from None
            raise

    def place_steps(self, tmp_file: Path, final_name: str) -> Generator[int, None, None]:
        return place_steps(self.directory, tmp_file, final_name)

    # -- reading -----------------------------------------------------------------------
    def read_metadata(self) -> ObjectMetadata:
        """Metadata of the current version; ObjectNotFound if none or deleted."""
        with self.open() as reader:
            return reader.metadata

    def open(self) -> DiskFileReader:
        """Open the current version for reading (ObjectNotFound if none or deleted)."""
        listing = scan(self.directory)
        if listing.data is None:
            raise ObjectNotFound(self.name)
        try:
            f = open(listing.data, "rb")  # noqa: SIM115 -- the reader owns it
        except FileNotFoundError:
            return self.open()      # replaced between scan and open: look again
        try:
            meta = read_footer(f, listing.data)
        except BaseException:
            f.close()
            raise
        if listing.meta is not None:
            try:
                posted = json.loads(listing.meta.read_bytes())
                meta.user_meta = dict(posted["user_meta"])
                meta.headers.update(posted.get("sysmeta", {}))
                meta.meta_timestamp = file_timestamp(listing.meta.name)
                if DELETE_AT in posted:         # (.meta files of before had no expiry)
                    meta.headers.pop(DELETE_AT, None)
                    if posted[DELETE_AT]:
                        meta.headers[DELETE_AT] = str(posted[DELETE_AT])
            except FileNotFoundError:
                pass    # replaced by a newer one meanwhile; the .data's metadata stands
            except (ValueError, KeyError, TypeError) as exc:
                f.close()
                raise DiskFileError(f"bad .meta file {listing.meta}: {exc}") from None
        return DiskFileReader(self, f, listing.data, meta)

    def newest_timestamp(self) -> Timestamp | None:
        """Timestamp of the current .data or tombstone (None if nothing is here)."""
        return scan(self.directory).timestamp

    def quarantine(self, data_file: Path, reason: str) -> Path:
        return quarantine_file(self.devices, self.device, self.name_hash, data_file, reason)


def quarantine_file(devices: Path, device: str, name_hash: str, data_file: Path,
                    reason: str) -> Path:
    """Move a damaged file aside with the reason. Its object directory no longer holds
    it, so the partition's suffix hash changes and replication brings a good copy."""
    target = paths.quarantine_dir(devices, device, name_hash)
    target.mkdir(parents=True, exist_ok=True)
    dest = target / data_file.name
    with contextlib.suppress(FileNotFoundError):
        os.replace(data_file, dest)
        (target / f"{data_file.name}.reason").write_text(reason + "\n")
    return dest


def footer_doc(f: Any, path: Path) -> tuple[dict[str, Any], int]:
    """The footer of an open .data file as JSON, and where it starts."""
    try:
        end = os.fstat(f.fileno()).st_size
        if end < _TRAILER.size:
            raise ValueError("shorter than its trailer")
        f.seek(end - _TRAILER.size)
        length, magic = _TRAILER.unpack(f.read(_TRAILER.size))
        if magic != _MAGIC or length > MAX_FOOTER or length > end - _TRAILER.size:
            raise ValueError("no footer")
        f.seek(end - _TRAILER.size - length)
        return dict(json.loads(f.read(length))), end - _TRAILER.size - length
    except (ValueError, TypeError, struct.error) as exc:
        raise DiskFileError(f"damaged object file {path}: {exc}") from None


def read_footer(f: Any, path: Path) -> ObjectMetadata:
    """Read and check the footer of an open .data file."""
    doc, start = footer_doc(f, path)
    try:
        meta = ObjectMetadata.from_json(doc)
        if meta.size != start:
            raise ValueError(f"size {meta.size} does not match the file")
        f.seek(0)
        return meta
    except (ValueError, KeyError, TypeError, struct.error) as exc:
        raise DiskFileError(f"damaged object file {path}: {exc}") from None


class NewerExists(Exception):
    """A commit found a version at least as new as its own already in place."""

    def __init__(self, held: Timestamp) -> None:
        super().__init__(held.internal)
        self.held = held


class DiskFileWriter:
    """Streams one new version into a temporary file; `commit` makes it the object.

    The first BUFFERED bytes stay in memory, so a small object costs no file-system
    call until its commit, which does them all in one go (one thread hop per write)."""

    BUFFERED = 64 * 1024

    def __init__(self, diskfile: DiskFile, etag: bool = True) -> None:
        self.diskfile = diskfile
        self.path: Path | None = None
        self._file: Any = None
        self._pending = bytearray()
        self._md5 = hashlib.md5(usedforsecurity=False) if etag else None
        self._given_etag = ""
        self._xxh = xxhash.xxh3_64()
        self.size = 0

    def _open(self) -> None:
        tmp = paths.tmp_dir(self.diskfile.devices, self.diskfile.device)
        try:
            tmp.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=tmp)
        except OSError as exc:
            if _full(exc):
                raise InsufficientStorage(f"device {self.diskfile.device} is full") from None
            raise
        self.path = Path(name)
        self._file = os.fdopen(fd, "wb")

    def _write_out(self, data: bytes | bytearray) -> None:
        try:
            if self._file is None:
                self._open()
            self._file.write(data)
        except OSError as exc:
            self.abort()
            if _full(exc):
                raise InsufficientStorage(f"device {self.diskfile.device} is full") from None
            raise

    def write(self, chunk: bytes) -> None:
        if self._md5 is not None:
            self._md5.update(chunk)
        self._xxh.update(chunk)
        self.size += len(chunk)
        if self._file is None and len(self._pending) + len(chunk) <= self.BUFFERED:
            self._pending += chunk
            return
        if self._pending:
            self._write_out(self._pending)
            self._pending = bytearray()
        self._write_out(chunk)

    @property
    def etag(self) -> str:
        return self._md5.hexdigest() if self._md5 is not None else self._given_etag

    @property
    def checksum(self) -> str:
        return self._xxh.hexdigest()

    def use_etag(self, md5: str) -> None:
        """The ETag computed by whoever sent the body (a writer made with etag=False)."""
        self._given_etag = md5

    def commit(self, timestamp: Timestamp, content_type: str,
               user_meta: dict[str, str] | None = None,
               headers: dict[str, str] | None = None,
               only_if_newer: bool = False) -> ObjectMetadata:
        """Steps 2-5 of the durable write; returns the stored metadata. With
        `only_if_newer`, NewerExists (and nothing kept) if the object already has a
        version at least as new."""
        steps = self.commit_steps(timestamp, content_type, user_meta, headers, only_if_newer)
        return run_steps(steps)

    def commit_steps(self, timestamp: Timestamp, content_type: str,
                     user_meta: dict[str, str] | None = None,
                     headers: dict[str, str] | None = None,
                     only_if_newer: bool = False, update: dict[str, Any] | None = None
                     ) -> Generator[int, None, ObjectMetadata]:
        """`commit` as steps: it yields each file descriptor that must be fsynced before
        it goes on, so the caller can do the slow fsyncs off the event loop and the
        quick calls on it (see `run_steps`). `update`: the listing update this write
        owes, kept in the footer (see node/pending.py)."""
        meta = ObjectMetadata(name=self.diskfile.name, timestamp=timestamp, size=self.size,
                              etag=self.etag, checksum=self.checksum,
                              content_type=content_type, user_meta=dict(user_meta or {}),
                              headers=dict(headers or {}))
        doc = meta.to_json()
        if update is not None:
            doc["update"] = update
        footer = json.dumps(doc, separators=(",", ":")).encode()
        if only_if_newer:
            held = scan(self.diskfile.directory).timestamp
            if held is not None and held >= timestamp:
                self.abort()
                raise NewerExists(held)
        self._write_out(bytes(self._pending) + footer + _TRAILER.pack(len(footer), _MAGIC))
        self._pending = bytearray()
        assert self.path is not None
        try:
            self._file.flush()
            yield self._file.fileno()
            self._file.close()
            yield from self.diskfile.place_steps(self.path, f"{timestamp.internal}.data")
        except OSError as exc:
            self.abort()
            if _full(exc):
                raise InsufficientStorage(f"device {self.diskfile.device} is full") from None
            raise
        return meta

    def abort(self) -> None:
        """Drop the temporary file; nothing of this write becomes visible."""
        self._pending = bytearray()
        if self._file is not None:
            with contextlib.suppress(OSError):
                self._file.close()
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


class DiskFileReader:
    """An open version. Reading it all verifies the checksum; a mismatch quarantines the
    file and raises DiskFileError, so the caller can abort instead of serving bad bytes."""

    def __init__(self, diskfile: DiskFile, f: Any, path: Path, meta: ObjectMetadata) -> None:
        self.diskfile = diskfile
        self._file = f
        self.path = path
        self.metadata = meta

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Bytes [start, end) in chunks; the whole object is checked against its
        checksum (a part cannot be, the auditor covers it)."""
        size = self.metadata.size
        end = size if end is None else min(end, size)
        whole = start == 0 and end == size
        xxh = xxhash.xxh3_64() if whole else None
        self._file.seek(start)
        left = end - start
        while left > 0:
            chunk = self._file.read(min(CHUNK, left))
            if not chunk:
                self._fail("file ended early")
            left -= len(chunk)
            if xxh is not None:
                xxh.update(chunk)
            if left == 0 and xxh is not None and xxh.hexdigest() != self.metadata.checksum:
                self._fail("content does not match its checksum")
            yield chunk

    def _fail(self, reason: str) -> None:
        self.close()
        self.diskfile.quarantine(self.path, reason)
        raise DiskFileError(f"{self.diskfile.name}: {reason}; quarantined")

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> DiskFileReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()



def verify_file(path: Path, ext: str | None = None) -> ObjectMetadata | None:
    """Check a file whole: a .data's footer, size and content checksum, or that a
    .meta / .ts is well-formed JSON; raises DiskFileError if not. `ext` names the kind
    when the file's own name does not (a temporary file). Returns a .data's metadata."""
    kind = ext or path.suffix.lstrip(".")
    if kind != "data":
        try:
            json.loads(path.read_bytes())
            return None
        except ValueError as exc:
            raise DiskFileError(f"damaged file {path}: {exc}") from None
    with open(path, "rb") as f:
        meta = read_footer(f, path)
        xxh = xxhash.xxh3_64()
        left = meta.size
        while left > 0:
            chunk = f.read(min(CHUNK, left))
            if not chunk:
                raise DiskFileError(f"damaged object file {path}: ended early")
            xxh.update(chunk)
            left -= len(chunk)
    if xxh.hexdigest() != meta.checksum:
        raise DiskFileError(f"damaged object file {path}: content does not match its "
                            "checksum")
    return meta


def install_file(devices: Path, device: str, partition: int, name_hash: str,
                 filename: str, tmp_file: Path, policy: int = 0) -> bool:
    """Put a file received from another replica into place, if it checks out and still
    matters here (nothing newer is held); True if it was installed. The temporary file
    is consumed either way."""
    try:
        ext = filename.rpartition(".")[2]
        try:
            stamp = file_timestamp(filename)
        except ValueError:
            raise DiskFileError(f"bad file name {filename!r}") from None
        if ext not in ("data", "meta", "ts"):
            raise DiskFileError(f"bad file name {filename!r}")
        verify_file(tmp_file, ext)
        directory = paths.object_dir(devices, device, partition, name_hash, policy)
        held = scan(directory).timestamp
        if held is not None and ext in ("data", "ts") and held >= stamp:
            return False
        run_steps(place_steps(directory, tmp_file, filename))
        return True
    finally:
        tmp_file.unlink(missing_ok=True)


def clear_tmp(devices: Path) -> int:
    """Remove what interrupted writes left in every device's tmp/ (at node start, when
    no write of this node can be in progress); the number of files removed."""
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for device in os.listdir(devices):
            tmp = devices / device / paths.TMP
            with contextlib.suppress(FileNotFoundError, NotADirectoryError):
                for name in os.listdir(tmp):
                    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                        (tmp / name).unlink()
                        removed += 1
    return removed


def check_space(devices: Path, device: str, needed: int, reserve: int) -> None:
    """InsufficientStorage unless the device has room for `needed` bytes and still
    `reserve` to spare, so a write that cannot fit is refused before it starts (and
    the proxy takes it to a handoff) instead of failing half-way."""
    try:
        st = os.statvfs(devices / paths.checked_device(device))
    except FileNotFoundError:
        raise InsufficientStorage(f"device {device} is not mounted") from None
    if st.f_bavail * st.f_frsize < needed + reserve:
        raise InsufficientStorage(f"device {device} is full")
