"""S3 storage classes through boto3: every class S3 names is kept and shown (HEAD/GET,
the listings, GetObjectAttributes, multipart uploads), STANDARD as S3 shows it (no
header); a copy takes the request's class; archive classes stay readable, and
RestoreObject says so honestly."""

from __future__ import annotations

import os
from typing import Any

import pytest
import requests
import swiftclient
from botocore.exceptions import ClientError

CLASSES = ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "REDUCED_REDUNDANCY",
           "INTELLIGENT_TIERING", "GLACIER", "GLACIER_IR", "DEEP_ARCHIVE"]


def code(info: pytest.ExceptionInfo[ClientError]) -> tuple[int, str]:
    r = info.value.response
    return int(r["ResponseMetadata"]["HTTPStatusCode"]), str(r["Error"]["Code"])


@pytest.mark.parametrize("storage", CLASSES)
def test_a_class_is_kept_and_shown(s3: Any, bucket: str, storage: str) -> None:
    body = os.urandom(5000)
    s3.put_object(Bucket=bucket, Key="k", Body=body, StorageClass=storage)
    shown = None if storage == "STANDARD" else storage       # S3 sends none for STANDARD
    assert s3.head_object(Bucket=bucket, Key="k").get("StorageClass") == shown
    got = s3.get_object(Bucket=bucket, Key="k")
    assert got.get("StorageClass") == shown
    assert got["Body"].read() == body          # GLACIER and DEEP_ARCHIVE too: readable
    assert [o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == \
        [storage]
    assert [o["StorageClass"] for o in s3.list_objects(Bucket=bucket)["Contents"]] == \
        [storage]
    attrs = s3.get_object_attributes(Bucket=bucket, Key="k",
                                     ObjectAttributes=["StorageClass", "ObjectSize"])
    assert (attrs["StorageClass"], attrs["ObjectSize"]) == (storage, len(body))


def test_an_unknown_class_stores_nothing(s3: Any, bucket: str) -> None:
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="cold", Body=b"x", StorageClass="COLD")
    assert code(info) == (400, "InvalidStorageClass")
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="cold")
    assert code(info)[0] == 404


def test_a_copy_takes_the_class_it_asks_for(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="src", Body=b"data", StorageClass="GLACIER")
    s3.copy_object(Bucket=bucket, Key="plain", CopySource={"Bucket": bucket, "Key": "src"})
    assert "StorageClass" not in s3.head_object(Bucket=bucket, Key="plain"), \
        "without x-amz-storage-class a copy is STANDARD, as S3 documents"
    s3.copy_object(Bucket=bucket, Key="ia", CopySource={"Bucket": bucket, "Key": "src"},
                   StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key="ia")["StorageClass"] == "STANDARD_IA"
    s3.copy_object(Bucket=bucket, Key="rep", CopySource={"Bucket": bucket, "Key": "src"},
                   StorageClass="ONEZONE_IA", MetadataDirective="REPLACE",
                   Metadata={"m": "1"})
    head = s3.head_object(Bucket=bucket, Key="rep")
    assert (head["StorageClass"], head["Metadata"]) == ("ONEZONE_IA", {"m": "1"})
    # onto itself: a change of class is a change (S3's way to change an object's class)
    s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"},
                   StorageClass="DEEP_ARCHIVE")
    assert s3.head_object(Bucket=bucket, Key="src")["StorageClass"] == "DEEP_ARCHIVE"
    assert s3.get_object(Bucket=bucket, Key="src")["Body"].read() == b"data"
    with pytest.raises(ClientError) as info:
        s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"})
    assert code(info) == (400, "InvalidRequest")


def test_a_multipart_upload_keeps_its_class(s3: Any, bucket: str) -> None:
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", StorageClass="STANDARD_IA")
    other = s3.create_multipart_upload(Bucket=bucket, Key="plain")
    listed = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert sorted((u["Key"], u["StorageClass"]) for u in listed) == \
        [("mp", "STANDARD_IA"), ("plain", "STANDARD")]
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"part one")
    parts = s3.list_parts(Bucket=bucket, Key="mp", UploadId=up["UploadId"])
    assert parts["StorageClass"] == "STANDARD_IA"
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1,
                                                             "ETag": part["ETag"]}]})
    assert s3.head_object(Bucket=bucket, Key="mp")["StorageClass"] == "STANDARD_IA"
    contents = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["StorageClass"]) for o in contents] == [("mp", "STANDARD_IA")]
    s3.abort_multipart_upload(Bucket=bucket, Key="plain", UploadId=other["UploadId"])


def test_versions_list_their_own_class(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="v", Body=b"1", StorageClass="GLACIER")
    s3.put_object(Bucket=bucket, Key="v", Body=b"2")
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["IsLatest"], v["StorageClass"]) for v in versions] == \
        [(True, "STANDARD"), (False, "GLACIER")]
    old = s3.head_object(Bucket=bucket, Key="v", VersionId=first["VersionId"])
    assert old["StorageClass"] == "GLACIER"
    s3.delete_object(Bucket=bucket, Key="v", VersionId=versions[0]["VersionId"])
    assert [o["StorageClass"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == \
        ["GLACIER"], "the version made current again keeps its class"


def test_restore_object_answers_for_what_it_is(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="archived", Body=b"a", StorageClass="DEEP_ARCHIVE")
    s3.put_object(Bucket=bucket, Key="warm", Body=b"w", StorageClass="STANDARD_IA")
    answer = s3.restore_object(Bucket=bucket, Key="archived",
                               RestoreRequest={"Days": 1})
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200   # already readable
    assert s3.get_object(Bucket=bucket, Key="archived")["Body"].read() == b"a"
    with pytest.raises(ClientError) as info:
        s3.restore_object(Bucket=bucket, Key="warm", RestoreRequest={"Days": 1})
    assert code(info) == (403, "InvalidObjectState")
    with pytest.raises(ClientError) as info:
        s3.restore_object(Bucket=bucket, Key="missing", RestoreRequest={"Days": 1})
    assert code(info) == (404, "NoSuchKey")
    with pytest.raises(ClientError) as info:
        s3.restore_object(Bucket=bucket, Key="archived", RestoreRequest={
            "Type": "SELECT", "Tier": "Standard",
            "OutputLocation": {"S3": {"BucketName": bucket, "Prefix": "out"}},
            "SelectParameters": {"InputSerialization": {"CSV": {}}, "ExpressionType": "SQL",
                                 "Expression": "select 1", "OutputSerialization":
                                 {"CSV": {}}}})
    assert code(info) == (501, "NotImplemented")


def test_swift_lists_the_object_as_ever(server: str, s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data", StorageClass="GLACIER")
    conn = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                  key="testing", retries=0)
    _, listing = conn.get_container(bucket)
    etag = s3.head_object(Bucket=bucket, Key="k")["ETag"].strip('"')
    assert [(o["name"], o["hash"], o["bytes"]) for o in listing] == [("k", etag, 4)]
    assert conn.get_object(bucket, "k")[1] == b"data"
    assert requests.get(f"{server}/healthcheck", timeout=5).status_code == 200
