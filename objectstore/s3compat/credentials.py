"""S3 access keys: which secret signs for which account."""

from __future__ import annotations

from dataclasses import dataclass

from objectstore.proxy.s3_acl import UserDirectory


@dataclass(frozen=True)
class S3User:
    access_key: str      # "account:user" unless the config names one
    secret: str
    account: str         # owner of the buckets; the Swift account is AUTH_<account>
    admin: bool = True   # a non-admin may do nothing until ACLs say what it may do
    email: str = ""      # the account's email in S3 grants (emailAddress=...), if set

    @property
    def swift_account(self) -> str:
        return f"AUTH_{self.account}"


class KeyStore:
    def __init__(self, users: tuple[S3User, ...]) -> None:
        self._by_key = {u.access_key: u for u in users}
        # who S3 ACLs may name: canonical id = account, by id or by a user's email
        self.directory = UserDirectory((u.account, u.email) for u in users)

    def get(self, access_key: str) -> S3User | None:
        return self._by_key.get(access_key)
