"""The AccessControlPolicy document (s3compat/acl_xml.py): parsed as S3 refuses, rendered
as S3 answers, and the PutAcl rule of headers or body."""

from __future__ import annotations

import asyncio
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

import pytest

from objectstore.proxy.s3_acl import (
    ACL,
    CanonicalUser,
    Grant,
    Group,
    Owner,
    Permission,
    UserDirectory,
    private,
)
from objectstore.proxy.s3_acl_errors import (
    AclOwnerMismatch,
    ConflictingAclHeaders,
    InvalidAclArgument,
    MalformedAcl,
    UnresolvableEmail,
)
from objectstore.proxy.s3_acl_headers import canned
from objectstore.s3compat import s3errors
from objectstore.s3compat.acl_xml import (
    MAX_ACL_XML,
    XSI,
    parse_policy,
    put_acl,
    read_acl_body,
    render_policy,
)
from objectstore.s3compat.errormap import to_s3
from tests.s3_acl_names import MAIN, USERS

NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def policy(grants: str, owner: str = "<Owner><ID>test</ID></Owner>", ns: str = NS) -> bytes:
    xmlns = f' xmlns="{ns}"' if ns else ""
    return (f'<AccessControlPolicy{xmlns}>{owner}<AccessControlList>{grants}'
            "</AccessControlList></AccessControlPolicy>").encode()


def grant(kind: str, inner: str, permission: str = "READ") -> str:
    return (f'<Grant><Grantee xmlns:xsi="{XSI}" xsi:type="{kind}">{inner}</Grantee>'
            f"<Permission>{permission}</Permission></Grant>")


def test_each_kind_of_grantee_parses() -> None:
    body = policy(grant("CanonicalUser", "<ID>test2</ID><DisplayName>x</DisplayName>")
                  + grant("Group", f"<URI>{Group.ALL_USERS.value}</URI>", "WRITE")
                  + grant("AmazonCustomerByEmail",
                          "<EmailAddress>Tester@example.com</EmailAddress>", "READ_ACP"))
    assert parse_policy(body, MAIN, USERS) == ACL(MAIN, (
        Grant(CanonicalUser("test2"), Permission.READ),
        Grant(Group.ALL_USERS, Permission.WRITE),
        Grant(CanonicalUser("test"), Permission.READ_ACP)))


def test_without_the_s3_namespace_or_an_owner_it_parses_too() -> None:
    body = policy(grant("CanonicalUser", "<ID>test</ID>", "FULL_CONTROL"), owner="", ns="")
    assert parse_policy(body, MAIN, USERS) == private(MAIN)


def test_an_empty_list_revokes_everything() -> None:
    assert parse_policy(policy(""), MAIN, USERS) == ACL(MAIN)
    bare = b'<AccessControlPolicy><Owner><ID>test</ID></Owner></AccessControlPolicy>'
    assert parse_policy(bare, MAIN, USERS) == ACL(MAIN)


@pytest.mark.parametrize("body", [
    b"not xml", b"<AccessControlPolicy>", b"<Other/>",
    b'<!DOCTYPE x [<!ENTITY a "b">]><AccessControlPolicy/>',
    policy(grant("Nobody", "<ID>test</ID>")),
    policy("<Grant><Grantee><ID>test</ID></Grantee><Permission>READ</Permission></Grant>"),
    policy('<Grant><Grantee xsi:type="CanonicalUser"><ID>test</ID></Grantee>'
           "<Permission>READ</Permission></Grant>"),                  # xsi not declared
    policy(grant("CanonicalUser", "<ID>test</ID>", "EVERYTHING")),
    policy(grant("CanonicalUser", "<ID>test</ID>", "read")),
    policy(grant("CanonicalUser", "<DisplayName>test</DisplayName>")),
    policy(grant("Group", "")),
    policy(grant("AmazonCustomerByEmail", "<EmailAddress> </EmailAddress>")),
    policy("<Grant><Permission>READ</Permission></Grant>"),
    policy("<Other/>"),
    policy("", owner="<Owner><DisplayName>test</DisplayName></Owner>"),
])
def test_what_does_not_parse_or_validate_is_malformed_acl(body: bytes) -> None:
    with pytest.raises(MalformedAcl) as caught:
        parse_policy(body, MAIN, USERS)
    assert to_s3(caught.value).code == "MalformedACLError"


