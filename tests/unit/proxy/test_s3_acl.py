"""The S3 ACL model (proxy/s3_acl.py): the grants' one order, what one ACL allows whom,
public ACLs and PublicAccessBlock, the directory of users grants name."""

from __future__ import annotations

import pytest

from objectstore.proxy.s3_acl import (
    ACL,
    MAX_GRANTS,
    CanonicalUser,
    Grant,
    Group,
    Owner,
    Permission,
    UserDirectory,
    allows,
    check_not_blocked,
    grants_only_to,
    is_public,
    private,
)
from objectstore.proxy.s3_acl_errors import MalformedAcl, PublicAclBlocked
from tests.s3_acl_names import FC, MAIN, RA, WA, R, W


def acl_of(*grants: tuple[CanonicalUser | Group, Permission], owner: Owner = MAIN) -> ACL:
    return ACL(owner, tuple(Grant(g, p) for g, p in grants))


def test_the_display_name_defaults_to_the_canonical_id() -> None:
    assert Owner("test").display_name == "test"
    assert Owner("test", "Tess").display_name == "Tess"


def test_groups_come_first_then_users_by_id_whatever_the_order_given() -> None:
    acl = acl_of((CanonicalUser("test"), FC), (CanonicalUser("b"), R),
                 (Group.ALL_USERS, R), (Group.ALL_USERS, W))
    assert [g.grantee for g in acl.grants] == [Group.ALL_USERS, Group.ALL_USERS,
                                              CanonicalUser("b"), CanonicalUser("test")]
    assert [g.permission for g in acl.grants[:2]] == [R, W]     # groups keep their order
    assert acl == acl_of((Group.ALL_USERS, R), (Group.ALL_USERS, W),
                         (CanonicalUser("b"), R), (CanonicalUser("test"), FC))


def test_more_than_100_grants_are_refused() -> None:
    grants = tuple(Grant(CanonicalUser(f"u{i}"), R) for i in range(MAX_GRANTS))
    assert len(ACL(MAIN, grants).grants) == MAX_GRANTS
    with pytest.raises(MalformedAcl, match="at most 100"):
        ACL(MAIN, (*grants, Grant(Group.ALL_USERS, R)))


def test_private_is_the_owners_full_control_alone() -> None:
    acl = private(MAIN)
    assert acl.grants == (Grant(CanonicalUser("test"), FC),)
    assert grants_only_to(acl, "test") and not grants_only_to(acl, "test2")
    assert grants_only_to(ACL(MAIN), "test")                    # no grant at all
    assert not grants_only_to(acl_of((CanonicalUser("test"), FC),
                                     (Group.ALL_USERS, R)), "test")


@pytest.mark.parametrize("permission", list(Permission))
def test_full_control_implies_every_permission_on_a_bucket(permission: Permission) -> None:
    acl = acl_of((CanonicalUser("test2"), FC))
    assert allows(acl, "test2", permission, is_bucket=True)
    assert not allows(acl, "test3", permission, is_bucket=True)
    assert not allows(acl, None, permission, is_bucket=True)


@pytest.mark.parametrize("granted", list(Permission))
def test_each_permission_grants_itself_alone(granted: Permission) -> None:
    acl = acl_of((CanonicalUser("test2"), granted))
    for asked in Permission:
        expected = asked is granted or granted is FC
        assert allows(acl, "test2", asked, is_bucket=True) is expected, (granted, asked)


def test_write_on_an_object_lets_nobody_do_anything() -> None:
    acl = acl_of((CanonicalUser("test2"), W), (Group.ALL_USERS, FC))
    assert not allows(acl, "test2", W, is_bucket=False)
    assert not allows(acl, "test", W, is_bucket=False)
    assert allows(acl, "test2", R, is_bucket=False)             # through AllUsers


def test_the_owner_always_reads_and_writes_the_acl_but_nothing_more() -> None:
    revoked = ACL(MAIN)                 # s3-tests test_bucket_acl_revoke_all
    assert allows(revoked, "test", RA, is_bucket=True)
    assert allows(revoked, "test", WA, is_bucket=True)
    assert not allows(revoked, "test", R, is_bucket=True)
    assert not allows(revoked, "test", W, is_bucket=True)
    assert not allows(revoked, "test2", RA, is_bucket=True)
    assert not allows(revoked, None, RA, is_bucket=True)


def test_all_users_takes_anyone_authenticated_users_only_the_signed() -> None:
    public = acl_of((Group.ALL_USERS, R))
    signed = acl_of((Group.AUTHENTICATED_USERS, R))
    assert allows(public, None, R, is_bucket=False)
    assert allows(public, "test2", R, is_bucket=False)
    assert not allows(signed, None, R, is_bucket=False)
    assert allows(signed, "test2", R, is_bucket=False)


def test_nobody_is_in_log_delivery() -> None:
    acl = acl_of((Group.LOG_DELIVERY, W), (Group.LOG_DELIVERY, RA))
    assert not allows(acl, None, W, is_bucket=True)
    assert not allows(acl, "test2", W, is_bucket=True)
    assert not is_public(acl)


def test_ignore_public_acls_leaves_only_named_grants() -> None:
    acl = acl_of((Group.ALL_USERS, R), (Group.AUTHENTICATED_USERS, WA),
                 (CanonicalUser("test3"), R))
    assert allows(acl, "test2", R, is_bucket=True)
    assert not allows(acl, "test2", R, is_bucket=True, ignore_public=True)
    assert not allows(acl, "test2", WA, is_bucket=True, ignore_public=True)
    assert allows(acl, "test3", R, is_bucket=True, ignore_public=True)
    assert allows(acl, "test", WA, is_bucket=True, ignore_public=True)   # the owner


@pytest.mark.parametrize(("grantee", "public"), [
    (Group.ALL_USERS, True), (Group.AUTHENTICATED_USERS, True),
    (Group.LOG_DELIVERY, False), (CanonicalUser("test2"), False)])
def test_a_public_acl_grants_to_all_or_authenticated_users(
        grantee: CanonicalUser | Group, public: bool) -> None:
    for permission in Permission:
        assert is_public(acl_of((CanonicalUser("test"), FC), (grantee, permission))) \
            is public


def test_block_public_acls_refuses_setting_a_public_acl_only() -> None:
    public = acl_of((Group.ALL_USERS, R))
    with pytest.raises(PublicAclBlocked):
        check_not_blocked(public, block_public_acls=True)
    check_not_blocked(public, block_public_acls=False)
    check_not_blocked(private(MAIN), block_public_acls=True)
    check_not_blocked(None, block_public_acls=True)             # no ACL asked for


def test_the_user_directory_resolves_emails_case_insensitively() -> None:
    users = UserDirectory([("test", "tester@example.com"), ("test2", ""),
                           ("test3", "Tester3@Example.com")])
    assert users.id_of_email("TESTER@example.com") == "test"
    assert users.id_of_email("tester3@example.com") == "test3"
    assert users.id_of_email("nobody@example.com") is None
    assert users.id_of_email("") is None
    assert users.has_id("test2") and not users.has_id("_foo")
