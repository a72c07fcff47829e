"""Container and account databases: one SQLite file (WAL) per replica.

A container database lists the container's objects; an account database lists the
account's containers with their object counts and bytes. Rows are never simply
overwritten: each carries the timestamp of the change that made it, a change older
than the row is ignored, and a delete leaves a row marked deleted -- so replicas can
merge in any order and agree (the replicator will rely on that).
"""

from __future__ import annotations

import json
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from objectstore.errors import ContainerNotEmpty, NotFound
from objectstore.node.dbconnections import Connections, connect
from objectstore.node.durable import fsync_dir, fsync_path
from objectstore.node.listing import ListingParams, Subdir, list_rows
from objectstore.timestamps import Timestamp

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    name TEXT NOT NULL,
    put_timestamp TEXT NOT NULL,
    delete_timestamp TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    report_to TEXT NOT NULL DEFAULT '',
    item_count INTEGER NOT NULL DEFAULT 0,
    bytes_used INTEGER NOT NULL DEFAULT 0,
    changed_at TEXT NOT NULL DEFAULT '',
    db_id TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS incoming_sync (
    remote TEXT PRIMARY KEY,      -- another replica's db_id
    point INTEGER NOT NULL        -- the last of its rowids merged here
);
CREATE TABLE IF NOT EXISTS items (
    name TEXT PRIMARY KEY,
    timestamp TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0,
    content_type TEXT NOT NULL DEFAULT '',
    etag TEXT NOT NULL DEFAULT '',
    count INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0
);
"""


@dataclass(frozen=True)
class Item:
    """An object row of a container, or a container row of an account."""

    name: str
    timestamp: Timestamp
    size: int            # bytes of the object, or bytes used by the container
    content_type: str = ""
    etag: str = ""
    count: int = 0       # objects in the container (account rows)


@dataclass(frozen=True)
class Info:
    name: str
    put_timestamp: Timestamp
    delete_timestamp: Timestamp | None
    metadata: dict[str, tuple[str, str]]   # key -> (value, timestamp); "" value = removed
    item_count: int
    bytes_used: int
    changed_at: Timestamp        # the newest row change applied (or the put timestamp)

    @property
    def deleted(self) -> bool:
        return self.delete_timestamp is not None and self.delete_timestamp >= self.put_timestamp


class ListingDB:
    """One replica of a container (items are objects) or an account (items are
    containers)."""

    def __init__(self, path: Path, connections: Connections | None = None) -> None:
        self.path = path
        self.connections = connections       # a node's open connections, reused

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        if self.connections is not None:
            with self.connections.use(self.path) as conn:
                yield conn
            return
        conn = connect(self.path)
        try:
            yield conn
        finally:
            conn.close()

    def exists(self) -> bool:
        return self.path.exists()

    def initialize(self, name: str, put_timestamp: Timestamp, report_to: str = "") -> bool:
        """Create the database, or revive it with a newer PUT; True if it was new (or
        deleted: a container made again is created, 201, and its account row put anew).
        `report_to` says where a container reports its stats (account replicas)."""
        created = not self.path.exists() and self._create(name, put_timestamp, report_to)
        with self._conn() as conn:
            conn.executescript(_SCHEMA)
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT put_timestamp, delete_timestamp FROM info").fetchone()
            if row is None:
                conn.execute("INSERT INTO info (id, name, put_timestamp, report_to, db_id) "
                             "VALUES (0, ?, ?, ?, ?)", (name, put_timestamp.internal,
                                                        report_to, uuid.uuid4().hex))
                created = True
            elif Timestamp.parse(row[0]) < put_timestamp:
                if row[1] and Timestamp.parse(row[1]) >= Timestamp.parse(row[0]):
                    created = True      # it was deleted: made again now
                conn.execute("UPDATE info SET put_timestamp = ?", (put_timestamp.internal,))
                if report_to:
                    conn.execute("UPDATE info SET report_to = ?", (report_to,))
            conn.execute("COMMIT")
        return created

    def _create(self, name: str, put_timestamp: Timestamp, report_to: str) -> bool:
        """Make the database whole under a temporary name, then link it into place, so
        no one (a replicator listing files, a row arriving) ever opens one without its
        tables; False if another request made it first."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex}.tmp")
        try:
            conn = connect(tmp, create=True)
            try:
                conn.executescript(_SCHEMA)
                conn.execute("INSERT INTO info (id, name, put_timestamp, report_to, db_id) "
                             "VALUES (0, ?, ?, ?, ?)", (name, put_timestamp.internal,
                                                        report_to, uuid.uuid4().hex))
            finally:
                conn.close()            # the last connection: its WAL is folded in
            fsync_path(tmp)
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                return False
            fsync_dir(self.path.parent)
            return True
        finally:
            for leftover in (tmp, tmp.with_name(tmp.name + "-wal"),
                             tmp.with_name(tmp.name + "-shm")):
                leftover.unlink(missing_ok=True)

    def report_to(self) -> str:
        with self._conn() as conn:
            row = conn.execute("SELECT report_to FROM info").fetchone()
        return row[0] if row else ""

    def policy_totals(self) -> dict[int, tuple[int, int, int]]:
        """An account's live rows by storage policy (kept in a row's content type, ""
        for 0): index -> (containers, objects, bytes)."""
        with self._conn() as conn:
            rows = conn.execute("SELECT content_type, COUNT(*), COALESCE(SUM(count), 0), "
                                "COALESCE(SUM(size), 0) FROM items WHERE deleted = 0 "
                                "GROUP BY content_type").fetchall()
        out: dict[int, tuple[int, int, int]] = {}
        for kept, containers, objects, size in rows:
            index = int(kept) if str(kept).isdigit() else 0
            was = out.get(index, (0, 0, 0))
            out[index] = (was[0] + containers, was[1] + objects, was[2] + size)
        return out

    def info(self) -> Info:
        if not self.path.exists():
            raise NotFound(str(self.path))
        with self._conn() as conn:
            row = conn.execute("SELECT name, put_timestamp, delete_timestamp, metadata, "
                               "item_count, bytes_used, changed_at FROM info").fetchone()
        if row is None:
            raise NotFound(str(self.path))
        meta = {k: (v[0], v[1]) for k, v in json.loads(row[3]).items()}
        put = Timestamp.parse(row[1])
        changed = max(put, Timestamp.parse(row[6])) if row[6] else put
        return Info(row[0], put, Timestamp.parse(row[2]) if row[2] else None, meta,
                    row[4], row[5], changed)

    def update_metadata(self, changes: dict[str, str], timestamp: Timestamp) -> None:
        """Merge metadata key by key: a key's newest timestamp wins ('' removes it)."""
        with self._conn() as conn:
            conn.execute("BEGIN IMMEDIATE")
            current = json.loads(conn.execute("SELECT metadata FROM info").fetchone()[0])
            for key, value in changes.items():
                old = current.get(key)
                if old is None or Timestamp.parse(old[1]) < timestamp:
                    current[key] = [value, timestamp.internal]
            conn.execute("UPDATE info SET metadata = ?", (json.dumps(current),))
            conn.execute("COMMIT")

    def merge_items(self, items: list[tuple[Item, bool]], replace_equal: bool = False) -> None:
        """Apply (item, deleted) changes; each only if newer than the row it replaces
        (or as new, with `replace_equal`: a container's stats report repeats its
        timestamp). Keeps the count and bytes of live items in step, in the same
        transaction."""
        with self._conn() as conn:
            conn.execute("BEGIN IMMEDIATE")
            d_count = d_bytes = 0
            newest = ""
            for item, deleted in items:
                old = conn.execute("SELECT timestamp, size, deleted FROM items WHERE name = ?",
                                   (item.name,)).fetchone()
                if old is not None:
                    old_ts = Timestamp.parse(old[0])
                    if old_ts > item.timestamp or (old_ts == item.timestamp
                                                   and not replace_equal):
                        continue
                newest = max(newest, item.timestamp.internal)
                if old is not None and not old[2]:
                    d_count -= 1
                    d_bytes -= old[1]
                if not deleted:
                    d_count += 1
                    d_bytes += item.size
                conn.execute(
                    "INSERT OR REPLACE INTO items (name, timestamp, size, content_type, etag, "
                    "count, deleted) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (item.name, item.timestamp.internal, 0 if deleted else item.size,
                     item.content_type, item.etag, item.count, int(deleted)))
            conn.execute("UPDATE info SET item_count = item_count + ?, "
                         "bytes_used = bytes_used + ?, changed_at = MAX(changed_at, ?)",
                         (d_count, d_bytes, newest))
            conn.execute("COMMIT")

    def put_item(self, item: Item, replace_equal: bool = False) -> None:
        self.merge_items([(item, False)], replace_equal)

    def delete_item(self, name: str, timestamp: Timestamp) -> None:
        self.merge_items([(Item(name, timestamp, 0), True)])

    def list_items(self, params: ListingParams) -> list[Item | Subdir]:
        with self._conn() as conn:
            rows = list_rows(conn, "items", "name, timestamp, size, content_type, etag, count",
                             "deleted = 0", params)
        return [r if isinstance(r, Subdir) else
                Item(r[0], Timestamp.parse(r[1]), r[2], r[3], r[4], r[5]) for r in rows]

    def mark_deleted(self, timestamp: Timestamp, must_be_empty: bool = True) -> None:
        """Delete the container/account itself (it stays as a tombstone for replicas).
        Its metadata is cleared as of the deletion, as Swift does: a container made
        again under the name starts without the old one's metadata and marks."""
        with self._conn() as conn:
            conn.execute("BEGIN IMMEDIATE")
            count, meta = conn.execute("SELECT item_count, metadata FROM info").fetchone()
            if must_be_empty and count:
                conn.execute("ROLLBACK")
                raise ContainerNotEmpty(f"{count} items left")
            current = json.loads(meta)
            for key, (value, stamp) in list(current.items()):
                if value and Timestamp.parse(stamp) < timestamp:
                    current[key] = ["", timestamp.internal]
            conn.execute("UPDATE info SET metadata = ?", (json.dumps(current),))
            conn.execute("UPDATE info SET delete_timestamp = ? WHERE delete_timestamp < ?",
                         (timestamp.internal, timestamp.internal))
            conn.execute("COMMIT")


