"""S3 ACLs through boto3 against a real `objectstore serve`: canned ACLs and grant
headers on every write that takes them, AccessControlPolicy bodies, what each grant
lets another account, a non-admin user and an anonymous request do -- and every
refusal, with S3's error codes."""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from contextlib import closing
from typing import Any

import pytest

from tests.integration.access_clients import AUTHENTICATED, client, error


@pytest.fixture
def bucket(alice: Any) -> str:
    name = f"acl-{os.urandom(4).hex()}"
    alice.create_bucket(Bucket=name)
    return name


def grants(acl: dict[str, Any]) -> set[tuple[str, str]]:
    """(grantee, permission): a canonical id, or a group's last URI segment."""
    out = set()
    for g in acl["Grants"]:
        grantee = g["Grantee"]
        who = grantee.get("ID") or grantee["URI"].rsplit("/", 1)[-1]
        out.add((who, g["Permission"]))
    return out


def test_public_read_object_is_read_without_a_signature(acl_server: str, alice: Any,
                                                         anonymous: Any, bucket: str) -> None:
    alice.put_object(Bucket=bucket, Key="public", Body=b"for all", ACL="public-read")
    alice.put_object(Bucket=bucket, Key="private", Body=b"mine")
    assert anonymous.get_object(Bucket=bucket, Key="public")["Body"].read() == b"for all"
    assert anonymous.head_object(Bucket=bucket, Key="public")["ContentLength"] == 7
    with urllib.request.urlopen(f"{acl_server}/{bucket}/public", timeout=10) as plain:  # curl-like
        assert plain.read() == b"for all"
    assert error(lambda: anonymous.get_object(Bucket=bucket, Key="private")) == \
        (403, "AccessDenied")
    # the bucket is private: no listing, no write, and a missing key is not revealed
    assert error(lambda: anonymous.list_objects_v2(Bucket=bucket)) == (403, "AccessDenied")
    assert error(lambda: anonymous.get_object(Bucket=bucket, Key="nothing")) == \
        (403, "AccessDenied")
    assert error(lambda: anonymous.put_object(Bucket=bucket, Key="new", Body=b"x")) == \
        (403, "AccessDenied")
    assert error(lambda: anonymous.delete_object(Bucket=bucket, Key="public")) == \
        (403, "AccessDenied")
    assert grants(alice.get_object_acl(Bucket=bucket, Key="public")) == {
        ("alice", "FULL_CONTROL"), ("AllUsers", "READ")}
    assert grants(alice.get_object_acl(Bucket=bucket, Key="private")) == {
        ("alice", "FULL_CONTROL")}
    # made private again: closed at once
    alice.put_object_acl(Bucket=bucket, Key="public", ACL="private")
    assert error(lambda: anonymous.get_object(Bucket=bucket, Key="public")) == \
        (403, "AccessDenied")
    # a missing bucket is NoSuchBucket to anyone
    assert error(lambda: anonymous.get_object(Bucket="no-such-bucket-here", Key="k")) == \
        (404, "NoSuchBucket")
    # a bad signature is an error, never anonymous
    with closing(client(acl_server, "alice:admin", "wrong")) as wrong:
        assert error(lambda: wrong.get_object(Bucket=bucket, Key="public"))[1] == \
            "SignatureDoesNotMatch"


def test_public_read_write_bucket(alice: Any, anonymous: Any, bob: Any) -> None:
    name = f"acl-{os.urandom(4).hex()}"
    alice.create_bucket(Bucket=name, ACL="public-read-write")
    assert grants(alice.get_bucket_acl(Bucket=name)) == {
        ("alice", "FULL_CONTROL"), ("AllUsers", "READ"), ("AllUsers", "WRITE")}
    anonymous.put_object(Bucket=name, Key="dropped", Body=b"anon")
    bob.put_object(Bucket=name, Key="bobs", Body=b"bob's")
    listed = [o["Key"] for o in anonymous.list_objects_v2(Bucket=name)["Contents"]]
    assert listed == ["bobs", "dropped"]
    # bob owns what bob wrote; the bucket owner still reads it
    assert alice.get_object_acl(Bucket=name, Key="bobs")["Owner"]["ID"] == "bob"
    assert alice.get_object(Bucket=name, Key="bobs")["Body"].read() == b"bob's"
    # WRITE on the bucket is not READ of the objects in it
    assert error(lambda: anonymous.get_object(Bucket=name, Key="bobs")) == \
        (403, "AccessDenied")
    # a missing key in a bucket one may list is NoSuchKey
    assert error(lambda: anonymous.get_object(Bucket=name, Key="nothing")) == \
        (404, "NoSuchKey")
    # nobody but the owner changes the bucket's ACL or deletes it
    assert error(lambda: bob.put_bucket_acl(Bucket=name, ACL="private")) == \
        (403, "AccessDenied")
    assert error(lambda: anonymous.delete_bucket(Bucket=name)) == (403, "AccessDenied")


