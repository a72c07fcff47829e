"""One decision for both APIs (proxy/authorization.py): a grant made through S3 lets a
Swift user in, a Swift ACL lets an S3 client in -- python-swiftclient and boto3 against
the same `objectstore serve`, each refusal checked from the other side as well.

Users (conftest.py): test:tester (admin of AUTH_test), other:someone (admin of
AUTH_other), test:reader (a non-admin user of AUTH_test)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from botocore import UNSIGNED
from botocore.client import Config
from botocore.exceptions import ClientError

from tests.integration.test_swift_acls import as_user, status_of
from tests.integration.test_swift_edge import OTHER, READER, s3, swift, unique

ME = "/v1/AUTH_test"


def s3_status(call: Any, **kwargs: Any) -> int:
    try:
        call(**kwargs)
    except ClientError as exc:
        return int(exc.response["ResponseMetadata"]["HTTPStatusCode"])
    return 200


def anonymous_s3(server: str) -> Any:
    import boto3
    return boto3.client("s3", endpoint_url=server, region_name="us-east-1",
                        config=Config(signature_version=UNSIGNED,
                                      retries={"max_attempts": 1}))


@pytest.fixture()
def bucket(server: str) -> str:
    name = unique("both")
    s3(server).create_bucket(Bucket=name)
    s3(server).put_object(Bucket=name, Key="doc.txt", Body=b"the doc")
    return name


def test_an_s3_bucket_grant_lets_swift_users_of_that_account_in(server: str,
                                                                bucket: str) -> None:
    other = as_user(server, OTHER)
    assert status_of(other.get_container, bucket) == 403
    assert status_of(other.put_object, bucket, "from-swift", b"x") == 403
    s3(server).put_bucket_acl(Bucket=bucket, GrantRead='id="other"',
                              GrantWrite='id="other"', GrantFullControl='id="test"')
    assert [o["name"] for o in other.get_container(bucket)[1]] == ["doc.txt"]
    other.put_object(bucket, "from-swift", b"written through Swift")
    assert s3(server).get_object(Bucket=bucket, Key="from-swift")["Body"].read() == \
        b"written through Swift"
    # a bucket READ is a listing, not the objects (S3's rule, through Swift too)
    assert status_of(other.get_object, bucket, "doc.txt") == 403
    # and a grant to the account is its admins': the reader of AUTH_test gets nothing
    reader = as_user(server, READER)
    assert status_of(reader.get_container, bucket) == 403
    # revoked through S3, closed through Swift
    s3(server).put_bucket_acl(Bucket=bucket, ACL="private")
    assert status_of(other.get_container, bucket) == 403
    assert status_of(other.put_object, bucket, "again", b"x") == 403


def test_a_public_swift_container_is_public_to_s3(server: str, bucket: str) -> None:
    anonymous = anonymous_s3(server)
    assert s3_status(anonymous.get_object, Bucket=bucket, Key="doc.txt") == 403
    swift(server).post_container(bucket, {"X-Container-Read": ".r:*"})
    assert anonymous.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"the doc"
    assert requests.get(f"{server}/{bucket}/doc.txt", timeout=10).content == b"the doc"
    # .r:* reads objects; listing needs .rlistings, as in Swift
    assert s3_status(anonymous.list_objects_v2, Bucket=bucket) == 403
    swift(server).post_container(bucket, {"X-Container-Read": ".r:*,.rlistings"})
    assert [o["Key"] for o in anonymous.list_objects_v2(Bucket=bucket)["Contents"]] == \
        ["doc.txt"]
    assert s3_status(anonymous.put_object, Bucket=bucket, Key="n", Body=b"x") == 403
    swift(server).post_container(bucket, {"X-Remove-Container-Read": "x"})
    assert s3_status(anonymous.get_object, Bucket=bucket, Key="doc.txt") == 403


def test_swift_container_acls_let_s3_clients_of_those_groups_in(server: str,
                                                                bucket: str) -> None:
    other = s3(server, OTHER)
    assert s3_status(other.get_object, Bucket=bucket, Key="doc.txt") == 403
    swift(server).post_container(bucket, {"X-Container-Read": "other",
                                          "X-Container-Write": "other:someone"})
    assert other.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"the doc"
    assert [o["Key"] for o in other.list_objects_v2(Bucket=bucket)["Contents"]] == \
        ["doc.txt"]
    other.put_object(Bucket=bucket, Key="from-s3", Body=b"through S3")
    assert swift(server).get_object(bucket, "from-s3")[1] == b"through S3"
    # a container's write ACL never reaches the container's own settings
    assert s3_status(other.put_bucket_acl, Bucket=bucket, ACL="public-read") == 403
    assert s3_status(other.delete_bucket, Bucket=bucket) == 403


def test_an_account_acl_reaches_s3_too(server: str, bucket: str) -> None:
    other = s3(server, OTHER)
    assert s3_status(other.get_object, Bucket=bucket, Key="doc.txt") == 403
    swift(server).post_account({"X-Account-Access-Control": '{"read-only": ["other"]}'})
    try:
        assert other.get_object(Bucket=bucket, Key="doc.txt")["Body"].read() == b"the doc"
        assert s3_status(other.put_object, Bucket=bucket, Key="n", Body=b"x") == 403
    finally:
        swift(server).post_account({"X-Account-Access-Control": "{}"})
    assert s3_status(other.get_object, Bucket=bucket, Key="doc.txt") == 403


def test_a_bucket_policy_binds_swift_requests_too(server: str, bucket: str) -> None:
    import json
    owner, other = swift(server), as_user(server, OTHER)
    s3(server).put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Deny", "Principal": "*", "Action": "s3:DeleteObject",
             "Resource": f"arn:aws:s3:::{bucket}/*"},
            {"Effect": "Allow", "Principal": {"AWS": "other"}, "Action": "s3:GetObject",
             "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    # the Deny holds for the owner through Swift as through S3
    assert status_of(owner.delete_object, bucket, "doc.txt") == 403
    assert s3_status(s3(server).delete_object, Bucket=bucket, Key="doc.txt") == 403
    assert owner.get_object(bucket, "doc.txt")[1] == b"the doc"
    # the Allow lets the other account read through Swift, not list nor write
    assert other.get_object(bucket, "doc.txt")[1] == b"the doc"
    assert status_of(other.get_container, bucket) == 403
    assert status_of(other.put_object, bucket, "n", b"x") == 403
    s3(server).delete_bucket_policy(Bucket=bucket)
    assert status_of(other.get_object, bucket, "doc.txt") == 403
    owner.delete_object(bucket, "doc.txt")
