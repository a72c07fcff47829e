"""The usage report of a window (the admin API's `usage` resource, docs/admin-api.md):
per account the latest sample, every sample in the window, and the transfer rows of
the hours the window touches, each summed over the proxies that counted it."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from objectstore.usage.meter import Counts
from objectstore.usage.periods import HOUR, Window, hour_of, iso
from objectstore.usage.series import STORED, TRANSFER, Series

_EMPTY: dict[str, Any] = {"bytes": 0, "objects": 0, "buckets": {}}
# (account, hour, bucket, class)
RowKey = tuple[str, str, str, str]


def sum_transfers(docs: Iterable[Any]) -> dict[RowKey, Counts]:
    """Transfer documents (one per proxy and hour) summed per account, hour, bucket and
    class; a row that is not of the written shape is skipped."""
    total: dict[RowKey, Counts] = {}
    for doc in docs:
        if not isinstance(doc, dict) or not isinstance(doc.get("rows"), list):
            continue
        hour = str(doc.get("hour", ""))
        for row in doc["rows"]:
            try:
                key = (str(row["account"]), hour, str(row["bucket"]), str(row["class"]))
                counts = Counts(int(row["requests"]), int(row["bytes_in"]),
                                int(row["bytes_out"]))
            except (KeyError, TypeError, ValueError):
                continue
            total.setdefault(key, Counts()).add(counts)
    return total


def figures_of(sample: Any, account: str) -> dict[str, Any]:
    """One account's figures in a sample, with the sample's time (zero when the
    sample does not name it: it held nothing then)."""
    found = sample.get("accounts", {}).get(account) or _EMPTY
    return {"time": sample.get("time"), "bytes": found.get("bytes", 0),
            "objects": found.get("objects", 0), "buckets": found.get("buckets", {})}


class Reader:
    def __init__(self, series: Series) -> None:
        self.series = series

    async def samples(self, window: Window) -> list[Any]:
        listed = await self.series.listed(STORED, marker=iso(math.ceil(window.since) - 1),
                                          end_marker=iso(window.until + 1))
        docs = [await self.series.read(STORED, name, etag) for name, etag in listed]
        return [d for d in docs if isinstance(d, dict)]

    async def latest(self, window: Window) -> Any | None:
        """The newest sample taken at or before the window's end."""
        for name, etag in await self.series.listed(STORED, marker=iso(window.until + 1),
                                                   reverse=True, limit=3):
            doc = await self.series.read(STORED, name, etag)
            if isinstance(doc, dict):
                return doc
        return None

    async def transfers(self, window: Window) -> dict[RowKey, Counts]:
        # every proxy's object of every hour the window touches: <hour>/<proxy>
        listed = await self.series.listed(
            TRANSFER, marker=iso(hour_of(window.since)),
            end_marker=iso(hour_of(window.until) + HOUR))
        return sum_transfers([await self.series.read(TRANSFER, name, etag)
                              for name, etag in listed])

    async def report(self, window: Window, account: str | None) -> dict[str, Any]:
        """The report of `account` (None: of every account usage knows in the window)."""
        samples = await self.samples(window)
        latest = await self.latest(window)
        transfers = await self.transfers(window)
        if account is not None:
            names = {account}
        else:
            names = {a for s in [*samples, *([latest] if latest else [])]
                     for a in s.get("accounts", {})} | {k[0] for k in transfers}
        accounts = {}
        for name in sorted(names):
            rows = [{"hour": hour, "bucket": bucket, "class": kind,
                     "requests": c.requests, "bytes_in": c.bytes_in,
                     "bytes_out": c.bytes_out}
                    for (who, hour, bucket, kind), c in sorted(transfers.items())
                    if who == name]
            accounts[name] = {
                "stored": figures_of(latest, name) if latest is not None else None,
                "stored_series": [figures_of(s, name) for s in samples],
                "transfer": rows}
        return {"since": iso(window.since), "until": iso(window.until),
                "accounts": accounts}
