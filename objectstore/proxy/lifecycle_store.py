"""Where a bucket's lifecycle configuration is kept.

Not in the container's metadata: 1,000 rules of S3's limits are hundreds of KB, and a
container's metadata travels to the nodes as request headers (16 KiB a line, 64 KiB a
head: serving/head_limits.py). The rules are an object of the internal `.s3` account
instead (out of every user's reach, as the bucket name registry is), container
`lifecycle`, named `<account>/<bucket>`: one listing of that container names every
bucket the lifecycle worker has to visit, however many accounts there are.

The bucket's container keeps only a flag, `x-container-sysmeta-s3-lifecycle`, set to
the stored object's timestamp: the proxy's container cache carries it (existence.py),
so an object request to a bucket without a configuration pays one dict lookup, and a
configuration is re-read only when the flag names a newer one than the one parsed.
The worker acts only where the flag and the stored object agree, so rules left behind
by a deleted bucket never touch a bucket made again under its name.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.lifecycle_rules import Configuration
from objectstore.proxy.put_options import PutOptions

ACCOUNT = ".s3"
CONTAINER = "lifecycle"
PROGRESS = "lifecycle-progress"       # where a worker got to in each bucket
FLAG = "x-container-sysmeta-s3-lifecycle"
PAGE = 1000
MAX_CACHED = 10_000


async def _once(data: bytes) -> AsyncIterator[bytes]:
    yield data


class LifecycleStore:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers
        self._parsed: dict[tuple[str, str], tuple[str, Configuration]] = {}

    @staticmethod
    def _name(account: str, bucket: str) -> str:
        return f"{account}/{bucket}"

    async def put(self, account: str, bucket: str, config: Configuration) -> None:
        """Store the rules, then flag the bucket (a reader that sees the flag finds
        the rules)."""
        try:
            await self.containers.head_container(ACCOUNT, CONTAINER)
        except errors.ContainerNotFound:
            await self.containers.put_container(ACCOUNT, CONTAINER, {})
        data = config.to_json()
        stored = await self.proxy.put_object(
            ACCOUNT, CONTAINER, self._name(account, bucket), _once(data),
            PutOptions(content_type="application/json", length=len(data)))
        await self.containers.post_container(account, bucket, {FLAG: stored.timestamp.internal})

    async def delete(self, account: str, bucket: str, container_too: bool = True) -> None:
        """Remove the rules (and the bucket's flag, unless the bucket is gone)."""
        if container_too:
            with contextlib.suppress(errors.ContainerNotFound):
                await self.containers.post_container(account, bucket, {FLAG: ""})
        with contextlib.suppress(errors.NotFound):
            await self.proxy.delete_object(ACCOUNT, CONTAINER, self._name(account, bucket))
        self._parsed.pop((account, bucket), None)

    def flag(self, account: str, bucket: str) -> str:
        """The bucket's flag as the container cache has it ('' for none): only
        meaningful once the bucket was confirmed (a dict lookup)."""
        return self.proxy.known_containers.sysmeta(account, bucket).get(FLAG, "")

    async def get(self, account: str, bucket: str, flag: str) -> Configuration | None:
        """The rules the flag names (parsed once per flag); None if there are none."""
        if not flag:
            return None
        cached = self._parsed.get((account, bucket))
        if cached is not None and cached[0] == flag:
            return cached[1]
        try:
            stream = await self.proxy.get_object(ACCOUNT, CONTAINER,
                                                 self._name(account, bucket))
        except errors.NotFound:
            return None
        try:
            data = b"".join([chunk async for chunk in stream.body])
        finally:
            stream.close()
        config = Configuration.from_json(data)
        if len(self._parsed) >= MAX_CACHED:
            self._parsed.clear()
        self._parsed[(account, bucket)] = (flag, config)
        return config

    async def load(self, account: str, bucket: str) -> tuple[Configuration, dict[str, str]] | None:
        """For the worker: the bucket's rules and its container headers, asked afresh;
        None if the bucket is gone or no longer flagged for these rules."""
        try:
            headers = await self.containers.head_container(account, bucket)
        except errors.ContainerNotFound:
            return None
        config = await self.get(account, bucket, headers.get(FLAG, ""))
        return None if config is None else (config, headers)

    async def buckets(self) -> list[tuple[str, str]]:
        """Every (account, bucket) that has rules stored, in name order."""
        out: list[tuple[str, str]] = []
        marker = ""
        while True:
            try:
                page = (await self.containers.list_container(
                    ACCOUNT, CONTAINER, marker=marker or None, limit=str(PAGE))).entries
            except errors.ContainerNotFound:
                return out
            for row in page:
                account, sep, bucket = str(row["name"]).partition("/")
                if sep and bucket:
                    out.append((account, bucket))
            if len(page) < PAGE:
                return out
            marker = str(page[-1]["name"])

    # -- the worker's place in a bucket, so a restarted worker goes on from there -----
    async def progress(self, account: str, bucket: str) -> str:
        """The last key a worker finished in its current pass over the bucket ('' if
        the last pass ended, or none began)."""
        try:
            stream = await self.proxy.get_object(ACCOUNT, PROGRESS, self._name(account, bucket))
        except errors.NotFound:
            return ""
        try:
            return b"".join([chunk async for chunk in stream.body]).decode()
        finally:
            stream.close()

    async def save_progress(self, account: str, bucket: str, key: str) -> None:
        """Remember `key` as done ('' when the pass over the bucket is over)."""
        name = self._name(account, bucket)
        if not key:
            with contextlib.suppress(errors.NotFound):
                await self.proxy.delete_object(ACCOUNT, PROGRESS, name)
            return
        if not self.proxy.known_containers.known(ACCOUNT, PROGRESS):
            await self.containers.put_container(ACCOUNT, PROGRESS, {})
        data = key.encode()
        await self.proxy.put_object(ACCOUNT, PROGRESS, name, _once(data),
                                    PutOptions(content_type="text/plain", length=len(data)))
