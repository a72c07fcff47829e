"""S3 behaviour beyond the round trips, through boto3 against a real `objectstore serve`:
global bucket names across accounts, multipart checksums, GetObjectAttributes, listing
details, and the errors S3 clients expect."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
from awscrt import checksums as crt
from botocore.client import Config
from botocore.exceptions import ClientError

MiB = 1024 * 1024


@pytest.fixture
def client(server: str) -> Iterator[Callable[..., Any]]:
    """Makes boto3 clients (default user, or another's keys); closed after the test."""
    made: list[Any] = []

    def make(key: str = "test:tester", secret: str = "testing") -> Any:
        made.append(boto3.client("s3", endpoint_url=server, aws_access_key_id=key,
                                 aws_secret_access_key=secret, region_name="us-east-1",
                                 config=Config(retries={"max_attempts": 1})))
        return made[-1]

    yield make
    for c in made:
        c.close()


def code(info: pytest.ExceptionInfo[ClientError]) -> tuple[int, str]:
    r = info.value.response
    return int(r["ResponseMetadata"]["HTTPStatusCode"]), str(r["Error"]["Code"])


def name(prefix: str) -> str:
    return f"{prefix}-{os.urandom(4).hex()}"


def test_bucket_names_are_global(client: Callable[..., Any]) -> None:
    mine, theirs = client(), client("other:someone", "secret2")
    bucket = name("global")
    mine.create_bucket(Bucket=bucket)
    mine.put_object(Bucket=bucket, Key="k", Body=b"private")
    with pytest.raises(ClientError) as info:
        theirs.create_bucket(Bucket=bucket)
    assert code(info) == (409, "BucketAlreadyExists")
    for call in (lambda: theirs.get_object(Bucket=bucket, Key="k"),
                 lambda: theirs.list_objects_v2(Bucket=bucket),
                 lambda: theirs.put_object(Bucket=bucket, Key="k", Body=b"x")):
        with pytest.raises(ClientError) as info:
            call()
        assert code(info) == (403, "AccessDenied")
    own = name("own")
    theirs.create_bucket(Bucket=own)
    with pytest.raises(ClientError) as info:
        theirs.copy_object(Bucket=own, Key="stolen", CopySource={"Bucket": bucket, "Key": "k"})
    assert code(info) == (403, "AccessDenied")
    assert bucket not in [b["Name"] for b in theirs.list_buckets()["Buckets"]]
    with pytest.raises(ClientError) as info:
        theirs.get_object(Bucket=name("nobody"), Key="k")
    assert code(info) == (404, "NoSuchBucket")
    mine.delete_object(Bucket=bucket, Key="k")
    mine.delete_bucket(Bucket=bucket)
    theirs.create_bucket(Bucket=bucket)          # free again once its owner deleted it
    assert theirs.head_bucket(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200


def _crc(algorithm: str, data: bytes) -> str:
    value = {"CRC32C": lambda: crt.crc32c(data).to_bytes(4, "big"),
             "CRC64NVME": lambda: crt.crc64nvme(data).to_bytes(8, "big")}[algorithm]()
    return base64.b64encode(value).decode()


@pytest.mark.parametrize("algorithm", ["CRC32C", "CRC64NVME"])
def test_crc32c_and_crc64nvme_uploads(client: Callable[..., Any], algorithm: str) -> None:
    s3 = client()
    bucket = name("crc")
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(200_000)
    s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm=algorithm)
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == _crc(algorithm, body)
    assert head["ChecksumType"] == "FULL_OBJECT"
    with pytest.raises(ClientError) as info:      # a wrong value: nothing is stored
        s3.put_object(Bucket=bucket, Key="bad", Body=body,
                      **{f"Checksum{algorithm}": _crc(algorithm, b"other")})
    assert code(info) == (400, "BadDigest")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="bad")


def _upload(s3: Any, bucket: str, key: str, parts: list[bytes], algorithm: str,
            kind: str) -> tuple[str, list[dict[str, Any]]]:
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm,
                                        ChecksumType=kind)
    assert (upload["ChecksumAlgorithm"], upload["ChecksumType"]) == (algorithm, kind)
    listed = []
    for number, data in enumerate(parts, start=1):
        r = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload["UploadId"],
                           PartNumber=number, Body=data, ChecksumAlgorithm=algorithm)
        listed.append({"PartNumber": number, "ETag": r["ETag"],
                       f"Checksum{algorithm}": r[f"Checksum{algorithm}"]})
    return upload["UploadId"], listed


