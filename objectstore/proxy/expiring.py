"""The queue of objects to expire, kept as listing rows of a hidden account as Swift
keeps it: account `.expiring_objects`, a container per day of expiry, a row
`<delete_at>-<account>/<container>/<object>` per expiring object version. Writes with
an expiry add a row (daemons/expirer.py works through them); no user can reach the
account (its name starts with a dot, which TempAuth never grants)."""

from __future__ import annotations

from dataclasses import dataclass

from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.timestamps import Timestamp

QUEUE_ACCOUNT = ".expiring_objects"
DAY = 86400
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"


@dataclass(frozen=True)
class Entry:
    delete_at: int
    account: str
    container: str
    obj: str

    @property
    def name(self) -> str:
        return f"{self.delete_at:010d}-{self.account}/{self.container}/{self.obj}"

    @property
    def day(self) -> str:
        return str(self.delete_at - self.delete_at % DAY)

    @classmethod
    def parse(cls, name: str) -> Entry:
        """ValueError for a row that is not an entry."""
        when, dash, path = name.partition("-")
        account, _, rest = path.partition("/")
        container, _, obj = rest.partition("/")
        if not dash or not when.isdigit() or not account or not container or not obj:
            raise ValueError(f"not an expiry entry: {name!r}")
        return cls(int(when), account, container, obj)


async def enqueue(proxy: Proxy, containers: Containers, entry: Entry) -> None:
    """Add the entry's row (its day's container made first, once per proxy and day)."""
    if not proxy.known_containers.known(QUEUE_ACCOUNT, entry.day):
        await containers.put_container(QUEUE_ACCOUNT, entry.day, {})
    await proxy.update_row("PUT", QUEUE_ACCOUNT, entry.day, entry.name, {
        "x-timestamp": Timestamp.now().internal, "x-size": "0", "x-etag": EMPTY_MD5,
        "x-content-type": "application/x-expiry"})


async def dequeue(proxy: Proxy, entry: Entry) -> None:
    await proxy.update_row("DELETE", QUEUE_ACCOUNT, entry.day, entry.name,
                           {"x-timestamp": Timestamp.now().internal})
