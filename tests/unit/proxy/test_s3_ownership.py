"""Object Ownership (proxy/s3_ownership.py), as s3-tests' ownership tests decide it:
who owns an object each writer writes, and which ACL requests each setting refuses."""

from __future__ import annotations

import pytest

from objectstore.proxy.s3_acl import (
    ACL,
    CanonicalUser,
    Grant,
    Group,
    Permission,
    private,
)
from objectstore.proxy.s3_acl_errors import AclNotSupported, AclWithEnforcedOwnership
from objectstore.proxy.s3_acl_headers import canned
from objectstore.proxy.s3_ownership import (
    ObjectOwnership,
    check_acl_change,
    check_bucket_acl,
    check_object_write,
    effective_acl,
    object_owner,
    object_write_acl,
)
from tests.s3_acl_names import ALT, MAIN, USERS

ENFORCED, PREFERRED, WRITER = (ObjectOwnership.BUCKET_OWNER_ENFORCED,
                               ObjectOwnership.BUCKET_OWNER_PREFERRED,
                               ObjectOwnership.OBJECT_WRITER)


def test_the_values_are_s3s_names() -> None:
    assert [o.value for o in ObjectOwnership] == [
        "BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"]


@pytest.mark.parametrize("acl", [None, "private", "bucket-owner-full-control", "public-read"])
def test_who_owns_what_another_account_writes(acl: str | None) -> None:
    assert object_owner(ENFORCED, ALT, MAIN, acl) == MAIN
    assert object_owner(WRITER, ALT, MAIN, acl) == ALT
    assert object_owner(None, ALT, MAIN, acl) == ALT           # no OwnershipControls
    expected = MAIN if acl == "bucket-owner-full-control" else ALT
    assert object_owner(PREFERRED, ALT, MAIN, acl) == expected


def test_enforced_takes_writes_without_acl_or_with_bucket_owner_full_control() -> None:
    check_object_write(ENFORCED, None, ALT, MAIN)
    check_object_write(ENFORCED, canned("bucket-owner-full-control", ALT, MAIN), ALT, MAIN)
    # the same said in grant headers: the bucket owner's FULL_CONTROL (and the writer's)
    said = ACL(ALT, (Grant(CanonicalUser("test"), Permission.FULL_CONTROL),))
    check_object_write(ENFORCED, said, ALT, MAIN)
    # the bucket owner writing privately says bucket-owner-full-control too
    check_object_write(ENFORCED, canned("private", MAIN, MAIN), MAIN, MAIN)
    for name in ("private", "public-read", "authenticated-read", "bucket-owner-read"):
        with pytest.raises(AclNotSupported, match="does not allow ACLs"):
            check_object_write(ENFORCED, canned(name, ALT, MAIN), ALT, MAIN)
    with pytest.raises(AclNotSupported):
        check_object_write(ENFORCED, canned("public-read", MAIN, MAIN), MAIN, MAIN)


@pytest.mark.parametrize("ownership", [PREFERRED, WRITER, None])
def test_other_settings_take_any_acl(ownership: ObjectOwnership | None) -> None:
    check_object_write(ownership, canned("public-read-write", ALT, MAIN), ALT, MAIN)
    check_acl_change(ownership)
    check_bucket_acl(ownership, canned("public-read", MAIN, MAIN))


def test_the_acl_kept_with_a_written_object_names_its_owner() -> None:
    bofc = {"x-amz-acl": "bucket-owner-full-control"}
    public = {"x-amz-acl": "public-read"}
    assert object_write_acl(ENFORCED, {}, ALT, MAIN, USERS) == private(MAIN)
    assert object_write_acl(ENFORCED, bofc, ALT, MAIN, USERS) == private(MAIN)
    with pytest.raises(AclNotSupported):
        object_write_acl(ENFORCED, public, ALT, MAIN, USERS)
    assert object_write_acl(PREFERRED, bofc, ALT, MAIN, USERS) == private(MAIN)
    assert object_write_acl(PREFERRED, {}, ALT, MAIN, USERS) == private(ALT)
    assert object_write_acl(WRITER, bofc, ALT, MAIN, USERS) == canned(
        "bucket-owner-full-control", ALT, MAIN)
    assert object_write_acl(None, public, ALT, MAIN, USERS) == canned("public-read", ALT,
                                                                       MAIN)
    granted = object_write_acl(PREFERRED, {"x-amz-grant-read": "id=test"}, ALT, MAIN, USERS)
    assert granted == ACL(ALT, (Grant(CanonicalUser("test"), Permission.READ),))


def test_enforced_refuses_every_acl_change() -> None:
    with pytest.raises(AclNotSupported):
        check_acl_change(ENFORCED)


def test_enforced_needs_a_bucket_acl_granting_nobody_but_the_owner() -> None:
    check_bucket_acl(ENFORCED, None)
    check_bucket_acl(ENFORCED, private(MAIN))
    with pytest.raises(AclWithEnforcedOwnership, match="BucketOwnerEnforced"):
        check_bucket_acl(ENFORCED, canned("public-read", MAIN, MAIN))
    check_bucket_acl(ENFORCED, ACL(MAIN, ()))       # the owner revoked its own grants
    with pytest.raises(AclWithEnforcedOwnership):
        check_bucket_acl(ENFORCED, ACL(MAIN, (Grant(CanonicalUser("test2"),
                                                    Permission.READ),)))


def test_while_acls_are_disabled_only_the_bucket_owners_full_control_counts() -> None:
    stored = ACL(ALT, (Grant(Group.ALL_USERS, Permission.READ),
                       Grant(CanonicalUser("test2"), Permission.FULL_CONTROL)))
    assert effective_acl(ENFORCED, stored, MAIN) == private(MAIN)
    assert effective_acl(PREFERRED, stored, MAIN) is stored
    assert effective_acl(None, stored, MAIN) is stored
