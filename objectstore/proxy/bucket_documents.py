"""A document a bucket carries that is too big for its container's metadata: lifecycle
rules, a bucket policy.

A container's metadata travels to the nodes as request headers (16 KiB a line, 64 KiB
a head: serving/head_limits.py), and S3 allows 20 KB policies and hundreds of KB of
lifecycle rules. So the document is an object of the internal `.s3` account (out of
every user's reach, as the bucket name registry is), one container per kind, named
`<account>/<bucket>`: one listing of that container names every bucket that has one.

The bucket's container keeps only a flag, set to the stored object's timestamp: the
proxy's container cache carries it (existence.py), so a request to a bucket without
a document pays one dict lookup, and a document is re-read and parsed only when the
flag names a newer one than the one parsed. Whoever acts on a document does so only
where the flag and the stored object agree, so one left behind by a deleted bucket
never applies to a bucket made again under its name.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Generic, TypeVar

from objectstore import errors
from objectstore.proxy.bodies import once
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.put_options import PutOptions
from objectstore.proxy.small_objects import read_small

ACCOUNT = ".s3"
MAX_CACHED = 10_000
T = TypeVar("T")



class BucketDocuments(Generic[T]):
    """Documents of one kind (`container` of `.s3`, flagged by `flag`), parsed from
    their stored bytes by `parse`."""

    def __init__(self, proxy: Proxy, containers: Containers, container: str, flag: str,
                 parse: Callable[[bytes], T], content_type: str = "application/json"
                 ) -> None:
        self.proxy = proxy
        self.containers = containers
        self.container = container
        self.flag_name = flag
        self.parse = parse
        self.content_type = content_type
        self._parsed: dict[tuple[str, str], tuple[str, T]] = {}

    @staticmethod
    def name(account: str, bucket: str) -> str:
        return f"{account}/{bucket}"

    async def put(self, account: str, bucket: str, data: bytes) -> None:
        """Store the document, then flag the bucket (a reader that sees the flag finds
        the document)."""
        if not self.proxy.known_containers.known(ACCOUNT, self.container):
            try:
                await self.containers.head_container(ACCOUNT, self.container)
            except errors.ContainerNotFound:
                await self.containers.put_container(ACCOUNT, self.container, {})
        stored = await self.proxy.put_object(
            ACCOUNT, self.container, self.name(account, bucket), once(data),
            PutOptions(content_type=self.content_type, length=len(data)))
        await self.containers.post_container(account, bucket,
                                             {self.flag_name: stored.timestamp.internal})

    async def delete(self, account: str, bucket: str, container_too: bool = True) -> None:
        """Remove the document (and the bucket's flag, unless the bucket is gone)."""
        if container_too:
            with contextlib.suppress(errors.ContainerNotFound):
                await self.containers.post_container(account, bucket, {self.flag_name: ""})
        with contextlib.suppress(errors.NotFound):
            await self.proxy.delete_object(ACCOUNT, self.container,
                                           self.name(account, bucket))
        self._parsed.pop((account, bucket), None)

    def flag(self, account: str, bucket: str) -> str:
        """The bucket's flag as the container cache has it ('' for none): only
        meaningful once the bucket was confirmed (a dict lookup)."""
        return self.proxy.known_containers.sysmeta(account, bucket).get(self.flag_name, "")

    async def raw(self, account: str, bucket: str) -> bytes | None:
        """The stored bytes (None if there are none)."""
        return await read_small(self.proxy, ACCOUNT, self.container,
                                self.name(account, bucket))

    async def get(self, account: str, bucket: str, flag: str) -> T | None:
        """The document the flag names (parsed once per flag); None if there is none."""
        if not flag:
            return None
        cached = self._parsed.get((account, bucket))
        if cached is not None and cached[0] == flag:
            return cached[1]
        data = await self.raw(account, bucket)
        if data is None:
            return None
        parsed = self.parse(data)
        if len(self._parsed) >= MAX_CACHED:
            self._parsed.clear()
        self._parsed[(account, bucket)] = (flag, parsed)
        return parsed

    async def buckets(self, page_size: int = 1000) -> list[tuple[str, str]]:
        """Every (account, bucket) that has a document stored, in name order."""
        out: list[tuple[str, str]] = []
        marker = ""
        while True:
            try:
                page = (await self.containers.list_container(
                    ACCOUNT, self.container, marker=marker or None,
                    limit=str(page_size))).entries
            except errors.ContainerNotFound:
                return out
            for row in page:
                account, sep, bucket = str(row["name"]).partition("/")
                if sep and bucket:
                    out.append((account, bucket))
            if len(page) < page_size:
                return out
            marker = str(page[-1]["name"])