def test_multipart_checksums(client: Callable[..., Any]) -> None:
    s3 = client()
    bucket = name("mpck")
    s3.create_bucket(Bucket=bucket)
    parts = [os.urandom(5 * MiB), os.urandom(5 * MiB), os.urandom(1000)]

    # COMPOSITE SHA256: the checksum of the part checksums, "-3"
    upload_id, listed = _upload(s3, bucket, "sha", parts, "SHA256", "COMPOSITE")
    raw = b"".join(hashlib.sha256(p).digest() for p in parts)
    expected = base64.b64encode(hashlib.sha256(raw).digest()).decode() + "-3"
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="sha", UploadId=upload_id,
                                     ChecksumSHA256=base64.b64encode(b"x" * 32).decode()
                                     + "-3", MultipartUpload={"Parts": listed})
    assert code(info) == (400, "BadDigest")
    wrong = [{**p, "ChecksumSHA256": listed[0]["ChecksumSHA256"]} for p in listed]
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="sha", UploadId=upload_id,
                                     MultipartUpload={"Parts": wrong})
    assert code(info) == (400, "InvalidPart")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="sha", UploadId=upload_id,
                                        ChecksumSHA256=expected,
                                        MultipartUpload={"Parts": listed})
    assert done["ChecksumSHA256"] == expected and done["ChecksumType"] == "COMPOSITE"
    again = s3.complete_multipart_upload(Bucket=bucket, Key="sha", UploadId=upload_id,
                                         MultipartUpload={"Parts": listed})
    assert (again["ETag"], again["ChecksumSHA256"]) == (done["ETag"], expected)
    assert "ChecksumSHA256" not in s3.head_object(Bucket=bucket, Key="sha")
    head = s3.head_object(Bucket=bucket, Key="sha", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == expected
    part2 = s3.get_object(Bucket=bucket, Key="sha", PartNumber=2, ChecksumMode="ENABLED")
    assert part2["Body"].read() == parts[1] and part2["ChecksumType"] == "COMPOSITE"
    assert part2["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(parts[1]).digest()
                                                       ).decode()
    attrs = s3.get_object_attributes(Bucket=bucket, Key="sha", MaxParts=1,
                                     PartNumberMarker=1,
                                     ObjectAttributes=["ETag", "Checksum", "ObjectParts",
                                                       "StorageClass", "ObjectSize"])
    assert attrs["ObjectSize"] == sum(map(len, parts))
    assert attrs["ETag"] == done["ETag"].strip('"')
    assert attrs["Checksum"] == {"ChecksumSHA256": expected, "ChecksumType": "COMPOSITE"}
    got = attrs["ObjectParts"]
    assert (got["TotalPartsCount"], got["IsTruncated"], got["NextPartNumberMarker"]) == \
        (3, True, 2)
    assert [(p["PartNumber"], p["Size"]) for p in got["Parts"]] == [(2, 5 * MiB)]

    # FULL_OBJECT CRC32C: the CRC of all the bytes, combined from the parts'
    upload_id, listed = _upload(s3, bucket, "crc", parts, "CRC32C", "FULL_OBJECT")
    bare = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in listed]
    done = s3.complete_multipart_upload(Bucket=bucket, Key="crc", UploadId=upload_id,
                                        ChecksumCRC32C=_crc("CRC32C", b"".join(parts)),
                                        MultipartUpload={"Parts": bare})
    assert done["ChecksumCRC32C"] == _crc("CRC32C", b"".join(parts))
    assert s3.get_object(Bucket=bucket, Key="crc")["Body"].read() == b"".join(parts)


def test_listing_and_bucket_details(client: Callable[..., Any]) -> None:
    s3 = client()
    bucket = name("lst")
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-x"})
    assert s3.get_bucket_location(Bucket=bucket)["LocationConstraint"] == "eu-x"
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    empty = s3.list_objects_v2(Bucket=bucket, ContinuationToken="")
    assert empty["ContinuationToken"] == "" and empty["KeyCount"] == 3
    assert "Owner" not in empty["Contents"][0]
    owned = s3.list_objects_v2(Bucket=bucket, FetchOwner=True)
    assert owned["Contents"][0]["Owner"]["ID"] == "test"
    zero = s3.list_objects(Bucket=bucket, MaxKeys=0)
    assert zero["IsTruncated"] is False and "Contents" not in zero
    listed = s3.list_objects(Bucket=bucket)["Contents"][0]["LastModified"]
    assert s3.head_object(Bucket=bucket, Key="a")["LastModified"] == listed.replace(
        microsecond=0)
    first = s3.list_buckets(MaxBuckets=1)
    assert len(first["Buckets"]) == 1 and first["ContinuationToken"]
    rest = s3.list_buckets(ContinuationToken=first["ContinuationToken"], MaxBuckets=1000)
    names = [b["Name"] for b in first["Buckets"] + rest["Buckets"]]
    assert bucket in names and names == sorted(names)


