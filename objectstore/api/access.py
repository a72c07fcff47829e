"""Who may make a Swift request, decided as OpenStack Swift's tempauth decides it.

A user belongs to the groups `account` and `account:user`, and an admin also to
`AUTH_account` -- the account's *owner* group. In order:
1. A reseller admin owns every account; an account's admins own it (not its PUT or
   DELETE, which no user may do here).
2. A container's read ACL lets its groups read the container's objects and list it, and
   a referrer it allows read the objects (and list only with `.rlistings`); its write
   ACL lets its groups create, change and delete objects -- never the container itself.
3. The account ACL: `admin` members own the account, `read-write` ones may do anything
   to containers and objects and read the account, `read-only` ones may read.
Anything else is refused: 403 to a user, 401 to a request without a token.

Owners see and may set what grants access (ACLs, TempURL keys); nobody else does."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from objectstore import errors
from objectstore.api.acl import AccountACL, ContainerACL
from objectstore.api.names import SwiftPath
from objectstore.api.tempauth import User

READS = ("GET", "HEAD")
RESELLER = "reseller_admin"     # request.state: the asker is a reseller admin
# What only an owner may see or set (Swift's swift_owner_headers).
OWNER_HEADERS = frozenset({
    "x-container-read", "x-container-write", "x-container-sync-key",
    "x-container-sync-to", "x-account-access-control",
    "x-account-meta-temp-url-key", "x-account-meta-temp-url-key-2",
    "x-container-meta-temp-url-key", "x-container-meta-temp-url-key-2",
})


class Access(enum.Enum):
    OWNER = "owner"         # may do anything to the account, and sees its secrets
    ALLOWED = "allowed"     # an ACL grants this request
    DENIED = "denied"


@dataclass(frozen=True)
class Principal:
    """Who asks: a user's groups, or nobody (no token)."""

    user: User | None
    groups: frozenset[str]

    @classmethod
    def of(cls, user: User | None) -> Principal:
        if user is None:
            return ANONYMOUS
        groups = {user.account, f"{user.account}:{user.user}"}
        if user.admin:
            groups.add(user.swift_account)
        return cls(user, frozenset(groups))

    @property
    def reseller_admin(self) -> bool:
        return self.user is not None and self.user.reseller_admin

    def owns(self, account: str) -> bool:
        """Without asking any ACL: a reseller admin, or an admin of this account. No
        one owns an account whose name starts with a dot (the store's own: the S3
        name registry, the expiry queue)."""
        if account.startswith("."):
            return False
        return self.reseller_admin or account in self.groups


ANONYMOUS = Principal(None, frozenset())


@dataclass(frozen=True)
class Asked:
    """What the request asks for, as the decision needs it."""

    method: str
    where: SwiftPath
    referer: str | None = None


def decide(who: Principal, asked: Asked, read_acl: ContainerACL, write_acl: ContainerACL,
           account_acl: AccountACL) -> Access:
    where = asked.where
    if who.owns(where.account):
        return Access.OWNER
    if asked.method == "OPTIONS":
        return Access.ALLOWED
    read = asked.method in READS
    if where.container is not None:
        if read:
            if read_acl.referrer_allowed(asked.referer) and (where.obj or read_acl.listings):
                return Access.ALLOWED
            if who.groups & read_acl.groups:
                return Access.ALLOWED
        elif where.obj is not None and who.groups & write_acl.groups:
            return Access.ALLOWED
    if who.groups & account_acl.admin:
        return Access.OWNER
    if who.groups & account_acl.read_write and (where.container is not None or read):
        return Access.ALLOWED
    if who.groups & account_acl.read_only and read:
        return Access.ALLOWED
    return Access.DENIED


def refusal(who: Principal, what: str) -> errors.ObjectStoreError:
    """401 to a request without a token, 403 to a user."""
    if who.user is None:
        return errors.Unauthorized(f"a token is needed to {what}")
    return errors.Forbidden(f"{who.user.account}:{who.user.user} may not {what}")


def owner_headers_in(headers: Mapping[str, str]) -> list[str]:
    """The headers of a request that only an owner may send (with a value or not)."""
    return [k for k in headers if k.lower() in OWNER_HEADERS
            or (k.lower().startswith("x-remove-") and
            "x-" + k.lower()[len("x-remove-"):] in OWNER_HEADERS)]