def test_grants_to_another_account_by_id_and_email(alice: Any, bob: Any, bucket: str
                                                   ) -> None:
    alice.put_object(Bucket=bucket, Key="report", Body=b"numbers")
    assert error(lambda: bob.list_objects_v2(Bucket=bucket)) == (403, "AccessDenied")
    alice.put_bucket_acl(Bucket=bucket, GrantRead='id="bob"',
                         GrantFullControl='id="alice"')
    assert [o["Key"] for o in bob.list_objects_v2(Bucket=bucket)["Contents"]] == ["report"]
    assert error(lambda: bob.get_object(Bucket=bucket, Key="report")) == \
        (403, "AccessDenied")
    alice.put_object_acl(Bucket=bucket, Key="report",
                         GrantRead='emailAddress="bob@example.com"')
    assert bob.get_object(Bucket=bucket, Key="report")["Body"].read() == b"numbers"
    assert error(lambda: bob.get_object_acl(Bucket=bucket, Key="report")) == \
        (403, "AccessDenied")                                 # READ is not READ_ACP
    # READ is not WRITE: bob may not write into the bucket until granted
    assert error(lambda: bob.put_object(Bucket=bucket, Key="b", Body=b"x")) == \
        (403, "AccessDenied")
    alice.put_bucket_acl(Bucket=bucket, GrantWrite='id="bob"', GrantRead='id="bob"',
                         GrantFullControl='id="alice"')
    bob.put_object(Bucket=bucket, Key="b", Body=b"from bob")
    bob.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket,
                                                           "Key": "report"})
    assert alice.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"numbers"
    bob.delete_object(Bucket=bucket, Key="b")
    # an object bob may not read cannot be copied by him either
    alice.put_object(Bucket=bucket, Key="secret", Body=b"s")
    assert error(lambda: bob.copy_object(Bucket=bucket, Key="stolen", CopySource={
        "Bucket": bucket, "Key": "secret"})) == (403, "AccessDenied")
    # bob's own bucket may not copy it either
    theirs = f"bob-{os.urandom(4).hex()}"
    bob.create_bucket(Bucket=theirs)
    assert error(lambda: bob.copy_object(Bucket=theirs, Key="stolen", CopySource={
        "Bucket": bucket, "Key": "secret"})) == (403, "AccessDenied")
    bob.copy_object(Bucket=theirs, Key="report", CopySource={"Bucket": bucket,
                                                             "Key": "report"})
    assert bob.get_object(Bucket=theirs, Key="report")["Body"].read() == b"numbers"


def test_authenticated_read_admits_any_user_but_not_anonymous(alice: Any, bob: Any,
                                                              clerk: Any, anonymous: Any,
                                                              bucket: str) -> None:
    alice.put_object(Bucket=bucket, Key="memo", Body=b"memo", ACL="authenticated-read")
    assert bob.get_object(Bucket=bucket, Key="memo")["Body"].read() == b"memo"
    assert clerk.get_object(Bucket=bucket, Key="memo")["Body"].read() == b"memo"
    assert error(lambda: anonymous.get_object(Bucket=bucket, Key="memo")) == \
        (403, "AccessDenied")


def test_a_non_admin_user_gets_what_grants_give_and_no_more(alice: Any, clerk: Any,
                                                            bucket: str) -> None:
    alice.put_object(Bucket=bucket, Key="k", Body=b"v")
    # the account's own grant (the owner's FULL_CONTROL) is its admins', not every key's
    assert error(lambda: clerk.get_object(Bucket=bucket, Key="k")) == (403, "AccessDenied")
    assert error(lambda: clerk.list_objects_v2(Bucket=bucket)) == (403, "AccessDenied")
    alice.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    assert [o["Key"] for o in clerk.list_objects_v2(Bucket=bucket)["Contents"]] == ["k"]
    assert error(lambda: clerk.put_object(Bucket=bucket, Key="n", Body=b"x")) == \
        (403, "AccessDenied")
    assert error(lambda: clerk.put_bucket_acl(Bucket=bucket, ACL="public-read")) == \
        (403, "AccessDenied")


