"""Bucket policies through boto3 against a real `objectstore serve`: stored, shown and
removed; what an Allow opens to another account, a non-admin user and anonymous
requests; an explicit Deny that binds the owner too; conditions on how a request is
sent; PolicyStatus; and S3's refusals of malformed policies."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest

from tests.integration.access_clients import error


@pytest.fixture
def bucket(alice: Any) -> str:
    name = f"pol-{os.urandom(4).hex()}"
    alice.create_bucket(Bucket=name)
    alice.put_object(Bucket=name, Key="public/a", Body=b"a")
    alice.put_object(Bucket=name, Key="private/b", Body=b"b")
    return name


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_put_get_delete_and_status(alice: Any, bob: Any, bucket: str) -> None:
    assert error(lambda: alice.get_bucket_policy(Bucket=bucket)) == (404, "NoSuchBucketPolicy")
    assert alice.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    text = policy({"Sid": "read", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::bob:root"},
                   "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"})
    alice.put_bucket_policy(Bucket=bucket, Policy=text)
    assert json.loads(alice.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(text)
    assert alice.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    # only the owner sees or changes the policy
    assert error(lambda: bob.get_bucket_policy(Bucket=bucket)) == (403, "AccessDenied")
    assert error(lambda: bob.delete_bucket_policy(Bucket=bucket)) == (403, "AccessDenied")
    public = policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                     "Resource": f"arn:aws:s3:::{bucket}/*"})
    alice.put_bucket_policy(Bucket=bucket, Policy=public)
    assert alice.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}
    alice.delete_bucket_policy(Bucket=bucket)
    assert error(lambda: alice.get_bucket_policy(Bucket=bucket)) == (404, "NoSuchBucketPolicy")
    # a public ACL makes the bucket public too (as ceph answers), unless ignored
    alice.put_bucket_acl(Bucket=bucket, ACL="authenticated-read")
    assert alice.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}
    alice.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "IgnorePublicAcls": True})
    assert alice.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}


def test_an_allow_opens_exactly_what_it_names(alice: Any, bob: Any, anonymous: Any,
                                              bucket: str) -> None:
    alice.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/public/*"},
        {"Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "s3:ListBucket",
         "Resource": f"arn:aws:s3:::{bucket}",
         "Condition": {"StringLike": {"s3:prefix": "public/*"}}}))
    assert anonymous.get_object(Bucket=bucket, Key="public/a")["Body"].read() == b"a"
    assert error(lambda: anonymous.get_object(Bucket=bucket, Key="private/b")) == \
        (403, "AccessDenied")
    assert error(lambda: anonymous.put_object(Bucket=bucket, Key="public/n", Body=b"x")) \
        == (403, "AccessDenied")
    listed = bob.list_objects_v2(Bucket=bucket, Prefix="public/")["Contents"]
    assert [o["Key"] for o in listed] == ["public/a"]
    assert error(lambda: bob.list_objects_v2(Bucket=bucket)) == (403, "AccessDenied")
    assert error(lambda: bob.list_objects_v2(Bucket=bucket, Prefix="private/")) == \
        (403, "AccessDenied")
    # the owner is not limited by an Allow
    assert alice.get_object(Bucket=bucket, Key="private/b")["Body"].read() == b"b"


def test_an_explicit_deny_binds_the_owner_too(alice: Any, bucket: str) -> None:
    alice.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Sid": "keep", "Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
         "Resource": f"arn:aws:s3:::{bucket}/*"}))
    assert error(lambda: alice.delete_object(Bucket=bucket, Key="public/a")) == \
        (403, "AccessDenied")
    assert alice.get_object(Bucket=bucket, Key="public/a")["Body"].read() == b"a"
    # nor by DeleteObjects: each key is judged as its own DeleteObject
    alice.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
         "Resource": f"arn:aws:s3:::{bucket}/public/*"}))
    result = alice.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "public/a"}, {"Key": "private/b"}]})
    assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [("public/a", "AccessDenied")]
    assert [d["Key"] for d in result["Deleted"]] == ["private/b"]
    assert alice.get_object(Bucket=bucket, Key="public/a")["Body"].read() == b"a"
    # never locked out of its own policy
    alice.delete_bucket_policy(Bucket=bucket)
    alice.delete_object(Bucket=bucket, Key="public/a")


def test_conditions_on_how_the_request_is_sent(alice: Any, bob: Any, bucket: str) -> None:
    alice.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"StringNotEquals": {"s3:x-amz-acl": "private"}}}))
    assert bob.get_object(Bucket=bucket, Key="private/b")["Body"].read() == b"b"
    assert error(lambda: alice.put_object(Bucket=bucket, Key="n", Body=b"x")) == \
        (403, "AccessDenied")                          # no x-amz-acl: not "private"
    alice.put_object(Bucket=bucket, Key="n", Body=b"x", ACL="private")
    alice.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}))
    assert error(lambda: bob.get_object(Bucket=bucket, Key="private/b")) == \
        (403, "AccessDenied")


def test_a_policy_grants_a_non_admin_user_by_name(alice: Any, clerk: Any, bucket: str
                                                  ) -> None:
    assert error(lambda: clerk.get_object(Bucket=bucket, Key="private/b")) == \
        (403, "AccessDenied")
    alice.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::alice:user/clerk"},
         "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": f"arn:aws:s3:::{bucket}/private/*"}))
    assert clerk.get_object(Bucket=bucket, Key="private/b")["Body"].read() == b"b"
    clerk.put_object(Bucket=bucket, Key="private/c", Body=b"c")
    assert error(lambda: clerk.delete_object(Bucket=bucket, Key="private/c")) == \
        (403, "AccessDenied")
    assert error(lambda: clerk.get_object(Bucket=bucket, Key="public/a")) == \
        (403, "AccessDenied")


def test_malformed_policies_are_refused_and_nothing_is_kept(alice: Any, bucket: str) -> None:
    other = "arn:aws:s3:::someone-elses-bucket/*"
    for text, code in [
            ("not json", "MalformedPolicy"),
            ('{"Statement": []}', "MalformedPolicy"),
            (policy({"Effect": "Perhaps", "Principal": "*", "Action": "s3:GetObject",
                     "Resource": f"arn:aws:s3:::{bucket}/*"}), "MalformedPolicy"),
            (policy({"Effect": "Allow", "Principal": "*", "Action": "s3:NoSuchAction",
                     "Resource": f"arn:aws:s3:::{bucket}/*"}), "MalformedPolicy"),
            (policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                     "Resource": other}), "MalformedPolicy"),
            (policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                     "Resource": f"arn:aws:s3:::{bucket}/*",
                     "Condition": {"IpAddress": {"aws:SourceIp": "not-an-ip"}}}),
             "MalformedPolicy")]:
        assert error(lambda t=text: alice.put_bucket_policy(Bucket=bucket, Policy=t)) == \
            (400, code), text
    assert error(lambda: alice.get_bucket_policy(Bucket=bucket)) == (404, "NoSuchBucketPolicy")


def test_block_public_policy_and_restrict_public_buckets(alice: Any, bob: Any,
                                                          anonymous: Any, bucket: str) -> None:
    public = policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                     "Resource": f"arn:aws:s3:::{bucket}/*"})
    alice.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "BlockPublicPolicy": True})
    assert error(lambda: alice.put_bucket_policy(Bucket=bucket, Policy=public)) == \
        (403, "AccessDenied")
    alice.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        "RestrictPublicBuckets": True})
    alice.put_bucket_policy(Bucket=bucket, Policy=public)
    assert error(lambda: anonymous.get_object(Bucket=bucket, Key="public/a")) == \
        (403, "AccessDenied")
    assert error(lambda: bob.get_object(Bucket=bucket, Key="public/a")) == \
        (403, "AccessDenied")
    alice.delete_public_access_block(Bucket=bucket)
    assert anonymous.get_object(Bucket=bucket, Key="public/a")["Body"].read() == b"a"


def test_a_bucket_made_again_does_not_inherit_the_old_policy(alice: Any, anonymous: Any
                                                            ) -> None:
    name = f"pol-{os.urandom(4).hex()}"
    alice.create_bucket(Bucket=name)
    alice.put_bucket_policy(Bucket=name, Policy=policy(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{name}/*"}))
    alice.delete_bucket(Bucket=name)
    alice.create_bucket(Bucket=name)
    alice.put_object(Bucket=name, Key="k", Body=b"v")
    assert error(lambda: alice.get_bucket_policy(Bucket=name)) == (404, "NoSuchBucketPolicy")
    assert error(lambda: anonymous.get_object(Bucket=name, Key="k")) == (403, "AccessDenied")


def test_a_copy_is_judged_by_each_buckets_own_policy(alice: Any, bob: Any, bucket: str
                                                     ) -> None:
    alice.put_bucket_policy(Bucket=bucket, Policy=policy(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": f"arn:aws:s3:::{bucket}/public/*"}))
    target = f"pol-{os.urandom(4).hex()}"
    alice.create_bucket(Bucket=target)
    alice.put_bucket_policy(Bucket=target, Policy=policy(
        {"Effect": "Allow", "Principal": {"AWS": "bob"}, "Action": "s3:PutObject",
         "Resource": f"arn:aws:s3:::{target}/*",
         "Condition": {"StringLike": {"s3:x-amz-copy-source": f"{bucket}/public/*"}}}))
    bob.copy_object(Bucket=target, Key="copied", CopySource={"Bucket": bucket,
                                                             "Key": "public/a"})
    assert bob.get_object(Bucket=target, Key="copied")["Body"].read() == b"a"   # bob's own
    assert error(lambda: bob.copy_object(Bucket=target, Key="n", CopySource={
        "Bucket": bucket, "Key": "private/b"})) == (403, "AccessDenied")
    assert error(lambda: bob.put_object(Bucket=target, Key="n", Body=b"x")) == \
        (403, "AccessDenied")                          # not a copy of public/*
    # a part copied from the other account's bucket, as its policy allows
    alice.put_bucket_acl(Bucket=target, GrantWrite='id="bob"', GrantFullControl='id="alice"')
    upload = bob.create_multipart_upload(Bucket=target, Key="parts")["UploadId"]
    part = bob.upload_part_copy(Bucket=target, Key="parts", UploadId=upload, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "public/a"})
    bob.complete_multipart_upload(Bucket=target, Key="parts", UploadId=upload,
                                  MultipartUpload={"Parts": [{
                                      "PartNumber": 1,
                                      "ETag": part["CopyPartResult"]["ETag"]}]})
    assert bob.get_object(Bucket=target, Key="parts")["Body"].read() == b"a"
    upload = bob.create_multipart_upload(Bucket=target, Key="stolen")["UploadId"]
    assert error(lambda: bob.upload_part_copy(
        Bucket=target, Key="stolen", UploadId=upload, PartNumber=1,
        CopySource={"Bucket": bucket, "Key": "private/b"})) == (403, "AccessDenied")
