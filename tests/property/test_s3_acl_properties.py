"""Properties of the S3 ACL library: FULL_CONTROL grants every permission, an ACL
survives its serialization and its XML document, grants only ever add access."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from objectstore.proxy.s3_acl import (
    ACL,
    MAX_GRANTS,
    CanonicalUser,
    Grant,
    Grantee,
    Group,
    Owner,
    Permission,
    UserDirectory,
    allows,
)
from objectstore.proxy.s3_acl_headers import CANNED, canned
from objectstore.proxy.s3_acl_store import decode, encode
from objectstore.s3compat.acl_xml import parse_policy, render_policy

# canonical ids: printable text, XML's special characters included
ids = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x2FF), min_size=1,
              max_size=20).map(str.strip).filter(bool)
grantees: st.SearchStrategy[Grantee] = st.one_of(st.builds(CanonicalUser, ids),
                                                 st.sampled_from(list(Group)))
grants = st.builds(Grant, grantees, st.sampled_from(list(Permission)))
owners = st.builds(Owner, ids)
acls = st.builds(ACL, owners, st.lists(grants, max_size=MAX_GRANTS).map(tuple))
requesters = st.one_of(st.none(), ids)
built_canned = [name for name in CANNED if name != "aws-exec-read"]


@given(acls, grantees, st.sampled_from(list(Permission)), st.booleans())
def test_full_control_grants_every_permission(acl: ACL, grantee: Grantee,
                                              permission: Permission,
                                              is_bucket: bool) -> None:
    full = ACL(acl.owner, (*acl.grants[:MAX_GRANTS - 1],
                           Grant(grantee, Permission.FULL_CONTROL)))
    requester = grantee.id if isinstance(grantee, CanonicalUser) else (
        "someone" if grantee is not Group.LOG_DELIVERY else None)
    if grantee is Group.LOG_DELIVERY:
        return                                           # has no members here
    applies = is_bucket or permission is not Permission.WRITE
    assert allows(full, requester, permission, is_bucket) is applies


@given(acls, grants, requesters, st.sampled_from(list(Permission)), st.booleans())
def test_a_grant_more_never_takes_access_away(acl: ACL, extra: Grant,
                                              requester: str | None,
                                              permission: Permission,
                                              is_bucket: bool) -> None:
    more = ACL(acl.owner, (*acl.grants[:MAX_GRANTS - 1], extra))
    fewer = ACL(acl.owner, acl.grants[:MAX_GRANTS - 1])
    if allows(fewer, requester, permission, is_bucket):
        assert allows(more, requester, permission, is_bucket)


@given(acls, requesters, st.sampled_from(list(Permission)), st.booleans())
def test_ignoring_public_acls_never_allows_more(acl: ACL, requester: str | None,
                                               permission: Permission,
                                               is_bucket: bool) -> None:
    if allows(acl, requester, permission, is_bucket, ignore_public=True):
        assert allows(acl, requester, permission, is_bucket)


@given(st.sampled_from(built_canned), owners, owners)
def test_a_canned_acl_round_trips_through_the_serialization(name: str, owner: Owner,
                                                            bucket_owner: Owner) -> None:
    acl = canned(name, owner, bucket_owner)
    assert decode(encode(acl)) == acl


@given(acls)
def test_every_acl_round_trips_through_the_serialization(acl: ACL) -> None:
    assert decode(encode(acl)) == acl


@given(acls)
def test_parse_of_render_is_the_acl(acl: ACL) -> None:
    users = UserDirectory((g.grantee.id, "") for g in acl.grants
                          if isinstance(g.grantee, CanonicalUser))
    assert parse_policy(render_policy(acl), acl.owner, users) == acl


@given(st.lists(grants, max_size=10))
def test_the_order_given_does_not_matter_between_groups_and_users(order: list[Grant]) -> None:
    users = [g for g in order if isinstance(g.grantee, CanonicalUser)]
    groups = [g for g in order if isinstance(g.grantee, Group)]
    owner = Owner("o")
    assert ACL(owner, tuple(order)) == ACL(owner, (*users, *groups))