class Replica:
    """What replication needs of a database beyond the listing: its identity, the rows
    changed since a point, and what it has merged from each other replica."""

    def __init__(self, db: ListingDB) -> None:
        self.db = db

    def state(self) -> dict[str, Any]:
        """Identity and container-level fields, to send along with rows."""
        with self.db._conn() as conn:
            row = conn.execute("SELECT name, put_timestamp, delete_timestamp, metadata, "
                               "report_to, db_id FROM info").fetchone()
        if row is None:
            raise NotFound(str(self.db.path))
        return {"name": row[0], "put_timestamp": row[1], "delete_timestamp": row[2],
                "metadata": json.loads(row[3]), "report_to": row[4], "db_id": row[5]}

    def rows_since(self, point: int, limit: int) -> list[list[Any]]:
        """[rowid, name, timestamp, size, content_type, etag, count, deleted] of the
        rows changed after `point` (a replaced row gets a new rowid), oldest first."""
        with self.db._conn() as conn:
            return [list(r) for r in conn.execute(
                "SELECT rowid, name, timestamp, size, content_type, etag, count, deleted "
                "FROM items WHERE rowid > ? ORDER BY rowid LIMIT ?", (point, limit))]

    def incoming_point(self, remote: str) -> int:
        if not self.db.exists():
            return 0
        with self.db._conn() as conn:
            try:
                row = conn.execute("SELECT point FROM incoming_sync WHERE remote = ?",
                                   (remote,)).fetchone()
            except sqlite3.OperationalError:      # made before replication existed
                return 0
        return int(row[0]) if row else 0

    def merge(self, state: dict[str, Any], rows: list[list[Any]], point: int) -> None:
        """Merge another replica's fields and rows (newest wins, as everywhere), then
        remember how far its rows have been merged."""
        self.db.initialize(str(state["name"]), Timestamp.parse(state["put_timestamp"]),
                           str(state.get("report_to", "")))
        if state.get("delete_timestamp"):
            self.db.mark_deleted(Timestamp.parse(state["delete_timestamp"]), False)
        for key, (value, stamp) in dict(state.get("metadata", {})).items():
            self.db.update_metadata({key: value}, Timestamp.parse(stamp))
        self.db.merge_items([(Item(r[1], Timestamp.parse(r[2]), int(r[3]), r[4], r[5],
                                   int(r[6])), bool(r[7])) for r in rows])
        with self.db._conn() as conn:
            conn.execute("INSERT OR REPLACE INTO incoming_sync (remote, point) VALUES (?, ?)",
                         (str(state["db_id"]), point))
