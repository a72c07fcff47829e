"""GetObjectAttributes through boto3: every attribute, the parts of a multipart object
page by page, versions by id, and S3's answers for delete markers and bad asks."""

from __future__ import annotations

import os
from typing import Any

import pytest
from botocore.exceptions import ClientError

MiB = 1024 * 1024
ALL = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]


def refused(info: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, dict[str, str]]:
    r = info.value.response
    return (int(r["ResponseMetadata"]["HTTPStatusCode"]), str(r["Error"]["Code"]),
            r["ResponseMetadata"]["HTTPHeaders"])


def test_every_attribute_of_a_multipart_object_page_by_page(s3: Any, bucket: str) -> None:
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB), os.urandom(10)]
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="CRC32C",
                                    StorageClass="ONEZONE_IA")
    done = []
    for n, data in enumerate(parts, start=1):
        r = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=n,
                           Body=data, ChecksumAlgorithm="CRC32C")
        done.append({"PartNumber": n, "ETag": r["ETag"], "ChecksumCRC32C": r["ChecksumCRC32C"]})
    made = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                        MultipartUpload={"Parts": done})
    attrs = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=ALL)
    assert attrs["ETag"] == made["ETag"].strip('"')
    assert attrs["StorageClass"] == "ONEZONE_IA"
    assert attrs["ObjectSize"] == sum(map(len, parts))
    assert attrs["Checksum"] == {"ChecksumCRC32C": made["ChecksumCRC32C"],
                                 "ChecksumType": "COMPOSITE"}
    seen, marker = [], 0
    while True:
        page = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"],
                                        MaxParts=2, PartNumberMarker=marker)["ObjectParts"]
        assert page["TotalPartsCount"] == 3 and page["MaxParts"] == 2
        seen += [(p["PartNumber"], p["Size"], p["ChecksumCRC32C"]) for p in page["Parts"]]
        if not page["IsTruncated"]:
            break
        marker = page["NextPartNumberMarker"]
    assert seen == [(d["PartNumber"], len(parts[i]), d["ChecksumCRC32C"])
                    for i, d in enumerate(done)]
    for bad in ({"MaxParts": -1}, {"PartNumberMarker": -3}):
        with pytest.raises(ClientError) as info:
            s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"],
                                     **bad)
        assert refused(info)[:2] == (400, "InvalidArgument")


def test_a_plain_object_has_no_parts_and_asks_are_checked(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"12345")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=ALL)
    assert "ObjectParts" not in attrs and "Checksum" in attrs      # boto3 sent a CRC
    assert (attrs["ObjectSize"], attrs["StorageClass"]) == (5, "STANDARD")
    with pytest.raises(ClientError) as info:
        s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Colour"])
    assert refused(info)[:2] == (400, "InvalidArgument")
    with pytest.raises(ClientError) as info:
        s3.get_object_attributes(Bucket=bucket, Key="nothing", ObjectAttributes=["ETag"])
    assert refused(info)[:2] == (404, "NoSuchKey")


def test_versions_and_delete_markers(s3: Any, bucket: str) -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=bucket, Key="v", Body=b"one")
    s3.put_object(Bucket=bucket, Key="v", Body=b"second")
    old = s3.get_object_attributes(Bucket=bucket, Key="v", VersionId=first["VersionId"],
                                   ObjectAttributes=["ObjectSize"])
    assert (old["ObjectSize"], old["VersionId"]) == (3, first["VersionId"])
    marker = s3.delete_object(Bucket=bucket, Key="v")["VersionId"]
    with pytest.raises(ClientError) as info:      # the current version is a marker: 404
        s3.get_object_attributes(Bucket=bucket, Key="v", ObjectAttributes=["ETag"])
    status, error, headers = refused(info)
    assert (status, error, headers.get("x-amz-delete-marker")) == (404, "NoSuchKey", "true")
    with pytest.raises(ClientError) as info:      # a marker named by id: 405
        s3.get_object_attributes(Bucket=bucket, Key="v", VersionId=marker,
                                 ObjectAttributes=["ETag"])
    status, error, headers = refused(info)
    assert (status, error, headers.get("x-amz-delete-marker")) == \
        (405, "MethodNotAllowed", "true")
    again = s3.get_object_attributes(Bucket=bucket, Key="v", VersionId=first["VersionId"],
                                     ObjectAttributes=["ObjectSize"])
    assert again["ObjectSize"] == 3, "older versions stay readable by id"
