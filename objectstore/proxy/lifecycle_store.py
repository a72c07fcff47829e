"""Where a bucket's lifecycle configuration is kept: an object of the internal `.s3`
account, container `lifecycle`, named `<account>/<bucket>`, and a flag on the bucket,
`x-container-sysmeta-s3-lifecycle` (proxy/bucket_documents.py says why and how). One
listing of that container names every bucket the lifecycle worker has to visit,
however many accounts there are; the worker acts only where the flag and the stored
rules agree.
"""

from __future__ import annotations

import contextlib

from objectstore import errors
from objectstore.proxy.bodies import once
from objectstore.proxy.bucket_documents import ACCOUNT, BucketDocuments
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.lifecycle_rules import Configuration
from objectstore.proxy.put_options import PutOptions
from objectstore.proxy.small_objects import read_small

CONTAINER = "lifecycle"
PROGRESS = "lifecycle-progress"       # where a worker got to in each bucket
FLAG = "x-container-sysmeta-s3-lifecycle"
PAGE = 1000


class LifecycleStore:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers
        self.documents = BucketDocuments(proxy, containers, CONTAINER, FLAG,
                                         Configuration.from_json)

    @staticmethod
    def _name(account: str, bucket: str) -> str:
        return BucketDocuments.name(account, bucket)

    async def put(self, account: str, bucket: str, config: Configuration) -> None:
        await self.documents.put(account, bucket, config.to_json())

    async def delete(self, account: str, bucket: str, container_too: bool = True) -> None:
        await self.documents.delete(account, bucket, container_too)

    def flag(self, account: str, bucket: str) -> str:
        return self.documents.flag(account, bucket)

    async def get(self, account: str, bucket: str, flag: str) -> Configuration | None:
        return await self.documents.get(account, bucket, flag)

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
        return await self.documents.buckets(PAGE)

    # -- the worker's place in a bucket, so a restarted worker goes on from there -----
    async def progress(self, account: str, bucket: str) -> str:
        """The last key a worker finished in its current pass over the bucket ('' if
        the last pass ended, or none began)."""
        data = await read_small(self.proxy, ACCOUNT, PROGRESS, self._name(account, bucket))
        return "" if data is None else data.decode()

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
        await self.proxy.put_object(ACCOUNT, PROGRESS, name, once(data),
                                    PutOptions(content_type="text/plain", length=len(data)))
