"""S3 access keys: which secret signs for which account -- the config's users, then
(if the proxy has one) Keystone's EC2 credentials."""

from __future__ import annotations

from dataclasses import dataclass

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

    @property
    def swift_account(self) -> str:
        return f"AUTH_{self.account}"


class KeyStore:
    def __init__(self, users: tuple[S3User, ...], keystone: Keystone | None = None) -> None:
        self._by_key = {u.access_key: u for u in users}
        self.keystone = keystone
        # who S3 ACLs may name: canonical id = account, by id or by a user's email
        self.directory = UserDirectory((u.account, u.email) for u in users)

    async def get(self, access_key: str) -> S3User | None:
        """The user of an access key: the config's first, then Keystone's (its answer
        cached there; ServiceUnavailable if Keystone cannot be asked)."""
        user = self._by_key.get(access_key)
        if user is not None or self.keystone is None:
            return user
        key = await self.keystone.ec2_key(access_key)
        if key is None:
            return None
        who = key.identity
        assert who.account is not None
        return S3User(access_key, key.secret, who.account, who.admin, identity=who)
