"""ACLs asked for in headers (proxy/s3_acl_headers.py): each canned ACL's grants, the
x-amz-grant-* grammar, and what S3 refuses."""

from __future__ import annotations

import pytest

from objectstore.proxy.s3_acl import (
    CanonicalUser,
    Grant,
    Group,
    Owner,
    private,
)
from objectstore.proxy.s3_acl_errors import (
    CannedAclNotBuilt,
    ConflictingAclHeaders,
    InvalidAclArgument,
    MalformedAcl,
    UnresolvableEmail,
)
from objectstore.proxy.s3_acl_headers import CANNED, canned, requested_acl
from tests.s3_acl_names import ALT, FC, MAIN, RA, USERS, WA, R, W

ME, YOU = CanonicalUser("test"), CanonicalUser("test2")


def grants(name: str, owner: Owner = MAIN, bucket_owner: Owner = MAIN) -> set[Grant]:
    acl = canned(name, owner, bucket_owner)
    assert acl.owner == owner
    return set(acl.grants)


def test_the_canned_acls_of_a_resource_its_bucket_owner_owns() -> None:
    assert grants("private") == {Grant(ME, FC)}
    assert grants("public-read") == {Grant(Group.ALL_USERS, R), Grant(ME, FC)}
    assert grants("public-read-write") == {Grant(Group.ALL_USERS, R),
                                           Grant(Group.ALL_USERS, W), Grant(ME, FC)}
    assert grants("authenticated-read") == {Grant(Group.AUTHENTICATED_USERS, R),
                                            Grant(ME, FC)}
    assert grants("log-delivery-write") == {Grant(Group.LOG_DELIVERY, W),
                                            Grant(Group.LOG_DELIVERY, RA), Grant(ME, FC)}
    # on a bucket (or an object its bucket's owner wrote) these say what private says
    assert canned("bucket-owner-read", MAIN, MAIN) == private(MAIN)
    assert canned("bucket-owner-full-control", MAIN, MAIN) == private(MAIN)


def test_the_bucket_owner_acls_of_an_object_another_account_wrote() -> None:
    assert grants("bucket-owner-read", ALT, MAIN) == {Grant(YOU, FC), Grant(ME, R)}
    assert grants("bucket-owner-full-control", ALT, MAIN) == {Grant(YOU, FC),
                                                              Grant(ME, FC)}
    assert grants("public-read", ALT, MAIN) == {Grant(Group.ALL_USERS, R), Grant(YOU, FC)}


def test_canned_acls_list_group_grants_before_the_owner() -> None:
    acl = canned("public-read-write", MAIN, MAIN)
    assert acl.grants == (Grant(Group.ALL_USERS, R), Grant(Group.ALL_USERS, W),
                          Grant(ME, FC))        # s3-tests reads the owner as Grants[2]


def test_an_unknown_canned_acl_is_invalid_argument_naming_it() -> None:
    with pytest.raises(InvalidAclArgument) as caught:       # test_bucket_put_bad_canned_acl
        canned("public-ready", MAIN, MAIN)
    assert caught.value.details == {"ArgumentName": "x-amz-acl",
                                    "ArgumentValue": "public-ready"}


def test_aws_exec_read_is_refused_as_not_built() -> None:
    assert "aws-exec-read" in CANNED
    with pytest.raises(CannedAclNotBuilt, match="aws-exec-read"):
        canned("aws-exec-read", MAIN, MAIN)


def test_no_acl_headers_ask_for_no_acl() -> None:
    assert requested_acl({"content-type": "text/plain"}, MAIN, MAIN, USERS) is None


def test_a_canned_header_names_the_acl() -> None:
    acl = requested_acl({"x-amz-acl": "public-read"}, ALT, MAIN, USERS)
    assert acl == canned("public-read", ALT, MAIN)


def test_every_grant_header_in_s3_tests_order_whatever_the_headers_order() -> None:
    headers = {f"x-amz-grant-{p}": "id=test2" for p in
               ("full-control", "write-acp", "read-acp", "write", "read")}
    acl = requested_acl(headers, MAIN, MAIN, USERS)     # test_object_header_acl_grants
    assert acl is not None and acl.owner == MAIN
    assert [(g.grantee, g.permission) for g in acl.grants] == [
        (YOU, R), (YOU, W), (YOU, RA), (YOU, WA), (YOU, FC)]


def test_grantee_lists_ids_emails_and_uris_quoted_or_not() -> None:
    headers = {"x-amz-grant-read": 'id="test2", emailAddress="TESTER@example.com",'
                                   'URI=http://acs.amazonaws.com/groups/global/AllUsers',
               "x-amz-grant-write": ' uri="http://acs.amazonaws.com/groups/s3/LogDelivery" '}
    acl = requested_acl(headers, MAIN, MAIN, USERS)
    assert acl is not None
    assert set(acl.grants) == {Grant(YOU, R), Grant(ME, R), Grant(Group.ALL_USERS, R),
                               Grant(Group.LOG_DELIVERY, W)}


def test_a_canned_acl_with_grant_headers_is_refused() -> None:
    with pytest.raises(ConflictingAclHeaders, match="both Canned ACLs and Header Grants"):
        requested_acl({"x-amz-acl": "private", "x-amz-grant-read": "id=test2"},
                      MAIN, MAIN, USERS)


@pytest.mark.parametrize(("value", "argument"), [
    ("id=_foo", "CanonicalUser/ID"),                  # test_bucket_acl_grant_nonexist_user
    ("id=", "CanonicalUser/ID"),
    ('uri="http://localhost/"', "uri"),
    ("uri=http://acs.amazonaws.com/groups/global/allusers", "uri"),    # URIs are exact
    ("key=value", "key"),
    ("id=test2,,id=test", "x-amz-grant-read"),
    ("test2", "x-amz-grant-read"),
    ("", "x-amz-grant-read"),
])
def test_a_bad_grantee_is_invalid_argument(value: str, argument: str) -> None:
    with pytest.raises(InvalidAclArgument) as caught:
        requested_acl({"x-amz-grant-read": value}, MAIN, MAIN, USERS)
    assert caught.value.details["ArgumentName"] == argument


def test_an_email_nobody_has_is_unresolvable() -> None:
    with pytest.raises(UnresolvableEmail) as caught:
        requested_acl({"x-amz-grant-read": "emailAddress=nobody@example.com"},
                      MAIN, MAIN, USERS)
    assert caught.value.details == {"EmailAddress": "nobody@example.com"}


def test_an_unknown_grant_header_is_refused_not_ignored() -> None:
    with pytest.raises(InvalidAclArgument, match="x-amz-grant-delete"):
        requested_acl({"x-amz-grant-delete": "id=test2"}, MAIN, MAIN, USERS)


def test_more_than_100_grantees_are_refused() -> None:
    many = ",".join(["id=test2"] * 101)
    with pytest.raises(MalformedAcl, match="at most 100"):
        requested_acl({"x-amz-grant-read": many}, MAIN, MAIN, USERS)
