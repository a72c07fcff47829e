"""Listings of a name-keyed SQLite table: prefix, delimiter, marker, end_marker, limit,
reverse -- in UTF-8 byte order, as S3 and Swift list.

SQLite compares TEXT with memcmp over UTF-8 (its BINARY collation), so `ORDER BY name`
is byte order. With a delimiter (of any length, as Swift's), every name with the same prefix up to
the delimiter rolls up into one `subdir` entry; the query then skips past all of them at once, so a
listing of a million names under a few "directories" costs a few queries, not a scan.
A subdir equal to the marker is not repeated (the client is paginating past it).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from objectstore.errors import BadRequest

MAX_LIMIT = 10_000
MAX_DELIMITER = 1024      # no name is longer: a longer delimiter cannot match


@dataclass(frozen=True)
class ListingParams:
    prefix: str = ""
    delimiter: str = ""
    marker: str = ""
    end_marker: str = ""
    limit: int = MAX_LIMIT
    reverse: bool = False
    # Swift's `path`: the names directly under a "directory" -- a prefix of `path/` and
    # no further `/` but a trailing one (directory markers), no subdir entries
    path: str | None = None

    def under(self, path: str) -> ListingParams:
        """These params for Swift's `path` query (which replaces prefix and delimiter)."""
        prefix = path.rstrip("/") + "/" if path else ""
        return replace(self, prefix=prefix, delimiter="/", path=prefix)

    def __post_init__(self) -> None:
        if not 0 <= self.limit <= MAX_LIMIT:
            raise BadRequest(f"limit must be 0..{MAX_LIMIT}")
        if len(self.delimiter.encode()) > MAX_DELIMITER:
            raise BadRequest(f"delimiter longer than {MAX_DELIMITER} bytes")


@dataclass(frozen=True)
class Subdir:
    name: str


def _after(text: str) -> str:
    """The smallest string greater than every string starting with `text`, or '' if
    there is none (text made only of U+10FFFF)."""
    while text:
        last = ord(text[-1])
        if last < 0x10FFFF:
            nxt = last + 1
            if 0xD800 <= nxt <= 0xDFFF:      # skip surrogates, not valid in UTF-8
                nxt = 0xE000
            return text[:-1] + chr(nxt)
        text = text[:-1]
    return ""


def list_rows(conn: sqlite3.Connection, table: str, columns: str, where: str,
              params: ListingParams) -> list[sqlite3.Row | Subdir]:
    """Rows of `table` (with `columns`, the first being `name`) matching `where`, plus
    subdirs, at most `params.limit` entries."""
    out: list[Any] = []
    low = params.marker if not params.reverse else params.end_marker
    high = params.end_marker if not params.reverse else params.marker
    low_inclusive = False
    if params.prefix:
        if params.prefix > low:
            low, low_inclusive = params.prefix, True
        top = _after(params.prefix)
        if top and (not high or top < high):
            high = top
    order = "DESC" if params.reverse else "ASC"
    while len(out) < params.limit:
        clauses, args = [where], []
        if low:
            clauses.append("name >= ?" if low_inclusive else "name > ?")
            args.append(low)
        if high:
            clauses.append("name < ?")
            args.append(high)
        sql = (f"SELECT {columns} FROM {table} WHERE {' AND '.join(clauses)} "
               f"ORDER BY name {order} LIMIT ?")
        rows = conn.execute(sql, [*args, params.limit - len(out)]).fetchall()
        if not rows:
            break
        rolled = False
        for row in rows:
            name = row[0]
            if params.path and name == params.path:
                continue            # the directory's own marker is not under it
            cut = name.find(params.delimiter, len(params.prefix)) if params.delimiter else -1
            if cut < 0 or (params.path is not None and cut == len(name) - 1):
                out.append(row)     # (with a path: a directory marker, "dir/")
                continue
            subdir = name[:cut + len(params.delimiter)]
            if subdir != params.marker and params.path is None:
                out.append(Subdir(subdir))
            # Skip every name under this subdir, then query again from there.
            if params.reverse:
                high = subdir
            else:
                low, low_inclusive = _after(subdir), True
                if not low:
                    return out
            rolled = True
            break
        if not rolled:      # all appended: the limit is reached or nothing is left
            break
    return out[:params.limit]