def test_an_id_nobody_has_is_invalid_argument() -> None:
    with pytest.raises(InvalidAclArgument) as caught:
        parse_policy(policy(grant("CanonicalUser", "<ID>_foo</ID>")), MAIN, USERS)
    error = to_s3(caught.value)
    assert (error.status, error.code) == (400, "InvalidArgument")
    assert error.details == {"ArgumentName": "CanonicalUser/ID", "ArgumentValue": "_foo"}


def test_an_unknown_group_uri_is_invalid_argument() -> None:
    with pytest.raises(s3errors.InvalidArgument):
        parse_policy(policy(grant("Group", "<URI>invalid</URI>")), MAIN, USERS)


def test_an_email_nobody_has_is_unresolvable() -> None:
    body = policy(grant("AmazonCustomerByEmail",
                        "<EmailAddress>doesnotexist@dreamhost.com.invalid</EmailAddress>"))
    with pytest.raises(UnresolvableEmail) as caught:
        parse_policy(body, MAIN, USERS)
    assert (to_s3(caught.value).status, to_s3(caught.value).code) == (
        400, "UnresolvableGrantByEmailAddress")


def test_an_owner_that_is_not_the_resources_is_access_denied() -> None:
    with pytest.raises(AclOwnerMismatch) as caught:
        parse_policy(policy("", owner="<Owner><ID>test2</ID></Owner>"), MAIN, USERS)
    assert (to_s3(caught.value).status, to_s3(caught.value).code) == (403, "AccessDenied")


def test_the_rendering_is_s3s() -> None:
    acl = canned("public-read", MAIN, MAIN)
    xsi = f'xmlns:xsi="{XSI}"'
    assert render_policy(acl).decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<AccessControlPolicy xmlns="{NS}"><Owner><ID>test</ID>'
        "<DisplayName>test</DisplayName></Owner><AccessControlList>"
        f'<Grant><Grantee {xsi} xsi:type="Group"><URI>{Group.ALL_USERS.value}</URI>'
        "</Grantee><Permission>READ</Permission></Grant>"
        f'<Grant><Grantee {xsi} xsi:type="CanonicalUser"><ID>test</ID>'
        "<DisplayName>test</DisplayName></Grantee><Permission>FULL_CONTROL</Permission>"
        "</Grant></AccessControlList></AccessControlPolicy>")


def test_the_rendering_escapes_and_parses_back() -> None:
    acl = ACL(Owner("a&b", "<me>"), (Grant(CanonicalUser("a&b"), Permission.READ),))
    root = ET.fromstring(render_policy(acl))
    assert root.findtext(f"{{{NS}}}Owner/{{{NS}}}DisplayName") == "<me>"
    users = UserDirectory([("a&b", "")])
    assert parse_policy(render_policy(acl), acl.owner, users) == acl


def test_put_acl_takes_headers_or_a_body_never_both_nor_neither() -> None:
    body = render_policy(private(MAIN))
    assert put_acl({"x-amz-acl": "public-read"}, b"", MAIN, MAIN, USERS) == canned(
        "public-read", MAIN, MAIN)
    assert put_acl({}, body, MAIN, MAIN, USERS) == private(MAIN)
    with pytest.raises(s3errors.UnexpectedContent):
        put_acl({"x-amz-grant-full-control": "id=test"}, body, MAIN, MAIN, USERS)
    with pytest.raises(s3errors.UnexpectedContent):
        put_acl({"x-amz-acl": "private"}, body, MAIN, MAIN, USERS)
    with pytest.raises(s3errors.MissingSecurityHeader) as caught:
        put_acl({}, b"  \n", MAIN, MAIN, USERS)
    assert caught.value.details == {"MissingHeaderName": "x-amz-acl"}
    with pytest.raises(ConflictingAclHeaders):
        put_acl({"x-amz-acl": "private", "x-amz-grant-read": "id=test2"}, b"",
                MAIN, MAIN, USERS)


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def test_an_acl_body_is_read_up_to_its_limit() -> None:
    assert asyncio.run(read_acl_body(_chunks(b"<a>", b"</a>"))) == b"<a></a>"
    with pytest.raises(s3errors.MalformedACLError, match="too large"):
        asyncio.run(read_acl_body(_chunks(b" " * MAX_ACL_XML, b" ")))
