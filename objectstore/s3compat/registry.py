"""S3 bucket names are global; Swift containers live inside accounts.

Each bucket created through S3 is registered as an empty object named after it in the
internal account `.s3` (container `buckets`), its owner's account kept as system
metadata. Creating a bucket another account owns is then BucketAlreadyExists, and a
request for a bucket the requester does not own is AccessDenied rather than
NoSuchBucket -- what S3 answers. The `.s3` account is out of reach of every user: user
accounts are always `AUTH_<name>`.

Two accounts creating the same name in the same instant can both succeed (the check is
read-then-write over replicas, not a lock); the registry then names whichever wrote last.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.s3compat.responses import S3Error

ACCOUNT = ".s3"
CONTAINER = "buckets"
OWNER = "x-object-sysmeta-s3-owner"


async def _empty() -> AsyncIterator[bytes]:
    yield b""


class BucketRegistry:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers

    async def owner(self, bucket: str) -> str | None:
        try:
            return (await self.proxy.head_object(ACCOUNT, CONTAINER, bucket)).get(OWNER)
        except errors.NotFound:
            return None

    async def claim(self, account: str, bucket: str) -> None:
        """Register `bucket` for `account`, or BucketAlreadyExists if another owns it."""
        owner = await self.owner(bucket)
        if owner is None:
            await self._write(account, bucket)
            owner = await self.owner(bucket)
        if owner not in (None, account):
            raise S3Error(409, "BucketAlreadyExists", "The requested bucket name is not "
                          "available. The bucket namespace is shared by all users of the "
                          "system. Please select a different name and try again.")

    async def _write(self, account: str, bucket: str) -> None:
        try:
            await self.containers.head_container(ACCOUNT, CONTAINER)
        except errors.ContainerNotFound:
            await self.containers.put_container(ACCOUNT, CONTAINER, {})
        await self.proxy.put_object(ACCOUNT, CONTAINER, bucket, _empty(),
                                    {"content-length": "0", OWNER: account})

    async def release(self, account: str, bucket: str) -> None:
        if await self.owner(bucket) == account:
            with contextlib.suppress(errors.NotFound):
                await self.proxy.delete_object(ACCOUNT, CONTAINER, bucket)

    async def confirm(self, account: str, bucket: str) -> None:
        """As `require`, for object requests: a recent answer is trusted."""
        if not self.proxy.known_containers.known(account, bucket):
            await self.require(account, bucket)

    async def require(self, account: str, bucket: str) -> dict[str, str]:
        """The bucket's container headers; AccessDenied if another account owns the
        name, NoSuchBucket if nobody does."""
        try:
            return await self.containers.head_container(account, bucket)
        except errors.ContainerNotFound:
            if await self.owner(bucket) not in (None, account):
                raise S3Error(403, "AccessDenied", "Access Denied") from None
            raise
