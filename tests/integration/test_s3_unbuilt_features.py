"""Features that are not built answer a clear error, never a 2xx that drops them: boto3
asking for object lock, unknown storage classes, dual-layer encryption, website
redirects, ACLs nobody can be granted and more on every kind of write, against a real
`objectstore serve`; nothing is stored."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from botocore.client import Config
from botocore.exceptions import ClientError

from tests.integration.signed import send

LATER = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
# what a write may ask for that the store does not do, and S3's answer
ASKS: list[tuple[dict[str, Any], tuple[int, str]]] = [
    ({"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": LATER},
     (400, "InvalidRequest")),
    ({"ObjectLockLegalHoldStatus": "ON"}, (400, "InvalidRequest")),
    ({"Tagging": "team=a&team=b"}, (400, "InvalidArgument")),     # tags, but not these
    ({"Tagging": "aws:team=a"}, (400, "InvalidTag")),
    ({"StorageClass": "COLD"}, (400, "InvalidStorageClass")),
    ({"ServerSideEncryption": "aws:kms:dsse", "SSEKMSKeyId": "k"}, (501, "NotImplemented")),
    ({"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "k"},      # not a key of [kms]
     (400, "KMS.NotFoundException")),
    ({"WebsiteRedirectLocation": "/elsewhere"}, (501, "NotImplemented")),
    ({"ACL": "no-such-canned-acl"}, (400, "InvalidArgument")),
    ({"GrantRead": 'id="someone"'}, (400, "InvalidArgument")),     # nobody has that id
    ({"ExpectedBucketOwner": "someone-else"}, (403, "AccessDenied")),
]


@pytest.fixture
def s3(server: str) -> Iterator[Any]:
    client = boto3.client("s3", endpoint_url=server, aws_access_key_id="test:tester",
                          aws_secret_access_key="testing", region_name="us-east-1",
                          config=Config(retries={"max_attempts": 1}))
    yield client
    client.close()


@pytest.fixture
def bucket(s3: Any) -> str:
    name = f"unbuilt-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=name)
    s3.put_object(Bucket=name, Key="source", Body=b"source")
    return name


def answer(call: Callable[[], Any]) -> tuple[int, str]:
    with pytest.raises(ClientError) as info:
        call()
    r = info.value.response
    return int(r["ResponseMetadata"]["HTTPStatusCode"]), str(r["Error"]["Code"])


def test_every_kind_of_write_refuses_what_it_cannot_honour(s3: Any, bucket: str) -> None:
    for ask, expected in ASKS:
        assert answer(lambda a=ask: s3.put_object(Bucket=bucket, Key="put", Body=b"x",
                                                  **a)) == expected, ("put", ask)
        assert answer(lambda a=ask: s3.copy_object(
            Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "source"},
            MetadataDirective="REPLACE", **a)) == expected, ("copy", ask)
        assert answer(lambda a=ask: s3.create_multipart_upload(
            Bucket=bucket, Key="mp", **a)) == expected, ("multipart", ask)
    assert answer(lambda: s3.copy_object(
        Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "source"},
        TaggingDirective="REPLACE", Tagging="a=" + "v" * 257)) == (400, "InvalidTag")
    assert answer(lambda: s3.copy_object(
        Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "source"},
        MetadataDirective="REPLACE", ChecksumAlgorithm="SHA256")) == (501, "NotImplemented")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    assert answer(lambda: s3.upload_part(
        Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"x",
        SSECustomerAlgorithm="AES256", SSECustomerKey="k" * 32)) == (400, "InvalidRequest")
    assert answer(lambda: s3.upload_part(
        Bucket=bucket, Key="mp", UploadId=upload, PartNumber=1, Body=b"x",
        ExpectedBucketOwner="someone-else")) == (403, "AccessDenied")
    s3.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["source"]
    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")


def test_what_is_honoured_still_works(s3: Any, bucket: str) -> None:
    for extra in ({"StorageClass": "STANDARD"}, {"StorageClass": "GLACIER"}, {"ACL": "private"},
                  {"ACL": "bucket-owner-full-control"}, {"ExpectedBucketOwner": "test"},
                  {"RequestPayer": "requester"}, {"Tagging": ""}, {"Tagging": "a=b"}):
        s3.put_object(Bucket=bucket, Key="ok", Body=b"ok", **extra)
    s3.copy_object(Bucket=bucket, Key="ok2", CopySource={"Bucket": bucket, "Key": "ok"},
                   ExpectedBucketOwner="test", ExpectedSourceBucketOwner="test")
    assert s3.get_object(Bucket=bucket, Key="ok2")["Body"].read() == b"ok"
    assert answer(lambda: s3.copy_object(
        Bucket=bucket, Key="ok3", CopySource={"Bucket": bucket, "Key": "ok"},
        ExpectedSourceBucketOwner="someone-else")) == (403, "AccessDenied")
    s3.head_bucket(Bucket=bucket, ExpectedBucketOwner="test")


def test_create_bucket_refuses_what_it_cannot_honour(server: str, s3: Any) -> None:
    name = f"unbuilt-{os.urandom(4).hex()}"
    for ask, expected in [({"ObjectOwnership": "NoSuchOwnership"}, (400, "InvalidArgument")),
                          ({"ACL": "public-read-write", "ObjectOwnership":
                            "BucketOwnerEnforced"},
                           (400, "InvalidBucketAclWithObjectOwnership")),
                          ({"GrantWrite": 'id="someone"'}, (400, "InvalidArgument"))]:
        assert answer(lambda a=ask: s3.create_bucket(Bucket=name, **a)) == expected, ask
    directory = (b"<CreateBucketConfiguration><Location><Type>AvailabilityZone</Type>"
                 b"<Name>usw2-az1</Name></Location><Bucket><Type>Directory</Type>"
                 b"</Bucket></CreateBucketConfiguration>")
    reply = send(server, "PUT", f"/{name}", body=directory)
    assert (reply.status, reply.code) == (501, "NotImplemented")
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=False,
                     ObjectOwnership="BucketOwnerEnforced")
    s3.delete_bucket(Bucket=name)
