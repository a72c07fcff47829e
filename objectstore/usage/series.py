"""Where usage is kept: objects of the system account `.usage`, written and read through
the proxy core (replicated as any object, so every proxy reads the same).

    .usage/stored/<slot>                one sample: every account's stored bytes and
                                        objects at that slot's start (periods.iso)
    .usage/transfer/<hour>/<proxy id>   one proxy's transfer counts of that hour

Samples are named by their slot, so two proxies sampling the same slot write the same
name (the newer replaces the other: no duplicate). Transfer objects are named by proxy,
so proxies never overwrite each other's; a reader sums them. Names of the same form sort
as their times do, so a window is one listing between two markers.

The account's name begins with a dot: no user owns it (Identity.owns), no API request
reaches it, and its containers are not in the global bucket namespace.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from objectstore import errors
from objectstore.proxy.bodies import once
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.put_options import PutOptions
from objectstore.proxy.small_objects import read_small
from objectstore.usage.periods import iso

ACCOUNT = ".usage"
STORED = "stored"
TRANSFER = "transfer"
PAGE = 10_000
CACHED = 100_000        # documents kept in memory at most (they rarely change)



class Series:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers
        self._made: set[str] = set()
        self._read: dict[tuple[str, str], tuple[str, Any]] = {}   # -> (etag, document)

    async def put(self, container: str, name: str, doc: Any) -> None:
        if container not in self._made:
            if not self.proxy.known_containers.known(ACCOUNT, container):
                try:
                    await self.containers.head_container(ACCOUNT, container)
                except errors.ContainerNotFound:
                    await self.containers.put_container(ACCOUNT, container, {})
            self._made.add(container)
        data = json.dumps(doc, separators=(",", ":")).encode()
        await self.proxy.put_object(ACCOUNT, container, name, once(data),
                                    PutOptions(content_type="application/json",
                                               length=len(data)))

    async def listed(self, container: str, marker: str = "", end_marker: str = "",
                     reverse: bool = False, limit: int | None = None
                     ) -> list[tuple[str, str]]:
        """(name, etag) of the objects between the markers (both excluded), every page."""
        out: list[tuple[str, str]] = []
        while limit is None or len(out) < limit:
            page = PAGE if limit is None else min(PAGE, limit - len(out))
            try:
                listing = await self.containers.list_container(
                    ACCOUNT, container, marker=marker or None,
                    end_marker=end_marker or None, limit=str(page),
                    reverse="true" if reverse else None)
            except errors.NotFound:
                return out
            rows = [(r["name"], r.get("hash", "")) for r in listing.entries if "name" in r]
            out += rows
            if len(rows) < page:
                break
            marker = rows[-1][0]
        return out

    async def read(self, container: str, name: str, etag: str) -> Any | None:
        """A document as JSON (None if it is gone or damaged), read again only when
        its listing's ETag changed."""
        known = self._read.get((container, name))
        if known is not None and known[0] == etag:
            return known[1]
        data = await read_small(self.proxy, ACCOUNT, container, name)
        if data is None:
            return None
        try:
            doc = json.loads(data)
        except ValueError:
            return None
        if len(self._read) >= CACHED:
            self._read.clear()
        self._read[(container, name)] = (etag, doc)
        return doc

    async def exists(self, container: str, name: str) -> bool:
        try:
            await self.proxy.head_object(ACCOUNT, container, name)
            return True
        except errors.NotFound:
            return False

    async def delete_before(self, container: str, when: float) -> int:
        """Remove the documents named before `when` (older than what is kept)."""
        removed = 0
        for name, _ in await self.listed(container, end_marker=iso(when)):
            with contextlib.suppress(errors.NotFound):
                await self.proxy.delete_object(ACCOUNT, container, name)
            self._read.pop((container, name), None)
            removed += 1
        return removed