def test_multipart_errors_and_conditions(client: Callable[..., Any]) -> None:
    s3 = client()
    bucket = name("mperr")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="src", Body=b"12345")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    with pytest.raises(ClientError) as info:
        s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1,
                            CopySource={"Bucket": bucket, "Key": "src"},
                            CopySourceRange="bytes=0-21")
    assert code(info)[1] == "InvalidRange"
    etag = s3.upload_part(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1,
                          Body=b"part")["ETag"]
    parts = {"Parts": [{"PartNumber": 1, "ETag": etag}]}
    s3.put_object(Bucket=bucket, Key="dst", Body=b"exists")
    with pytest.raises(ClientError) as info:
        s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload_id,
                                     MultipartUpload=parts, IfNoneMatch="*")
    assert code(info) == (412, "PreconditionFailed")
    done = s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload_id,
                                        MultipartUpload=parts)
    again = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    etag2 = s3.upload_part(Bucket=bucket, Key="dst", UploadId=again, PartNumber=1,
                           Body=b"two")["ETag"]
    with pytest.raises(ClientError) as info:      # conditions see the multipart ETag
        s3.complete_multipart_upload(Bucket=bucket, Key="dst", UploadId=again,
                                     IfNoneMatch=done["ETag"], MultipartUpload={
                                         "Parts": [{"PartNumber": 1, "ETag": etag2}]})
    assert code(info) == (412, "PreconditionFailed")
    s3.abort_multipart_upload(Bucket=bucket, Key="dst", UploadId=again)
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="dst", PartNumber=2)
    assert code(info) == (400, "InvalidPart")
    uploads = [s3.create_multipart_upload(Bucket=bucket, Key=f"u{i}")["UploadId"]
               for i in range(3)]
    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=2)
    assert page["IsTruncated"] and [u["Key"] for u in page["Uploads"]] == ["u0", "u1"]
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker=page["NextKeyMarker"],
                                     UploadIdMarker=page["NextUploadIdMarker"])
    assert [u["UploadId"] for u in rest["Uploads"]] == [uploads[2]]
    for i in range(3):
        s3.upload_part(Bucket=bucket, Key="u0", UploadId=uploads[0], PartNumber=i + 1,
                       Body=b"p")
    parts_page = s3.list_parts(Bucket=bucket, Key="u0", UploadId=uploads[0], MaxParts=2)
    assert parts_page["IsTruncated"] and parts_page["NextPartNumberMarker"] == 2
    tail = s3.list_parts(Bucket=bucket, Key="u0", UploadId=uploads[0],
                         PartNumberMarker=parts_page["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in tail["Parts"]] == [3]


def test_the_write_that_finishes_last_wins(client: Callable[..., Any], server: str) -> None:
    """Two overlapping PUTs of one key: the one whose body ends last is the object,
    whichever started first (the write's time is fixed when its body has ended)."""
    import http.client
    from urllib.parse import urlsplit

    s3 = client()
    bucket = name("race")
    s3.create_bucket(Bucket=bucket)
    size = 3 * MiB
    url = urlsplit(s3.generate_presigned_url("put_object", Params={"Bucket": bucket,
                                                                    "Key": "k"}))
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        conn.putrequest("PUT", f"{url.path}?{url.query}")
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        conn.send(b"A" * (size // 2))                   # the first write starts...
        s3.put_object(Bucket=bucket, Key="k", Body=b"B" * size)   # a second one is done
        conn.send(b"A" * (size - size // 2))            # ...and the first ends last
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()
        resp.read()
    finally:
        conn.close()
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"A" * size


def test_a_part_listed_twice_counts_once(client: Callable[..., Any]) -> None:
    """A part uploaded again may be listed twice in Complete; its last entry counts."""
    s3 = client()
    bucket = name("twice")
    s3.create_bucket(Bucket=bucket)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="k")["UploadId"]
    first = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1,
                           Body=b"first")["ETag"]
    second = s3.upload_part(Bucket=bucket, Key="k", UploadId=upload_id, PartNumber=1,
                            Body=b"second")["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="k", UploadId=upload_id, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": first}, {"PartNumber": 1, "ETag": second}]})
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"second"


def test_non_ascii_metadata_is_signed_and_kept_byte_for_byte(
        client: Callable[..., Any]) -> None:
    """boto3 sends non-ASCII metadata as UTF-8 bytes and signs them so; they verify, and
    the same bytes come back."""
    s3 = client()
    bucket = name("utf8")
    s3.create_bucket(Bucket=bucket)

    def add_header(params: dict[str, Any], **_: Any) -> None:   # botocore's own check
        params["headers"]["x-amz-meta-greeting"] = "Grüße é"    # refuses Metadata=...

    s3.meta.events.register("before-call.s3.PutObject", add_header)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    got = s3.head_object(Bucket=bucket, Key="k")["Metadata"]["greeting"]
    assert got.encode("latin-1").decode("utf-8") == "Grüße é"   # http.client reads latin-1
