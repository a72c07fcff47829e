"""ceph/s3-tests' ACL cases (s3tests/functional/test_s3.py, test_headers.py), decided by
the ACL library alone: each request is built by botocore's own serializer from the
arguments the s3-tests pass (so headers and bodies are byte for byte what boto3
sends), and each answer is read back by botocore's parser and compared as the suite's
check_grants compares (by DisplayName when the first grant has one, else in order).
Which operation needs which permission is the authorization decision's (not wired
yet); here `allows` is asked what the suite expects of it."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from objectstore.proxy.s3_acl import (
    ACL,
    Owner,
    allows,
    check_not_blocked,
    is_public,
    private,
)
from objectstore.proxy.s3_acl_errors import AclError, AclNotSupported, PublicAclBlocked
from objectstore.proxy.s3_acl_headers import requested_acl
from objectstore.proxy.s3_ownership import (
    ObjectOwnership,
    check_acl_change,
    check_bucket_acl,
    object_write_acl,
)
from objectstore.s3compat.acl_xml import put_acl, render_policy
from objectstore.s3compat.errormap import to_s3
from tests.s3_acl_names import ALT, MAIN, RA, USERS, WA, R, W

MODEL = botocore.session.get_session().get_service_model("s3")
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def sent(operation: str, **params: Any) -> tuple[dict[str, str], bytes]:
    """The headers (lower-cased, as the server sees them) and body boto3 sends."""
    request = create_serializer("rest-xml").serialize_to_request(
        params, MODEL.operation_model(operation))
    body = request["body"]
    return ({k.lower(): v for k, v in request["headers"].items()},
            body.encode() if isinstance(body, str) else body)


def answered(acl: ACL, operation: str = "GetBucketAcl") -> dict[str, Any]:
    """What boto3 makes of our Get*Acl answer."""
    parsed: dict[str, Any] = create_parser("rest-xml").parse(
        {"body": render_policy(acl), "headers": {}, "status_code": 200},
        MODEL.operation_model(operation).output_shape)
    return parsed


def user(permission: str, owner: Owner = MAIN) -> dict[str, Any]:
    return dict(Permission=permission, ID=owner.id, DisplayName=owner.display_name,
                URI=None, EmailAddress=None, Type="CanonicalUser")


def group(permission: str, uri: str) -> dict[str, Any]:
    return dict(Permission=permission, ID=None, DisplayName=None, URI=uri,
                EmailAddress=None, Type="Group")


def assert_grants(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    """s3-tests' check_grants: sorted by DisplayName if the first grant has one (a
    grant without one then fails the sort, as it does there), else in order."""
    assert len(got) == len(want)
    if got and got[0]["Grantee"].get("DisplayName"):
        got = sorted(got, key=lambda g: g["Grantee"].get("DisplayName"))
        want = sorted(want, key=lambda w: w["DisplayName"])
    for g, w in zip(got, want, strict=True):
        grantee = dict(g["Grantee"])
        assert g["Permission"] == w["Permission"]
        for field in ("DisplayName", "ID", "Type", "URI", "EmailAddress"):
            assert grantee.pop(field, None) == w[field], field
        assert grantee == {} and set(g) == {"Grantee", "Permission"}


def created(operation: str = "CreateBucket", owner: Owner = MAIN,
            bucket_owner: Owner = MAIN, **params: Any) -> ACL:
    """The ACL a creating request (CreateBucket, PutObject, ...) gives its resource."""
    headers, _ = sent(operation, **params)
    return requested_acl(headers, owner, bucket_owner, USERS) or private(owner)


def put(acl_now: ACL, operation: str = "PutBucketAcl", bucket_owner: Owner = MAIN,
        **params: Any) -> ACL:
    headers, body = sent(operation, **params)
    return put_acl(headers, body, acl_now.owner, bucket_owner, USERS)


def with_grant(acl: ACL, grant: dict[str, Any]) -> dict[str, Any]:
    """s3-tests' add_bucket_user_grant: the ACL as read, one grant more, Owner main."""
    grants = answered(acl)["Grants"]
    grants.append(grant)
    return {"Grants": grants, "Owner": {"DisplayName": "test", "ID": "test"}}


