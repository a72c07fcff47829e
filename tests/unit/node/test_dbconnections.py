"""Reused SQLite connections: never left in a transaction, never writing to a file that
was moved away from its path (the auditor quarantines databases)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from objectstore.node.dbconnections import Connections, connect


def made(path: Path) -> Path:
    """A new, empty database file (the pool opens only databases that exist)."""
    connect(path, create=True).close()
    return path


def test_a_moved_database_is_not_written_through_an_old_connection(tmp_path: Path) -> None:
    pool = Connections()
    path = made(tmp_path / "c.db")
    with pool.use(path) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (1)")
    os.replace(path, tmp_path / "quarantined.db")
    for suffix in ("-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():
            os.replace(f"{path}{suffix}", tmp_path / f"quarantined.db{suffix}")
    with pytest.raises(FileNotFoundError), pool.use(path):
        pass                                         # never an empty file in its place
    assert not path.exists()
    with pool.use(made(path)) as conn:               # a new, empty database
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []
        conn.execute("CREATE TABLE t (x)")
        conn.execute("INSERT INTO t VALUES (2)")
    pool.close()
    with sqlite3.connect(tmp_path / "quarantined.db") as old:
        assert old.execute("SELECT x FROM t").fetchall() == [(1,)]


def test_a_failed_transaction_is_rolled_back(tmp_path: Path) -> None:
    pool = Connections(limit=1)
    path = made(tmp_path / "c.db")
    with pool.use(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(RuntimeError), pool.use(path) as conn:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("mid-transaction")
    with pool.use(path) as conn:
        assert not conn.in_transaction
        assert conn.execute("SELECT COUNT(*) FROM t").fetchone() == (0,)
    with pool.use(made(tmp_path / "other.db")) as conn:   # over the limit: the idle one closes
        conn.execute("CREATE TABLE u (y)")
    pool.close()
