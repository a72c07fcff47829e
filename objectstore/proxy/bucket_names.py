"""One namespace of bucket and container names over every account.

S3 bucket names are global; Swift containers live inside accounts. We serve both over one
namespace (a bucket *is* a container), so a name belongs to at most one account, whichever
API created it: each name is registered as an empty object in the internal account `.s3`
(container `buckets`), its owner's account kept as system metadata. The `.s3` account is
out of reach of every user: user accounts are always `AUTH_<name>`.

Decisions:
- Every container name is registered, also those that are not valid S3 bucket names
  (Swift allows uppercase, `_`, up to 256 bytes). S3 can never create such a name, but an
  S3 request may still name it (path style), and must then get AccessDenied from another
  account rather than NoSuchBucket; and a second Swift account must not get a container of
  the same name either (it would be a different bucket under one name). Names are
  case-sensitive, as both APIs' names are.
- `<bucket>+segments` (the parts of S3 multipart uploads, and a name no S3 bucket can have)
  belongs to the owner of `<bucket>`: it is registered under `<bucket>`, so claiming it
  claims the bucket name, and nobody else can hold either.
- A name is released when its container is deleted (for `<bucket>+segments`, only if the
  account has no `<bucket>` container left).

Two accounts claiming the same name in the same instant can both pass the check (it is
read-then-write over replicas, not a lock); the registry then names whichever wrote last,
and the other account's next request on it is refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.object_info import S3_OWNER
from objectstore.proxy.put_options import PutOptions

ACCOUNT = ".s3"
CONTAINER = "buckets"
SEGMENTS_SUFFIX = "+segments"


async def _empty() -> AsyncIterator[bytes]:
    yield b""


def registered_name(name: str) -> str:
    """The name a container is registered under: its bucket's for `<bucket>+segments`."""
    if name.endswith(SEGMENTS_SUFFIX) and len(name) > len(SEGMENTS_SUFFIX):
        return name[:-len(SEGMENTS_SUFFIX)]
    return name


class BucketNames:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers

    async def owner(self, name: str) -> str | None:
        """The account holding `name` (or its bucket's, for a segments container)."""
        try:
            info = await self.proxy.head_object_info(ACCOUNT, CONTAINER,
                                                     registered_name(name))
            return info.system.s3_owner or None
        except errors.NotFound:
            return None

    async def claim(self, account: str, name: str) -> bool:
        """Register `name` for `account` (True if this call registered it, False if the
        account held it already); NameTaken if another account holds it."""
        owner = await self.owner(name)
        written = False
        if owner is None:
            await self._write(account, registered_name(name))
            written = True
            owner = await self.owner(name)
        if owner not in (None, account):
            raise errors.NameTaken(
                f"The name {name!r} is taken by another account. Container and bucket "
                "names are one namespace shared by all accounts of this store (S3 bucket "
                "names are global); please choose another name.")
        return written

    async def _write(self, account: str, key: str) -> None:
        try:
            await self.containers.head_container(ACCOUNT, CONTAINER)
        except errors.ContainerNotFound:
            await self.containers.put_container(ACCOUNT, CONTAINER, {})
        await self.proxy.put_object(ACCOUNT, CONTAINER, key, _empty(),
                                    PutOptions(length=0, system_metadata={S3_OWNER: account}))

    async def release(self, account: str, name: str) -> None:
        """Give the name up after its container was deleted (a segments container's
        deletion keeps its bucket's name while the bucket exists)."""
        key = registered_name(name)
        if key != name:
            try:
                await self.containers.head_container(account, key)
                return
            except errors.ContainerNotFound:
                pass
        if await self.owner(key) == account:
            with contextlib.suppress(errors.NotFound):
                await self.proxy.delete_object(ACCOUNT, CONTAINER, key)
