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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from objectstore.daemons.base import Clock, Daemon, PassStats, Sleep
from objectstore.errors import DiskFileError
from objectstore.node import paths
from objectstore.node.config import NodeConfig
from objectstore.node.diskfile import quarantine_file, verify_file


@dataclass
class AuditStats(PassStats):
    files: int = 0
    bytes: int = 0
    quarantined: int = 0
    databases: int = 0
    databases_quarantined: int = 0

    def pass_items(self) -> int:
        return self.files + self.databases

    def pass_bytes(self) -> int:
        return self.bytes

    def summary(self) -> str:
        seconds = max(self.seconds, 1e-9)
        return (f"{self.files} object files ({self.bytes / 1e6:.1f} MB, "
                f"{self.bytes / 1e6 / seconds:.1f} MB/s) checked, {self.quarantined} "
                f"quarantined; {self.databases} databases checked, "
                f"{self.databases_quarantined} quarantined; {self.failures} failures; "
                f"{self.seconds:.1f} s")


@dataclass(frozen=True)
class AuditJob:
    device: str
    path: Path
    database: bool = False      # a container or account database, not an object file


def object_files(devices: Path) -> Iterator[tuple[str, Path]]:
    """(device, path) of every .data file, device by device, storage policy by policy,
    partition by partition."""
    with contextlib.suppress(FileNotFoundError):
        for device in sorted(os.listdir(devices)):
            if not (devices / device).is_dir():
                continue
            for kind in sorted(os.listdir(devices / device)):   # every policy's
                if paths.policy_of_kind(kind) is None:
                    continue
                for dirpath, _, filenames in os.walk(devices / device / kind):
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


class Auditor(Daemon[AuditJob, AuditStats]):
    name = "auditor"
    interval = 60.0

    def __init__(self, config: NodeConfig, bytes_per_second: float = 10e6,
                 files_per_second: float = 20.0, clock: Clock = time.time,
                 sleep: Sleep = asyncio.sleep) -> None:
        super().__init__(clock, sleep)
        self.config = config
        self.bytes_per_second = bytes_per_second
        self.files_per_second = files_per_second

    def new_stats(self) -> AuditStats:
        return AuditStats()

    async def list_jobs(self) -> list[AuditJob]:
        def walk() -> list[AuditJob]:
            return ([AuditJob(d, p) for d, p in object_files(self.config.devices)]
                    + [AuditJob(d, p, True) for d, p in database_files(self.config.devices)])
        return await asyncio.to_thread(walk)

    def describe(self, job: AuditJob) -> str:
        return str(job.path)

    async def process(self, job: AuditJob, stats: AuditStats) -> None:
        if job.database:
            stats.databases += 1
            problem = await asyncio.to_thread(check_database, job.path)
            if problem is not None:
                await asyncio.to_thread(self._quarantine_db, job.device, job.path, problem)
                stats.databases_quarantined += 1
            return
        await asyncio.to_thread(self._audit_file, job.device, job.path, stats)
        await self._throttle(stats)

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

    async def _throttle(self, stats: AuditStats) -> None:
        """Sleep so that files/s and bytes/s stay under their limits."""
        elapsed = self.clock() - stats.started
        wait = 0.0
        if self.files_per_second > 0:
            wait = max(wait, stats.files / self.files_per_second - elapsed)
        if self.bytes_per_second > 0:
            wait = max(wait, stats.bytes / self.bytes_per_second - elapsed)
        if wait > 0:
            await self.sleep(wait)

    def _quarantine_db(self, device: str, path: Path, reason: str) -> None:
        target = self.config.devices / device / paths.QUARANTINED / "databases" / path.stem
        target.mkdir(parents=True, exist_ok=True)
        for extra in ("", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(f"{path}{extra}", target / f"{path.name}{extra}")
        (target / "reason").write_text(reason + "\n")
