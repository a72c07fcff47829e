"""S3 access keys: which secret signs for which account -- the config's users and those
kept in the cluster (admin/users.py), then (if the proxy has one) Keystone's EC2
credentials."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from objectstore.proxy.authorization import Identity
from objectstore.proxy.keystone import Keystone
from objectstore.proxy.s3_acl import UserDirectory


@dataclass(frozen=True)
class S3User:
    access_key: str      # "account:user" unless the config names one
    secret: str
    account: str         # owner of the buckets; the Swift account is AUTH_<account>
    admin: bool = True   # a non-admin may do nothing until ACLs say what it may do
    email: str = ""      # the account's email in S3 grants (emailAddress=...), if set
    identity: Identity | None = None   # who a Keystone EC2 key's user is (else made)
    reseller: bool = False  # a reseller admin (what the admin API asks; S3 has none)

    @property
    def swift_account(self) -> str:
        return f"AUTH_{self.account}"


class User(Protocol):
    """A user as the config or the cluster has it (api/tempauth.py's User)."""

    @property
    def account(self) -> str: ...
    @property
    def user(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def admin(self) -> bool: ...
    @property
    def access_key(self) -> str: ...
    @property
    def reseller_admin(self) -> bool: ...
    @property
    def email(self) -> str: ...


class LiveUsers(Protocol):
    """The users in force, which may change while the proxy runs (admin/users.py)."""

    generation: int

    async def fresh(self) -> None: ...

    def enabled(self) -> Sequence[User]: ...


def s3_users(users: Sequence[User]) -> tuple[S3User, ...]:
    """Each user's S3 access key: `account:user` unless the config names one."""
    return tuple(S3User(u.access_key or f"{u.account}:{u.user}", u.key, u.account,
                        u.admin, u.email, reseller=u.reseller_admin) for u in users)


class KeyStore:
    def __init__(self, users: tuple[S3User, ...] | LiveUsers,
                 keystone: Keystone | None = None) -> None:
        self.keystone = keystone
        self._live = None if isinstance(users, tuple) else users
        self._generation = -1
        self._use(users if isinstance(users, tuple) else s3_users(users.enabled()))

    def _use(self, users: tuple[S3User, ...]) -> None:
        self._by_key = {u.access_key: u for u in users}
        # who S3 ACLs may name: canonical id = account, by id or by a user's email
        self.directory = UserDirectory((u.account, u.email) for u in users)

    async def get(self, access_key: str) -> S3User | None:
        """The user of an access key: the config's and the cluster's first, then
        Keystone's (its answer cached there; ServiceUnavailable if Keystone cannot be
        asked)."""
        live = self._live
        if live is not None:
            await live.fresh()
            if live.generation != self._generation:
                self._generation = live.generation
                self._use(s3_users(live.enabled()))
        user = self._by_key.get(access_key)
        if user is not None or self.keystone is None:
            return user
        key = await self.keystone.ec2_key(access_key)
        if key is None:
            return None
        who = key.identity
        assert who.account is not None
        return S3User(access_key, key.secret, who.account, who.admin, identity=who,
                      reseller=who.reseller)