TARGETS = {"CreateBucket": {"Bucket": "b"}, "PutObject": {"Bucket": "b", "Key": "k"}}


@pytest.mark.parametrize("operation", TARGETS)
def test_acl_default(operation: str) -> None:
    """test_bucket_acl_default, test_object_acl_default."""
    got = answered(created(operation, **TARGETS[operation]))
    assert got["Owner"] == {"DisplayName": "test", "ID": "test"}
    assert_grants(got["Grants"], [user("FULL_CONTROL")])


@pytest.mark.parametrize("operation", TARGETS)
def test_acl_canned_during_create_and_back_to_private(operation: str) -> None:
    """test_bucket_acl_canned(_during_create), test_object_acl_canned(_during_create)."""
    params = TARGETS[operation]
    acl = created(operation, ACL="public-read", **params)
    assert_grants(answered(acl)["Grants"], [group("READ", ALL_USERS), user("FULL_CONTROL")])
    back = put(acl, "PutBucketAcl" if operation == "CreateBucket" else "PutObjectAcl",
               ACL="private", **params)
    assert_grants(answered(back)["Grants"], [user("FULL_CONTROL")])


@pytest.mark.parametrize("operation", TARGETS)
def test_acl_canned_publicreadwrite_lists_the_owner_third(operation: str) -> None:
    got = answered(created(operation, ACL="public-read-write", **TARGETS[operation]))
    assert_grants(got["Grants"], [group("READ", ALL_USERS), group("WRITE", ALL_USERS),
                                  user("FULL_CONTROL")])
    assert got["Grants"][2]["Grantee"]["ID"] == "test"  # ..._canned_bucketowner* read it


@pytest.mark.parametrize("operation", TARGETS)
def test_acl_canned_authenticatedread(operation: str) -> None:
    got = answered(created(operation, ACL="authenticated-read", **TARGETS[operation]))
    assert_grants(got["Grants"], [group("READ", AUTH_USERS), user("FULL_CONTROL")])


def test_put_bucket_acl_grant_group_read() -> None:
    acl = created(Bucket="b")
    policy = with_grant(acl, {"Grantee": {"Type": "Group", "URI": ALL_USERS},
                              "Permission": "READ"})
    new = put(acl, Bucket="b", AccessControlPolicy=policy)
    assert_grants(answered(new)["Grants"], [group("READ", ALL_USERS), user("FULL_CONTROL")])
    assert allows(new, None, R, is_bucket=True) and is_public(new)


@pytest.mark.parametrize(("canned", "bucket_owners"), [
    ("bucket-owner-read", "READ"), ("bucket-owner-full-control", "FULL_CONTROL")])
def test_object_acl_canned_bucketowner(canned: str, bucket_owners: str) -> None:
    """alt writes into main's public-read-write bucket (test_object_acl_canned_bucketowner*)."""
    acl = created("PutObject", owner=ALT, ACL=canned, Bucket="b", Key="foo")
    got = answered(acl, "GetObjectAcl")
    assert got["Owner"]["ID"] == "test2"
    assert_grants(got["Grants"], [user("FULL_CONTROL", ALT), user(bucket_owners, MAIN)])


def test_object_acl_full_control_verify_owner() -> None:
    obj = private(MAIN)
    policy = {"Grants": [{"Grantee": {"ID": "test2", "Type": "CanonicalUser"},
                          "Permission": "FULL_CONTROL"}],
              "Owner": {"DisplayName": "test", "ID": "test"}}
    obj = put(obj, "PutObjectAcl", Bucket="b", Key="foo", AccessControlPolicy=policy)
    assert allows(obj, "test2", WA, is_bucket=False)       # so alt may put the next one
    policy["Grants"][0]["Permission"] = "READ_ACP"
    obj = put(obj, "PutObjectAcl", Bucket="b", Key="foo", AccessControlPolicy=policy)
    assert allows(obj, "test2", RA, is_bucket=False)
    assert answered(obj, "GetObjectAcl")["Owner"]["ID"] == "test"


