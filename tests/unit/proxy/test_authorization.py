"""The one decision of both APIs, case by case: who (an admin, another user, another
account, a reseller, nobody), what is needed, and which grant of which model lets in."""

from __future__ import annotations

import pytest

from objectstore.proxy.authorization import (
    ANONYMOUS,
    Access,
    Ask,
    Grants,
    Identity,
    Need,
    decide,
)
from objectstore.proxy.policy import Decision
from objectstore.proxy.s3_acl import ACL, CanonicalUser, Grant, Group, Owner, Permission, private
from objectstore.proxy.swift_acl import AccountACL, ContainerACL

ADMIN = Identity.of_user("alice", "admin", admin=True)
CLERK = Identity.of_user("alice", "clerk", admin=False)
BOB = Identity.of_user("bob", "admin", admin=True)
RESELLER = Identity.of_user("root", "root", admin=True, reseller=True)
HOME = "AUTH_alice"


def ask(need: Need, obj: str | None = "k", referer: str | None = None) -> Ask:
    return Ask(need, HOME, "bucket", obj if need is not Need.LIST else None, referer)


def acl(*grants: tuple[CanonicalUser | Group, Permission]) -> ACL:
    return ACL(Owner("alice"), tuple(Grant(g, p) for g, p in grants))


def test_owners_may_do_anything_without_any_grant() -> None:
    for who in (ADMIN, RESELLER):
        assert decide(who, ask(Need.OWNER, None), Grants()) is Access.OWNER
    assert decide(BOB, ask(Need.OWNER, None), Grants()) is Access.DENIED
    assert decide(BOB, ask(Need.OWNER, None), Grants(
        account_acl=AccountACL(admin=frozenset({"bob"})))) is Access.OWNER
    # no one owns the store's own accounts
    assert decide(RESELLER, Ask(Need.READ, ".s3", "c", "o"), Grants()) is Access.DENIED


def test_an_explicit_deny_refuses_even_the_owner() -> None:
    for who in (ADMIN, RESELLER, BOB):
        assert decide(who, ask(Need.READ), Grants(policy=Decision.DENY)) is Access.DENIED


def test_a_policy_allow_admits_unless_public_and_restricted() -> None:
    assert decide(BOB, ask(Need.READ), Grants(policy=Decision.ALLOW)) is Access.ALLOWED
    assert decide(ANONYMOUS, ask(Need.READ), Grants(policy=Decision.ALLOW)) is Access.ALLOWED
    restricted = Grants(policy=Decision.ALLOW, public_policy=True, restrict_public=True)
    assert decide(BOB, ask(Need.READ), restricted) is Access.DENIED
    assert decide(ANONYMOUS, ask(Need.READ), restricted) is Access.DENIED
    assert decide(CLERK, ask(Need.READ), restricted) is Access.ALLOWED   # its own account


@pytest.mark.parametrize(("need", "bucket_grant", "object_grant", "allowed"), [
    (Need.LIST, Permission.READ, None, True),
    (Need.READ, Permission.READ, None, False),         # a bucket READ is not the objects
    (Need.READ, None, Permission.READ, True),
    (Need.WRITE, Permission.WRITE, None, True),
    (Need.WRITE, None, Permission.WRITE, False),       # WRITE on an object means nothing
    (Need.READ_ACP, None, Permission.READ_ACP, True),
    (Need.WRITE_ACP, None, Permission.FULL_CONTROL, True),
    (Need.OWNER, Permission.FULL_CONTROL, None, False),    # ACLs never reach settings
])
def test_s3_grants_to_another_account(need: Need, bucket_grant: Permission | None,
                                      object_grant: Permission | None, allowed: bool) -> None:
    bob = CanonicalUser("bob")
    grants = Grants(bucket_acl=acl(*([(bob, bucket_grant)] if bucket_grant else [])),
                    object_acl=acl(*([(bob, object_grant)] if object_grant else [])))
    expected = Access.ALLOWED if allowed else Access.DENIED
    assert decide(BOB, ask(need), grants) is expected


def test_listing_parts_of_a_key_is_the_buckets_read() -> None:
    grants = Grants(bucket_acl=acl((CanonicalUser("bob"), Permission.READ)))
    assert decide(BOB, Ask(Need.LIST, HOME, "bucket", "key"), grants) is Access.ALLOWED


def test_canonical_grants_are_the_accounts_admins_and_groups_are_everyones() -> None:
    mine = Grants(bucket_acl=private(Owner("alice")))
    assert decide(CLERK, ask(Need.LIST), mine) is Access.DENIED
    authenticated = Grants(object_acl=acl((Group.AUTHENTICATED_USERS, Permission.READ)))
    assert decide(CLERK, ask(Need.READ), authenticated) is Access.ALLOWED
    assert decide(BOB, ask(Need.READ), authenticated) is Access.ALLOWED
    assert decide(ANONYMOUS, ask(Need.READ), authenticated) is Access.DENIED
    public = Grants(object_acl=acl((Group.ALL_USERS, Permission.READ)))
    assert decide(ANONYMOUS, ask(Need.READ), public) is Access.ALLOWED
    ignored = Grants(object_acl=public.object_acl, ignore_public_acls=True)
    assert decide(ANONYMOUS, ask(Need.READ), ignored) is Access.DENIED


def test_swift_acls_decide_s3_needs_the_same_way() -> None:
    anyone = Grants(read_acl=ContainerACL.parse(".r:*"))
    assert decide(ANONYMOUS, ask(Need.READ), anyone) is Access.ALLOWED
    assert decide(ANONYMOUS, ask(Need.LIST), anyone) is Access.DENIED     # no .rlistings
    listings = Grants(read_acl=ContainerACL.parse(".r:*,.rlistings"))
    assert decide(ANONYMOUS, ask(Need.LIST), listings) is Access.ALLOWED
    assert decide(ANONYMOUS, ask(Need.WRITE), listings) is Access.DENIED
    groups = Grants(read_acl=ContainerACL.parse("bob"), write_acl=ContainerACL.parse(
        "alice:clerk"))
    assert decide(BOB, ask(Need.READ), groups) is Access.ALLOWED
    assert decide(CLERK, ask(Need.WRITE), groups) is Access.ALLOWED
    assert decide(CLERK, ask(Need.READ), groups) is Access.DENIED
    assert decide(BOB, ask(Need.READ_ACP), groups) is Access.DENIED       # S3's own
    referred = Grants(read_acl=ContainerACL.parse(".r:.example.com"))
    assert decide(ANONYMOUS, ask(Need.READ, referer="https://www.example.com/p"),
                  referred) is Access.ALLOWED
    assert decide(ANONYMOUS, ask(Need.READ, referer="https://evil.test/"), referred) \
        is Access.DENIED


def test_the_account_acl() -> None:
    read_only = Grants(account_acl=AccountACL(read_only=frozenset({"bob"})))
    assert decide(BOB, ask(Need.READ), read_only) is Access.ALLOWED
    assert decide(BOB, ask(Need.LIST), read_only) is Access.ALLOWED
    assert decide(BOB, ask(Need.WRITE), read_only) is Access.DENIED
    read_write = Grants(account_acl=AccountACL(read_write=frozenset({"bob"})))
    assert decide(BOB, ask(Need.WRITE), read_write) is Access.ALLOWED
    assert decide(BOB, Ask(Need.OWNER, HOME), read_write) is Access.DENIED  # the account
