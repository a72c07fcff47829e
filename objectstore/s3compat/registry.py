"""S3's view of the global name registry (objectstore.proxy.bucket_names, shared with the
Swift API): a name another account holds is BucketAlreadyExists on create, and a request
for a bucket the requester does not own is AccessDenied rather than NoSuchBucket -- what
S3 answers."""

from __future__ import annotations

from objectstore import errors
from objectstore.proxy.bucket_names import BucketNames
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.s3compat import s3errors


class BucketRegistry:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers
        self.names = BucketNames(proxy, containers)

    async def owner(self, bucket: str) -> str | None:
        return await self.names.owner(bucket)

    async def claim(self, account: str, bucket: str) -> None:
        """Register `bucket` for `account`; NameTaken (BucketAlreadyExists) if another
        account owns it."""
        await self.names.claim(account, bucket)

    async def release(self, account: str, bucket: str) -> None:
        await self.names.release(account, bucket)

    async def confirm(self, account: str, bucket: str, adding: int | None = None,
                      write: bool = False) -> None:
        """As `require`, for object requests: a recent answer is trusted. A write (of
        `adding` bytes, if known) to a container with a Swift quota is checked
        against it (QuotaExceeded: S3 EntityTooLarge)."""
        known = self.proxy.known_containers
        if not write:
            if not known.known(account, bucket):
                await self.require(account, bucket)
            return
        if not known.known(account, bucket):
            await self.require(account, bucket)     # AccessDenied / NoSuchBucket first
        await self.containers.confirm_write(account, bucket, adding)

    async def require(self, account: str, bucket: str) -> dict[str, str]:
        """The bucket's container headers; AccessDenied if another account owns the
        name, NoSuchBucket if nobody does."""
        try:
            return await self.containers.head_container(account, bucket)
        except errors.ContainerNotFound:
            if await self.owner(bucket) not in (None, account):
                raise s3errors.AccessDenied() from None
            raise