def test_object_acl_full_control_verify_attributes() -> None:
    obj = private(MAIN)
    policy = with_grant(obj, {"Grantee": {"ID": "test2", "Type": "CanonicalUser"},
                              "Permission": "FULL_CONTROL"})
    new = put(obj, "PutObjectAcl", Bucket="b", Key="foo", AccessControlPolicy=policy)
    assert_grants(answered(new, "GetObjectAcl")["Grants"],
                  [user("FULL_CONTROL", ALT), user("FULL_CONTROL")])


def test_bucket_acl_canned_private_to_private() -> None:
    assert put(private(MAIN), Bucket="b", ACL="private") == private(MAIN)


@pytest.mark.parametrize("permission", ["FULL_CONTROL", "WRITE", "WRITE_ACP", "READ",
                                        "READ_ACP"])
def test_object_acl(permission: str) -> None:
    """_check_object_acl: the owner's own grant replaced by one permission."""
    obj = private(MAIN)
    got = answered(obj, "GetObjectAcl")
    got["Grants"][0]["Permission"] = permission
    new = put(obj, "PutObjectAcl", Bucket="b", Key="foo",
              AccessControlPolicy={"Owner": got["Owner"], "Grants": got["Grants"]})
    assert_grants(answered(new, "GetObjectAcl")["Grants"], [user(permission)])
    assert allows(new, "test", RA, is_bucket=False)         # the owner reads it back


# what alt may then do: (head_bucket READ, get_bucket_acl READ_ACP, put_object WRITE,
# put_bucket_acl WRITE_ACP) as test_bucket_acl_grant_userid_* checks them
@pytest.mark.parametrize(("permission", "can"), [
    ("FULL_CONTROL", (True, True, True, True)),
    ("READ", (True, False, False, False)),
    ("READ_ACP", (False, True, False, False)),
    ("WRITE", (False, False, True, False)),
    ("WRITE_ACP", (False, False, False, True)),
])
def test_bucket_acl_grant_userid(permission: str, can: tuple[bool, ...]) -> None:
    bucket = private(MAIN)
    policy = with_grant(bucket, {"Grantee": {"ID": "test2", "Type": "CanonicalUser"},
                                 "Permission": permission})
    new = put(bucket, Bucket="b", AccessControlPolicy=policy)
    got = answered(new)
    assert_grants(got["Grants"], [user(permission, ALT), user("FULL_CONTROL")])
    assert got["Owner"] == {"DisplayName": "test", "ID": "test"}
    assert tuple(allows(new, "test2", p, is_bucket=True) for p in (R, RA, W, WA)) == can


def _refused(acl_now: ACL, **params: Any) -> tuple[int, str]:
    with pytest.raises(AclError) as caught:
        put(acl_now, **params)
    error = to_s3(caught.value)
    return error.status, error.code


def test_bucket_acl_grant_nonexist_user() -> None:
    bucket = private(MAIN)
    policy = with_grant(bucket, {"Grantee": {"ID": "_foo", "Type": "CanonicalUser"},
                                 "Permission": "FULL_CONTROL"})
    assert _refused(bucket, Bucket="b", AccessControlPolicy=policy) == (400,
                                                                        "InvalidArgument")


@pytest.mark.parametrize("operation", ["PutObject", "CreateBucket"])
def test_header_acl_grants(operation: str) -> None:
    """test_object_header_acl_grants / test_bucket_header_acl_grants: the headers are
    added to the request as `id=<alt>` (unquoted), one per permission."""
    headers, _ = sent(operation, Bucket="b", **({"Key": "k"} if operation == "PutObject"
                                                else {}))
    for name in ("read", "write", "read-acp", "write-acp", "full-control"):
        headers[f"x-amz-grant-{name}"] = "id=test2"
    acl = requested_acl(headers, MAIN, MAIN, USERS)
    assert acl is not None
    assert_grants(answered(acl)["Grants"], [user(p, ALT) for p in (
        "READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL")])
    # then alt writes into the bucket and sets its ACL; main still reads it
    assert allows(acl, "test2", W, is_bucket=True)
    assert allows(acl, "test2", WA, is_bucket=True)
    assert allows(acl, "test", RA, is_bucket=True)


