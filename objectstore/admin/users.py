"""Who may use the store: the config file's users, and the users an admin made, disabled
or gave a new key through the admin API (kept in the cluster: user_records.py).

Every proxy reads the cluster's users again at most every `ttl` seconds, when a request
needs a user (one listing of a small container), so a change made through any proxy
holds on all of them within that time, without a restart. A cluster record of a user
the config also names overrides the config's; a disabled user is known (listed) but
found by no lookup, so it can neither log in, nor use a token, nor sign.

If the cluster cannot be read, the users last read stay in force (logged): a proxy
whose nodes are briefly away keeps serving those it knows. Only the first read holds a
request up; later ones run beside the requests.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

from objectstore import errors
from objectstore.admin.user_records import UserRecord, UserRecords
from objectstore.api.tempauth import User

RELOAD_SECONDS = 5.0
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Listed:
    """A user as the admin API lists it."""

    user: User
    source: str         # "config" or "cluster"
    disabled: bool


def name_of(user: User) -> str:
    return f"{user.account}:{user.user}"


def access_key_of(user: User) -> str:
    return user.access_key or name_of(user)


def user_of(record: UserRecord) -> User:
    return User(record.account, record.user, record.key, record.admin, record.access_key,
                record.reseller_admin, record.email)


def new_secret() -> str:
    return secrets.token_urlsafe(30)


class Users:
    def __init__(self, configured: Iterable[User], records: UserRecords | None = None,
                 ttl: float = RELOAD_SECONDS) -> None:
        self._configured = {name_of(u): u for u in configured}
        self._records = records
        self._ttl = ttl
        self._cluster: dict[str, UserRecord] = {}
        self._loaded = -float("inf")
        self._lock = asyncio.Lock()
        self._refresh: asyncio.Task[None] | None = None
        self.generation = 0         # changes whenever the users in force change
        self._by_name: dict[str, User] = {}
        self._by_key: dict[str, User] = {}
        self._rebuild()

    def _rebuild(self) -> None:
        by_name = dict(self._configured)
        for name, record in self._cluster.items():
            if record.disabled:
                by_name.pop(name, None)
            else:
                by_name[name] = user_of(record)
        self._by_name = by_name
        self._by_key = {access_key_of(u): u for u in by_name.values()}
        self.generation += 1

    async def fresh(self) -> None:
        """Read the cluster's users again if the last read is older than the ttl: the
        first time before answering (a restarted proxy must know them all), later in
        the background (a request never waits on the nodes for it)."""
        if self._records is None or time.monotonic() - self._loaded < self._ttl:
            return
        if self._loaded == -float("inf"):
            await self._load()
        elif self._refresh is None or self._refresh.done():
            self._refresh = asyncio.create_task(self._load())

    async def _load(self, force: bool = False) -> None:
        assert self._records is not None
        async with self._lock:
            if not force and time.monotonic() - self._loaded < self._ttl:
                return      # another request read them meanwhile
            try:
                cluster = await self._records.load()
            except errors.ObjectStoreError as exc:
                log.warning("cannot read the cluster's users (%s): keeping those read "
                            "before", exc)
            else:
                if cluster != self._cluster:
                    self._cluster = cluster
                    self._rebuild()
            self._loaded = time.monotonic()

    def named(self, name: str) -> User | None:
        """The enabled user `account:user`."""
        return self._by_name.get(name)

    def with_access_key(self, access_key: str) -> User | None:
        return self._by_key.get(access_key)

    def enabled(self) -> tuple[User, ...]:
        return tuple(self._by_name.values())

    def listed(self) -> list[Listed]:
        out = {name: Listed(u, "config", False) for name, u in self._configured.items()}
        for name, record in self._cluster.items():
            out[name] = Listed(user_of(record), "cluster", record.disabled)
        return [out[name] for name in sorted(out)]

    # -- changes (the admin API's) -----------------------------------------------------
    def _store(self) -> UserRecords:
        if self._records is None:
            raise errors.ServiceUnavailable("this proxy keeps no users in the cluster")
        return self._records

    async def _reload(self) -> None:
        """Read them now (a change through this proxy holds here at once)."""
        await self._load(force=True)   # (a read begun before the change may miss it)

    def _current(self, name: str) -> UserRecord | None:
        """The user as a record (a config user's as the config has it)."""
        if name in self._cluster:
            return self._cluster[name]
        u = self._configured.get(name)
        if u is None:
            return None
        return UserRecord(u.account, u.user, u.key, u.access_key, u.admin, u.reseller_admin,
                          email=u.email)

    async def create(self, record: UserRecord) -> UserRecord:
        """A new user (Conflict if its name or access key is taken)."""
        await self._reload()
        if self._current(record.name) is not None:
            raise errors.Conflict(f"user {record.name} exists")
        key = record.access_key or record.name
        if any(access_key_of(lst.user) == key for lst in self.listed()):
            raise errors.Conflict(f"access key {key} is taken")
        made = replace(record, key=record.key or new_secret(), created=time.time())
        await self._store().save(made)
        await self._reload()
        return made

    async def update(self, name: str, **changes: object) -> UserRecord:
        """Change fields of a user (a config user gets a cluster record that overrides
        its config entry). NotFound if there is none."""
        await self._reload()
        current = self._current(name)
        if current is None:
            raise errors.NotFound(f"no user {name}")
        changed = replace(current, **changes)       # type: ignore[arg-type]
        await self._store().save(changed)
        await self._reload()
        return changed

    async def rotate(self, name: str) -> UserRecord:
        """A new secret key; the old one (and tokens made with it) no longer work."""
        return await self.update(name, key=new_secret())

    async def delete(self, name: str) -> None:
        """Remove a user made through the admin API. A config user cannot be deleted
        here (Conflict: remove it from the config); its override can, which brings the
        config's entry back."""
        await self._reload()
        if name not in self._cluster:
            if name in self._configured:
                raise errors.Conflict(f"user {name} is defined in the config file: "
                                      "disable it here or remove it there")
            raise errors.NotFound(f"no user {name}")
        await self._store().delete(name)
        await self._reload()
