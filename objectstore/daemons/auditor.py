"""The auditor: reads every object file on the node's devices at a bounded rate and
checks it whole (footer, size, xxh3 checksum of the content); a damaged file is moved
to `quarantined/` with the reason, so the replicator restores a good copy from another
replica. Container and account databases get SQLite's `PRAGMA quick_check` and are
quarantined the same way when it fails."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from objectstore.errors import DiskFileError
from objectstore.node import paths
from objectstore.node.config import NodeConfig
from objectstore.node.diskfile import quarantine_file, verify_file


@dataclass
class AuditStats:
    files: int = 0
    bytes: int = 0
    quarantined: int = 0
    databases: int = 0
    databases_quarantined: int = 0
    started: float = field(default_factory=time.time)
    finished: float = 0.0

    def summary(self) -> str:
        seconds = max(self.finished - self.started, 1e-9)
        return (f"{self.files} object files ({self.bytes / 1e6:.1f} MB, "
                f"{self.bytes / 1e6 / seconds:.1f} MB/s) checked, {self.quarantined} "
                f"quarantined; {self.databases} databases checked, "
                f"{self.databases_quarantined} quarantined; {seconds:.1f} s")


def object_files(devices: Path) -> Iterator[tuple[str, Path]]:
    """(device, path) of every .data file, device by device, partition by partition."""
    with contextlib.suppress(FileNotFoundError):
        for device in sorted(os.listdir(devices)):
            root = devices / device / paths.OBJECTS
            for dirpath, _, filenames in os.walk(root):
                for name in filenames:
                    if name.endswith(".data"):
                        yield device, Path(dirpath) / name


def database_files(devices: Path) -> Iterator[tuple[str, Path]]:
    with contextlib.suppress(FileNotFoundError):
        for device in sorted(os.listdir(devices)):
            for kind in (paths.CONTAINERS, paths.ACCOUNTS):
                for dirpath, _, filenames in os.walk(devices / device / kind):
                    for name in filenames:
                        if name.endswith(".db"):
                            yield device, Path(dirpath) / name


def check_database(path: Path) -> str | None:
    """None if SQLite finds the database sound, else what it found."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return None if rows == [("ok",)] else "; ".join(str(r[0]) for r in rows[:5])


class Auditor:
    def __init__(self, config: NodeConfig, bytes_per_second: float = 10e6,
                 files_per_second: float = 20.0) -> None:
        self.config = config
        self.bytes_per_second = bytes_per_second
        self.files_per_second = files_per_second

    async def run_once(self, progress: Callable[[int, int], None] | None = None
                       ) -> AuditStats:
        stats = AuditStats()
        files = await asyncio.to_thread(lambda: list(object_files(self.config.devices)))
        began = time.monotonic()
        for i, (device, path) in enumerate(files):
            await asyncio.to_thread(self._audit_file, device, path, stats)
            await self._throttle(began, stats)
            if progress is not None:
                progress(i + 1, len(files))
        for device, path in await asyncio.to_thread(
                lambda: list(database_files(self.config.devices))):
            stats.databases += 1
            problem = await asyncio.to_thread(check_database, path)
            if problem is not None:
                await asyncio.to_thread(self._quarantine_db, device, path, problem)
                stats.databases_quarantined += 1
        stats.finished = time.time()
        return stats

    async def run_forever(self, interval: float = 60.0) -> None:
        while True:
            await self.run_once()
            await asyncio.sleep(interval)

    def _audit_file(self, device: str, path: Path, stats: AuditStats) -> None:
        try:
            meta = verify_file(path)
            stats.bytes += meta.size if meta else 0
        except FileNotFoundError:
            return                       # replaced since the walk listed it
        except DiskFileError as exc:
            quarantine_file(self.config.devices, device, path.parent.name, path, str(exc))
            stats.quarantined += 1
        stats.files += 1

    async def _throttle(self, began: float, stats: AuditStats) -> None:
        """Sleep so that files/s and bytes/s stay under their limits."""
        elapsed = time.monotonic() - began
        wait = 0.0
        if self.files_per_second > 0:
            wait = max(wait, stats.files / self.files_per_second - elapsed)
        if self.bytes_per_second > 0:
            wait = max(wait, stats.bytes / self.bytes_per_second - elapsed)
        if wait > 0:
            await asyncio.sleep(wait)

    def _quarantine_db(self, device: str, path: Path, reason: str) -> None:
        target = self.config.devices / device / paths.QUARANTINED / "databases" / path.stem
        target.mkdir(parents=True, exist_ok=True)
        for extra in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{path}{extra}", target / f"{path.name}{extra}")
        (target / "reason").write_text(reason + "\n")