def test_bucket_acl_grant_email() -> None:
    bucket = private(MAIN)
    policy = with_grant(bucket, {"Grantee": {"EmailAddress": "tester2@example.com",
                                             "Type": "AmazonCustomerByEmail"},
                                 "Permission": "FULL_CONTROL"})
    new = put(bucket, Bucket="b", AccessControlPolicy=policy)
    assert_grants(answered(new)["Grants"], [user("FULL_CONTROL", ALT), user("FULL_CONTROL")])


def test_bucket_acl_grant_email_not_exist() -> None:
    bucket = private(MAIN)
    policy = with_grant(bucket, {"Grantee": {"EmailAddress":
                                             "doesnotexist@dreamhost.com.invalid",
                                             "Type": "AmazonCustomerByEmail"},
                                 "Permission": "FULL_CONTROL"})
    assert _refused(bucket, Bucket="b", AccessControlPolicy=policy) == (
        400, "UnresolvableGrantByEmailAddress")


def test_bucket_acl_revoke_all() -> None:
    bucket = private(MAIN)
    got = answered(bucket)
    old = got["Grants"]
    revoked = put(bucket, Bucket="b", AccessControlPolicy={"Owner": got["Owner"],
                                                           "Grants": []})
    assert answered(revoked).get("Grants", []) == []
    assert allows(revoked, "test", WA, is_bucket=True)      # so the owner can restore it
    restored = put(revoked, Bucket="b", AccessControlPolicy={"Owner": got["Owner"],
                                                             "Grants": old})
    assert restored == bucket


def test_bucket_put_bad_canned_acl() -> None:
    """test_headers.py: x-amz-acl: public-ready on PutBucketAcl is a 400."""
    headers, body = sent("PutBucketAcl", Bucket="b", ACL="public-read")
    headers["x-amz-acl"] = "public-ready"
    with pytest.raises(AclError) as caught:
        put_acl(headers, body, MAIN, MAIN, USERS)
    assert (to_s3(caught.value).status, to_s3(caught.value).code) == (400, "InvalidArgument")


# test_access_bucket_*_object_*: alt's (get key1 with the object's ACL, get key2 with
# the default, list the bucket, put any key) under each bucket ACL and object ACL
@pytest.mark.parametrize(("bucket_acl", "object_acl", "expected"), [
    ("private", "private", (False, False, False, False)),
    ("private", "public-read", (True, False, False, False)),
    ("private", "public-read-write", (True, False, False, False)),
    ("public-read", "private", (False, False, True, False)),
    ("public-read", "public-read", (True, False, True, False)),
    ("public-read", "public-read-write", (True, False, True, False)),
    ("public-read-write", "private", (False, False, True, True)),
    ("public-read-write", "public-read", (True, False, True, True)),
    ("public-read-write", "public-read-write", (True, False, True, True)),
])
def test_access_bucket_object(bucket_acl: str, object_acl: str,
                              expected: tuple[bool, ...]) -> None:
    bucket = put(private(MAIN), Bucket="b", ACL=bucket_acl)
    key1 = put(private(MAIN), "PutObjectAcl", Bucket="b", Key="foo", ACL=object_acl)
    key2 = created("PutObject", Bucket="b", Key="bar")
    assert (allows(key1, "test2", R, is_bucket=False),
            allows(key2, "test2", R, is_bucket=False),
            allows(bucket, "test2", R, is_bucket=True),
            allows(bucket, "test2", W, is_bucket=True)) == expected


@pytest.mark.parametrize(("bucket_acl", "object_acl", "anonymous_read"), [
    ("public-read", "public-read", True),           # test_object_raw_get
    ("private", "public-read", True),               # test_object_raw_get_bucket_acl
    ("public-read", "private", False),              # test_object_raw_get_object_acl
])
def test_object_raw_get(bucket_acl: str, object_acl: str, anonymous_read: bool) -> None:
    obj = created("PutObject", ACL=object_acl, Bucket="b", Key="foo")
    assert allows(obj, None, R, is_bucket=False) is anonymous_read
    assert allows(obj, "test", R, is_bucket=False)    # test_object_raw_authenticated*


