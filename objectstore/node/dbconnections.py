"""Open SQLite connections of a node, one per database file, reused across requests.

Opening a connection (and setting its pragmas) for every container update cost about
15% of a node's CPU on small PUTs. A connection is used by one thread at a time (its
lock), is left outside any transaction, and is reopened when the file at its path is no
longer the file it has open (quarantined by the auditor, removed or replaced).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote


def connect(path: Path, create: bool = False) -> sqlite3.Connection:
    """Open a database; one that does not exist is created only when asked (`create`):
    a reader must never leave an empty file where a database was removed, since that
    file would look like a database with no tables to everything that lists them."""
    if not create and not path.exists():
        raise FileNotFoundError(str(path))
    target = str(path) if create else f"file:{quote(str(path))}?mode=rw"
    conn = sqlite3.connect(target, timeout=30, isolation_level=None,
                           check_same_thread=False, uri=not create)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    conn: sqlite3.Connection | None = None
    identity: tuple[int, int] = (0, 0)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Connections:
    def __init__(self, limit: int = 512) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._open: OrderedDict[Path, _Entry] = OrderedDict()

    def _entry(self, path: Path) -> _Entry:
        with self._lock:
            entry = self._open.get(path)
            if entry is None:
                entry = self._open[path] = _Entry()
            self._open.move_to_end(path)
            for old in list(self._open)[:max(0, len(self._open) - self.limit)]:
                victim = self._open[old]
                if victim.lock.acquire(blocking=False):     # never one in use
                    try:
                        victim.close()
                        del self._open[old]
                    finally:
                        victim.lock.release()
            return entry

    @contextmanager
    def use(self, path: Path) -> Iterator[sqlite3.Connection]:
        entry = self._entry(path)
        with entry.lock:
            try:
                st = os.stat(path)
                identity = (st.st_dev, st.st_ino)
            except FileNotFoundError:
                identity = (0, 0)
            if entry.conn is None or identity != entry.identity or identity == (0, 0):
                entry.close()
                entry.conn = connect(path)
                st = os.stat(path)
                entry.identity = (st.st_dev, st.st_ino)
            try:
                yield entry.conn
            finally:
                if entry.conn is not None and entry.conn.in_transaction:
                    entry.conn.rollback()

    def close(self) -> None:
        with self._lock:
            for entry in self._open.values():
                entry.close()
            self._open.clear()