def test_acl_documents_and_their_refusals(alice: Any, bob: Any, bucket: str) -> None:
    alice.put_object(Bucket=bucket, Key="k", Body=b"v")
    owner = alice.get_bucket_acl(Bucket=bucket)["Owner"]
    assert owner == {"ID": "alice", "DisplayName": "alice"}
    policy = {"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": "alice"}, "Permission": "FULL_CONTROL"},
        {"Grantee": {"Type": "CanonicalUser", "ID": "bob"}, "Permission": "READ_ACP"},
        {"Grantee": {"Type": "Group", "URI": AUTHENTICATED}, "Permission": "READ"}]}
    alice.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy)
    assert grants(alice.get_bucket_acl(Bucket=bucket)) == {
        ("alice", "FULL_CONTROL"), ("bob", "READ_ACP"), ("AuthenticatedUsers", "READ")}
    assert grants(bob.get_bucket_acl(Bucket=bucket)) == grants(
        alice.get_bucket_acl(Bucket=bucket))                  # READ_ACP lets bob read it
    assert error(lambda: bob.put_bucket_acl(Bucket=bucket, AccessControlPolicy=policy)) == \
        (403, "AccessDenied")                                 # but not write it
    # S3's refusals, and nothing changes
    bad_grantee = {"Owner": owner, "Grants": [
        {"Grantee": {"Type": "CanonicalUser", "ID": "nobody-has-this"},
         "Permission": "READ"}]}
    assert error(lambda: alice.put_bucket_acl(Bucket=bucket, AccessControlPolicy=bad_grantee)
                 ) == (400, "InvalidArgument")
    assert error(lambda: alice.put_object_acl(
        Bucket=bucket, Key="k", GrantRead='emailAddress="nobody@example.com"')) == \
        (400, "UnresolvableGrantByEmailAddress")
    assert error(lambda: alice.put_object(Bucket=bucket, Key="k2", Body=b"x",
                                          ACL="public-read", GrantRead='id="bob"')) == \
        (400, "InvalidRequest")
    assert error(lambda: alice.put_bucket_acl(Bucket=bucket, ACL="not-a-canned-acl")) == \
        (400, "InvalidArgument")
    not_owner = {"Owner": {"ID": "bob"}, "Grants": policy["Grants"]}
    assert error(lambda: alice.put_bucket_acl(Bucket=bucket, AccessControlPolicy=not_owner)
                 ) == (403, "AccessDenied")
    assert grants(alice.get_bucket_acl(Bucket=bucket)) == {
        ("alice", "FULL_CONTROL"), ("bob", "READ_ACP"), ("AuthenticatedUsers", "READ")}
    assert "k2" not in [o["Key"] for o in alice.list_objects_v2(Bucket=bucket)["Contents"]]


def test_malformed_acl_bodies(acl_server: str, alice: Any, bucket: str) -> None:
    from botocore.credentials import Credentials

    from tests.integration.signed import send
    for body in (b"<AccessControlPolicy><Owner>", b"not xml at all",
                 b"<AccessControlPolicy><AccessControlList><Grant><Permission>READ"
                 b"</Permission></Grant></AccessControlList></AccessControlPolicy>"):
        reply = send(acl_server, "PUT", f"/{bucket}?acl", body=body,
                     credentials=Credentials("alice:admin", "alice-key"))
        assert (reply.status, reply.code) == (400, "MalformedACLError"), body
    assert grants(alice.get_bucket_acl(Bucket=bucket)) == {("alice", "FULL_CONTROL")}


def test_multipart_uploads_keep_their_acl(alice: Any, anonymous: Any, bucket: str) -> None:
    upload = alice.create_multipart_upload(Bucket=bucket, Key="big", ACL="public-read")
    part = alice.upload_part(Bucket=bucket, Key="big", UploadId=upload["UploadId"],
                             PartNumber=1, Body=b"p" * 1024)
    alice.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=upload["UploadId"],
                                    MultipartUpload={"Parts": [{"PartNumber": 1,
                                                                "ETag": part["ETag"]}]})
    assert anonymous.get_object(Bucket=bucket, Key="big")["Body"].read() == b"p" * 1024


def test_object_ownership_controls(alice: Any, bucket: str) -> None:
    assert error(lambda: alice.get_bucket_ownership_controls(Bucket=bucket)) == \
        (404, "OwnershipControlsNotFoundError")
    alice.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    assert alice.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    assert error(lambda: alice.put_object(Bucket=bucket, Key="k", Body=b"x",
                                          ACL="public-read")) == \
        (400, "AccessControlListNotSupported")
    alice.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    assert error(lambda: alice.put_object_acl(Bucket=bucket, Key="k", ACL="public-read")
                 ) == (400, "AccessControlListNotSupported")
    alice.delete_bucket_ownership_controls(Bucket=bucket)
    alice.put_object_acl(Bucket=bucket, Key="k", ACL="public-read")
    # a public bucket ACL and BucketOwnerEnforced do not go together
    alice.put_bucket_acl(Bucket=bucket, ACL="public-read")
    assert error(lambda: alice.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})) == \
        (400, "InvalidBucketAclWithObjectOwnership")


