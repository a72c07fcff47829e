"""The checksum algorithms botocore added in 2026 (MD5, SHA512, XXHASH64, XXHASH3,
XXHASH128) are verified, stored and returned as the older five are; a Content-MD5 that
cannot be an MD5 is refused before the body is read."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable
from typing import Any

import pytest
import requests
import xxhash
from botocore.exceptions import ClientError

MiB = 1024 * 1024
DIGESTS: dict[str, Callable[[bytes], bytes]] = {
    "SHA512": lambda b: hashlib.sha512(b).digest(),
    "XXHASH64": lambda b: xxhash.xxh64(b).digest(),
    "XXHASH3": lambda b: xxhash.xxh3_64(b).digest(),
    "XXHASH128": lambda b: xxhash.xxh3_128(b).digest(),
    "MD5": lambda b: hashlib.md5(b).digest(),
}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def code(info: pytest.ExceptionInfo[ClientError]) -> tuple[int, str]:
    r = info.value.response
    return int(r["ResponseMetadata"]["HTTPStatusCode"]), str(r["Error"]["Code"])


@pytest.mark.parametrize("algorithm", sorted(DIGESTS))
def test_new_algorithms_are_checked_stored_and_returned(s3: Any, bucket: str,
                                                        algorithm: str) -> None:
    body = os.urandom(100_000)
    expected = b64(DIGESTS[algorithm](body))
    if algorithm == "MD5":        # botocore does not compute MD5 itself: the value is ours
        s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumMD5=expected)
    else:                         # botocore computes it (a trailer of aws-chunked)
        s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm=algorithm)
    head = s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == expected
    assert head["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected and got["Body"].read() == body
    attrs = s3.get_object_attributes(Bucket=bucket, Key="k", ObjectAttributes=["Checksum"])
    assert attrs["Checksum"] == {f"Checksum{algorithm}": expected,
                                 "ChecksumType": "FULL_OBJECT"}

    wrong = b64(DIGESTS[algorithm](b"other"))
    with pytest.raises(ClientError) as info:          # a mismatch stores nothing
        s3.put_object(Bucket=bucket, Key="bad", Body=body,
                      **{f"Checksum{algorithm}": wrong})
    assert code(info) == (400, "BadDigest")
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="bad")
    assert code(info)[0] == 404


@pytest.mark.parametrize("algorithm", ["XXHASH128", "SHA512"])
def test_a_multipart_upload_gets_a_composite_checksum(s3: Any, bucket: str,
                                                      algorithm: str) -> None:
    parts = [os.urandom(5 * MiB), os.urandom(1000)]
    digest = DIGESTS[algorithm]
    with pytest.raises(ClientError) as info:        # only CRCs combine into a whole one
        s3.create_multipart_upload(Bucket=bucket, Key="no", ChecksumAlgorithm=algorithm,
                                   ChecksumType="FULL_OBJECT")
    assert code(info) == (400, "InvalidRequest")
    upload = s3.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm=algorithm)
    assert upload["ChecksumType"] == "COMPOSITE"
    listed = []
    for number, data in enumerate(parts, start=1):
        r = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
                           PartNumber=number, Body=data, ChecksumAlgorithm=algorithm)
        assert r[f"Checksum{algorithm}"] == b64(digest(data))
        listed.append({"PartNumber": number, "ETag": r["ETag"],
                       f"Checksum{algorithm}": r[f"Checksum{algorithm}"]})
    done = s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload["UploadId"],
                                        MultipartUpload={"Parts": listed})
    expected = b64(digest(b"".join(digest(p) for p in parts))) + "-2"
    assert done[f"Checksum{algorithm}"] == expected
    head = s3.head_object(Bucket=bucket, Key="mp", ChecksumMode="ENABLED")
    assert (head[f"Checksum{algorithm}"], head["ChecksumType"]) == (expected, "COMPOSITE")
    attrs = s3.get_object_attributes(Bucket=bucket, Key="mp", ObjectAttributes=["ObjectParts"])
    assert [p[f"Checksum{algorithm}"] for p in attrs["ObjectParts"]["Parts"]] == \
        [b64(digest(p)) for p in parts]


@pytest.mark.parametrize("value", ["", "YWJyYWNhZGFicmE=", "AWS HAHAHA"])
def test_a_content_md5_that_is_no_md5_is_invalid_digest(s3: Any, bucket: str,
                                                        value: str) -> None:
    def add(params: dict[str, Any], **_: Any) -> None:
        params["headers"]["Content-MD5"] = value
    s3.meta.events.register("before-call.s3.PutObject", add)
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="md5", Body=b"bar")
    assert code(info) == (400, "InvalidDigest")
    s3.meta.events.unregister("before-call.s3.PutObject", add)
    with pytest.raises(ClientError) as info:        # a well-formed wrong one: BadDigest
        s3.put_object(Bucket=bucket, Key="md5", Body=b"bar",
                      ContentMD5=b64(hashlib.md5(b"baz").digest()))
    assert code(info) == (400, "BadDigest")
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="md5")
    assert code(info)[0] == 404


def test_a_checksum_header_of_the_wrong_form_is_bad_digest(server: str, s3: Any,
                                                           bucket: str) -> None:
    for wrong in (b64(b"four"), "bad"):
        with pytest.raises(ClientError) as info:
            s3.put_object(Bucket=bucket, Key="short", Body=b"bar", ChecksumXXHASH64=wrong)
        assert code(info) == (400, "BadDigest")
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="short")
    assert code(info)[0] == 404
    assert requests.get(f"{server}/healthcheck", timeout=5).status_code == 200
