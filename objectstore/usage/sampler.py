"""One sample of what every account stores: per account its bytes and objects, and per
bucket (container) the same, from the account listing -- the figures HEAD account and
the Swift account listing show, so those and a sample taken at the same time agree.
A bucket's own HEAD (and an S3 ListObjects summed) agree once the container's counts
have reached its account (a moment after a write: StatsReporter).

Which accounts: every user's (the config's and the cluster's users), every owner of a
bucket or container name (the global name registry, `.s3/buckets`: an account holding
anything holds a name there), and every account the meter saw.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from objectstore import errors
from objectstore.proxy import bucket_names
from objectstore.proxy.bucket_names import BucketNames
from objectstore.proxy.containers import Containers
from objectstore.usage.periods import iso

PAGE = 10_000


def bare(account: str) -> str:
    """An account as usage names it: without `AUTH_` (as the admin API does)."""
    return account.removeprefix("AUTH_")


class Sampler:
    def __init__(self, containers: Containers, accounts: Callable[[], Iterable[str]]
                 ) -> None:
        """`accounts`: the accounts known besides the name registry's owners."""
        self.containers = containers
        self.names = BucketNames(containers.proxy, containers)
        self.accounts = accounts
        self._owners: dict[tuple[str, str], str] = {}   # (name, registered) -> owner

    async def owners(self) -> set[str]:
        """The accounts holding a bucket or container name."""
        listed: list[tuple[str, str]] = []      # (name, when it was registered)
        marker = ""
        while True:
            try:
                page = await self.containers.list_container(
                    bucket_names.ACCOUNT, bucket_names.CONTAINER, marker=marker or None,
                    limit=str(PAGE))
            except errors.NotFound:
                break
            rows = [(r["name"], str(r.get("timestamp") or r.get("last_modified") or ""))
                    for r in page.entries if "name" in r]
            listed += rows
            if len(rows) < PAGE:
                break
            marker = rows[-1][0]
        owners = {}
        for key in listed:          # a name registered again may have a new owner
            owner = self._owners.get(key)
            if owner is None:
                owner = await self.names.owner(key[0]) or ""
            owners[key] = owner
        self._owners = owners
        return {bare(o) for o in owners.values() if o}

    async def take(self, when: float) -> dict[str, Any]:
        """The sample of slot `when`: {"time", "accounts": {account: figures}}. An
        account that cannot be listed fails the whole sample (the next slot tries
        again): a sample without it would say it held nothing."""
        accounts = {bare(a) for a in self.accounts() if a} | await self.owners()
        figures = {}
        for account in sorted(accounts):
            if account.startswith("."):
                continue            # the store's own accounts are nobody's usage
            figures[account] = await self.account(account)
        return {"time": iso(when), "accounts": figures}

    async def account(self, account: str) -> dict[str, Any]:
        """{"bytes", "objects", "buckets": {name: {"bytes", "objects"}}} of one account."""
        buckets: dict[str, dict[str, int]] = {}
        headers: dict[str, str] = {}
        marker = ""
        while True:
            listing = await self.containers.list_account(f"AUTH_{account}",
                                                         marker=marker or None,
                                                         limit=str(PAGE))
            headers = headers or listing.headers
            rows = [r for r in listing.entries if "name" in r]
            for row in rows:
                buckets[row["name"]] = {"bytes": int(row.get("bytes", 0)),
                                        "objects": int(row.get("count", 0))}
            if len(rows) < PAGE:
                break
            marker = rows[-1]["name"]
        return {"bytes": _whole(headers.get("x-bytes-used")),
                "objects": _whole(headers.get("x-object-count")), "buckets": buckets}


def _whole(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0
