"""Swift-only containers: a Swift container whose name another account already holds.

Swift containers live inside accounts, so two Swift accounts may each have a container
`photos`; S3 bucket names are global. The name registry (`bucket_names.py`) gives a name
to one account -- that container is the S3 bucket. A second account's Swift PUT of the
same name makes an *account-local, Swift-only* container: Swift sees it as any other
container of that account, but it is no S3 bucket (S3 requests naming it keep meaning
the registered owner's bucket, and the second account's ListBuckets does not show it).

Two marks, each read where it is cheap:
- the container's system metadata `SWIFT_ONLY` (S3 reads the container's headers before
  it serves a bucket: one dict lookup refuses it);
- an empty object `<account>/<name>` in the internal `.s3` account, container
  `swift-only`, so ListBuckets can leave these out with one listing per account page.

The proxy never remembers a Swift-only container as known (existence.py): a known
container skips the HEAD that carries the mark, and S3 would then trust it.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import ClassVar

from objectstore import errors
from objectstore.proxy.containers import SWIFT_ONLY, Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.put_options import PutOptions

ACCOUNT = ".s3"
CONTAINER = "swift-only"
PAGE = 10_000
__all__ = ["SWIFT_ONLY", "SwiftOnly", "is_swift_only"]


def is_swift_only(headers: Mapping[str, str]) -> bool:
    return bool(headers.get(SWIFT_ONLY))


async def _empty() -> AsyncIterator[bytes]:
    yield b""


class SwiftOnly:
    """The index of Swift-only containers (the container mark is set by the caller's
    container PUT, with `MARK`)."""

    MARK: ClassVar[dict[str, str]] = {SWIFT_ONLY: "1"}

    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers

    async def add(self, account: str, name: str) -> None:
        """Index `name` before its container exists, so no listing shows it as a bucket."""
        try:
            await self.containers.head_container(ACCOUNT, CONTAINER)
        except errors.ContainerNotFound:
            await self.containers.put_container(ACCOUNT, CONTAINER, {})
        await self.proxy.put_object(ACCOUNT, CONTAINER, f"{account}/{name}", _empty(),
                                    PutOptions(length=0))

    async def remove(self, account: str, name: str) -> None:
        with contextlib.suppress(errors.NotFound):
            await self.proxy.delete_object(ACCOUNT, CONTAINER, f"{account}/{name}")

    async def make_bucket(self, account: str, name: str) -> None:
        """The account now holds the name: its Swift-only container becomes its bucket."""
        await self.containers.post_container(account, name, {SWIFT_ONLY: ""})
        await self.remove(account, name)

    async def names(self, account: str) -> set[str]:
        """Every Swift-only container name of `account`."""
        prefix, marker, out = f"{account}/", "", set[str]()
        while True:
            try:
                listing = await self.containers.list_container(
                    ACCOUNT, CONTAINER, prefix=prefix, marker=marker, limit=PAGE)
            except errors.ContainerNotFound:
                return out
            out.update(str(e["name"])[len(prefix):] for e in listing.entries)
            if len(listing.entries) < PAGE:
                return out
            marker = str(listing.entries[-1]["name"])