def test_block_public_acls() -> None:
    """test_block_public_put_bucket_acls, test_block_public_object_canned_acls."""
    for name in ("public-read", "public-read-write", "authenticated-read"):
        with pytest.raises(PublicAclBlocked) as caught:
            check_not_blocked(put(private(MAIN), Bucket="b", ACL=name), True)
        assert to_s3(caught.value).status == 403
        with pytest.raises(PublicAclBlocked):
            check_not_blocked(created("PutObject", ACL=name, Bucket="b", Key="f"), True)
    check_not_blocked(created("PutObject", ACL="private", Bucket="b", Key="f"), True)


def test_ignore_public_acls() -> None:
    bucket = put(private(MAIN), Bucket="b", ACL="public-read")
    obj = created("PutObject", ACL="public-read", Bucket="b", Key="key1")
    assert allows(bucket, "test2", R, is_bucket=True)
    assert allows(obj, "test2", R, is_bucket=False)
    assert not allows(bucket, "test2", R, is_bucket=True, ignore_public=True)
    assert not allows(obj, "test2", R, is_bucket=False, ignore_public=True)


@pytest.mark.parametrize(("name", "public"), [
    ("public-read", True), ("authenticated-read", True), ("private", False)])
def test_get_acl_bucket_policy_status(name: str, public: bool) -> None:
    """test_get_public_acl_bucket_policy_status, ..._authpublic_...: IsPublic."""
    assert is_public(put(private(MAIN), Bucket="b", ACL=name)) is public


def _write(ownership: ObjectOwnership, acl_name: str | None) -> Owner:
    """alt writes into main's bucket (PutObject, CopyObject, CreateMultipartUpload
    alike); the object's owner, or AccessControlListNotSupported."""
    params: dict[str, Any] = {"Bucket": "b", "Key": "k"}
    if acl_name:
        params["ACL"] = acl_name
    headers, _ = sent("PutObject", **params)
    return object_write_acl(ownership, headers, ALT, MAIN, USERS).owner


def test_object_ownership_bucket_owner_enforced() -> None:
    enforced = ObjectOwnership.BUCKET_OWNER_ENFORCED
    assert _write(enforced, None) == MAIN
    assert _write(enforced, "bucket-owner-full-control") == MAIN
    with pytest.raises(AclNotSupported) as caught:
        _write(enforced, "private")
    assert (to_s3(caught.value).status, to_s3(caught.value).code) == (
        400, "AccessControlListNotSupported")
    with pytest.raises(AclNotSupported):            # put_bucket_acl, put_object_acl
        check_acl_change(enforced)


def test_object_ownership_bucket_owner_preferred_and_object_writer() -> None:
    preferred, writer = (ObjectOwnership.BUCKET_OWNER_PREFERRED,
                         ObjectOwnership.OBJECT_WRITER)
    assert _write(preferred, None) == ALT
    assert _write(preferred, "bucket-owner-full-control") == MAIN
    assert _write(preferred, "private") == ALT
    for acl_name in (None, "bucket-owner-full-control", "private"):
        assert _write(writer, acl_name) == ALT
    check_acl_change(preferred)
    check_acl_change(writer)


def test_put_bucket_ownership_bucket_owner_enforced() -> None:
    """Refused on a public-read bucket, accepted once it is private again."""
    enforced = ObjectOwnership.BUCKET_OWNER_ENFORCED
    bucket = created(ACL="public-read", Bucket="b")
    with pytest.raises(AclError) as caught:
        check_bucket_acl(enforced, bucket)
    assert (to_s3(caught.value).status, to_s3(caught.value).code) == (
        400, "InvalidBucketAclWithObjectOwnership")
    check_bucket_acl(enforced, put(bucket, Bucket="b", ACL="private"))