def test_public_access_block(alice: Any, anonymous: Any, bucket: str) -> None:
    alice.put_object(Bucket=bucket, Key="open", Body=b"o", ACL="public-read")
    assert error(lambda: alice.get_public_access_block(Bucket=bucket)) == \
        (404, "NoSuchPublicAccessBlockConfiguration")
    alice.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
        "RestrictPublicBuckets": False})
    assert alice.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] \
        == {"BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False}
    assert error(lambda: alice.put_object(Bucket=bucket, Key="p", Body=b"x",
                                          ACL="public-read")) == (403, "AccessDenied")
    assert error(lambda: alice.put_bucket_acl(Bucket=bucket, ACL="public-read")) == \
        (403, "AccessDenied")
    # what was public before stays public, until IgnorePublicAcls
    assert anonymous.get_object(Bucket=bucket, Key="open")["Body"].read() == b"o"
    alice.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "IgnorePublicAcls": True})
    assert error(lambda: anonymous.get_object(Bucket=bucket, Key="open")) == \
        (403, "AccessDenied")
    alice.delete_public_access_block(Bucket=bucket)
    assert anonymous.get_object(Bucket=bucket, Key="open")["Body"].read() == b"o"


def test_presigned_urls_carry_their_signers_rights(alice: Any, bob: Any, bucket: str
                                                   ) -> None:
    alice.put_object(Bucket=bucket, Key="k", Body=b"signed")
    link = bob.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"})
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(link, timeout=10)
    info.value.close()
    assert info.value.code == 403
    alice.put_object_acl(Bucket=bucket, Key="k", GrantRead='id="bob"')
    with urllib.request.urlopen(link, timeout=10) as reply:
        assert reply.read() == b"signed"


def test_a_repeated_create_never_changes_who_gets_in(alice: Any, anonymous: Any) -> None:
    name = f"acl-{os.urandom(4).hex()}"
    alice.create_bucket(Bucket=name, ACL="public-read")
    alice.create_bucket(Bucket=name, ACL="public-read")          # the same: 200
    assert error(lambda: alice.create_bucket(Bucket=name)) == (409, "BucketAlreadyExists")
    assert [o for o in anonymous.list_objects_v2(Bucket=name).get("Contents", [])] == []
    other = f"acl-{os.urandom(4).hex()}"
    alice.create_bucket(Bucket=other)
    assert error(lambda: alice.create_bucket(Bucket=other, ACL="public-read")) == \
        (409, "BucketAlreadyExists")
    assert error(lambda: anonymous.list_objects_v2(Bucket=other)) == (403, "AccessDenied")


def test_an_uploads_owner_is_whom_the_object_will_belong_to(alice: Any, bob: Any) -> None:
    name = f"acl-{os.urandom(4).hex()}"
    alice.create_bucket(Bucket=name, ACL="public-read-write",
                        ObjectOwnership="BucketOwnerPreferred")
    mine = bob.create_multipart_upload(Bucket=name, Key="bobs")["UploadId"]
    theirs = bob.create_multipart_upload(Bucket=name, Key="given",
                                         ACL="bucket-owner-full-control")["UploadId"]
    assert bob.list_parts(Bucket=name, Key="bobs", UploadId=mine)["Owner"]["ID"] == "bob"
    assert bob.list_parts(Bucket=name, Key="given", UploadId=theirs)["Owner"]["ID"] == \
        "alice"
    bob.put_object(Bucket=name, Key="given-put", Body=b"x", ACL="bucket-owner-full-control")
    assert alice.get_object_acl(Bucket=name, Key="given-put")["Owner"]["ID"] == "alice"
    # the listing names each upload's own owner, whoever lists it
    alices = alice.create_multipart_upload(Bucket=name, Key="alices")["UploadId"]
    for lister in (alice, bob):
        listed = {u["UploadId"]: (u["Initiator"]["ID"], u["Owner"]["ID"])
                  for u in lister.list_multipart_uploads(Bucket=name)["Uploads"]}
        assert listed == {mine: ("bob", "bob"), theirs: ("alice", "alice"),
                          alices: ("alice", "alice")}


def test_anonymous_owns_no_buckets(alice: Any, anonymous: Any) -> None:
    name = f"acl-{os.urandom(4).hex()}"
    alice.create_bucket(Bucket=name, ACL="public-read-write")
    assert alice.list_buckets()["Buckets"]          # alice's are hers, not anonymous's
    assert anonymous.list_buckets()["Buckets"] == []
    assert error(lambda: anonymous.create_bucket(Bucket=f"{name}-anon")) == \
        (403, "AccessDenied")
