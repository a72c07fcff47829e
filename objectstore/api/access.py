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

from collections.abc import Mapping
from dataclasses import dataclass

from objectstore import errors
from objectstore.api.names import SwiftPath
from objectstore.api.tempauth import User
from objectstore.proxy import authorization
from objectstore.proxy.authorization import ANONYMOUS, Ask, Grants, Identity, Need
from objectstore.proxy.authorization import Access as Access
from objectstore.proxy.policy import Decision
from objectstore.proxy.s3_acl import ACL
from objectstore.proxy.swift_acl import AccountACL, ContainerACL

READS = ("GET", "HEAD")
RESELLER = "reseller_admin"     # request.state: the asker is a reseller admin
# What only an owner may see or set (Swift's swift_owner_headers).
OWNER_HEADERS = frozenset({
    "x-container-read", "x-container-write", "x-container-sync-key",
    "x-container-sync-to", "x-account-access-control",
    "x-account-meta-temp-url-key", "x-account-meta-temp-url-key-2",
    "x-container-meta-temp-url-key", "x-container-meta-temp-url-key-2",
})


Principal = Identity      # a Swift request's (proxy/authorization.py decides for both APIs)


def principal_of(user: User | None) -> Identity:
    if user is None:
        return ANONYMOUS
    return Identity.of_user(user.account, user.user, user.admin, user.reseller_admin)


@dataclass(frozen=True)
class Asked:
    """What the request asks for, as the decision needs it."""

    method: str
    where: SwiftPath
    referer: str | None = None


def need_of(method: str, where: SwiftPath) -> Need:
    """The access a Swift method needs where it is sent."""
    read = method in READS
    if where.obj is not None:
        return Need.READ if read else Need.WRITE
    if where.container is not None:
        return Need.LIST if read else Need.OWNER
    return Need.ACCOUNT_READ if read else Need.OWNER


def decide(who: Identity, asked: Asked, read_acl: ContainerACL, write_acl: ContainerACL,
           account_acl: AccountACL, bucket_acl: ACL | None = None,
           policy: Decision = Decision.NONE) -> Access:
    where = asked.where
    if asked.method == "OPTIONS" and not who.owns(where.account):
        return Access.ALLOWED
    ask = Ask(need_of(asked.method, where), where.account, where.container, where.obj,
              asked.referer)
    return authorization.decide(who, ask, Grants(read_acl, write_acl, account_acl,
                                                 bucket_acl, policy=policy))


def refusal(who: Identity, what: str) -> errors.ObjectStoreError:
    """401 to a request without a token, 403 to a user."""
    if who.account is None:
        return errors.Unauthorized(f"a token is needed to {what}")
    return errors.Forbidden(f"{who.account}:{who.user} may not {what}")


def owner_headers_in(headers: Mapping[str, str]) -> list[str]:
    """The headers of a request that only an owner may send (with a value or not)."""
    return [k for k in headers if k.lower() in OWNER_HEADERS
            or (k.lower().startswith("x-remove-") and
            "x-" + k.lower()[len("x-remove-"):] in OWNER_HEADERS)]
