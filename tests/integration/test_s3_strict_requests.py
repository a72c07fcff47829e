"""Requests S3 must refuse rather than bend, sent raw (signed by botocore) to a real
`objectstore serve`: names that are not UTF-8, headers nobody signed."""

from __future__ import annotations

import os
from typing import Any

import boto3
import pytest
import requests
from botocore.client import Config

from tests.integration.signed import send


@pytest.fixture
def bucket(server: str) -> str:
    name = f"strict-{os.urandom(4).hex()}"
    assert send(server, "PUT", f"/{name}").status == 200
    return name


def boto(server: str, **config: str) -> object:
    return boto3.client("s3", endpoint_url=server, aws_access_key_id="test:tester",
                        aws_secret_access_key="testing", region_name="us-east-1",
                        config=Config(**config))  # type: ignore[arg-type]


def listed(server: str, bucket: str) -> list[str]:
    s3: Any = boto(server)
    try:
        return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    finally:
        s3.close()


def test_a_key_that_is_not_utf8_is_refused(server: str, bucket: str) -> None:
    """`%ff` and `%fe` must not both become U+FFFD (one key for two names)."""
    for key in ("%FF", "%FE", "a%C3", "%ED%A0%80", "%C0%AF"):   # overlong and surrogate too
        answer = send(server, "PUT", f"/{bucket}/{key}", body=b"x")
        assert (answer.status, answer.code) == (400, "InvalidURI"), key
        answer = send(server, "GET", f"/{bucket}/{key}")
        assert (answer.status, answer.code) == (400, "InvalidURI"), key
    assert listed(server, bucket) == []
    # U+FFFD itself, sent as its UTF-8, is an ordinary key
    assert send(server, "PUT", f"/{bucket}/%EF%BF%BD", body=b"y").status == 200
    assert send(server, "GET", f"/{bucket}/%EF%BF%BD").body == b"y"
    assert listed(server, bucket) == ["\ufffd"]


def test_a_bucket_name_or_query_that_is_not_utf8_is_refused(server: str, bucket: str
                                                             ) -> None:
    for target in ("/b%FFcket", "/b%FFcket/key", f"/{bucket}?prefix=%FF",
                   f"/{bucket}?list-type=2&start-after=%FE"):
        answer = send(server, "GET", target)
        assert (answer.status, answer.code) == (400, "InvalidURI"), target
    answer = send(server, "PUT", "/b%FFcket")
    assert (answer.status, answer.code) == (400, "InvalidURI")


def test_a_copy_source_that_is_not_utf8_is_refused(server: str, bucket: str) -> None:
    answer = send(server, "PUT", f"/{bucket}/copy",
                  {"x-amz-copy-source": f"/{bucket}/%FF"})
    assert (answer.status, answer.code) == (400, "InvalidArgument")
    assert listed(server, bucket) == []


def test_an_amz_header_added_after_signing_is_refused(server: str, bucket: str) -> None:
    """SigV4 signs every x-amz-* header: one added on the way changes nothing."""
    for added in ({"x-amz-meta-evil": "1"}, {"x-amz-storage-class": "STANDARD"},
                  {"x-amz-copy-source": f"/{bucket}/other"},    # would make it a copy
                  {"X-Amz-Tagging": "a=b"}):
        answer = send(server, "PUT", f"/{bucket}/k", {"content-type": "text/plain"},
                      b"body", after_signing=added)
        assert (answer.status, answer.code) == (403, "AccessDenied"), added
        assert b"<HeadersNotSigned>" + next(iter(added)).lower().encode() in answer.body
        assert send(server, "DELETE", f"/{bucket}", after_signing=added).status == 403
    assert listed(server, bucket) == []
    # the same headers, signed, are the client's own
    answer = send(server, "PUT", f"/{bucket}/k", {"x-amz-meta-fine": "1"}, b"body")
    assert answer.status == 200
    assert send(server, "HEAD", f"/{bucket}/k").headers["x-amz-meta-fine"] == "1"


def test_a_signed_header_repeated_after_signing_is_refused(server: str, bucket: str
                                                           ) -> None:
    """A second copy of a signed header is part of it (values joined by ','), so the
    signature no longer matches -- whichever copy the server would have stored."""
    for name in ("x-amz-meta-a", "content-type"):
        for first in (False, True):
            answer = send(server, "PUT", f"/{bucket}/k", {name: "signed"}, b"body",
                          after_signing={name: "added"}, added_first=first)
            assert (answer.status, answer.code) == (403, "SignatureDoesNotMatch"), name
    assert listed(server, bucket) == []


def test_presigned_url_refuses_unsigned_amz_headers(server: str, bucket: str) -> None:
    s3: Any = boto(server, signature_version="s3v4")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "p"})
    answer = requests.put(url, data=b"x", headers={"x-amz-meta-evil": "1"}, timeout=10)
    assert answer.status_code == 403 and b"<HeadersNotSigned>x-amz-meta-evil" in \
        answer.content
    assert listed(server, bucket) == []
    signed_meta = s3.generate_presigned_url("put_object", Params={
        "Bucket": bucket, "Key": "p", "Metadata": {"ok": "yes"}})
    assert requests.put(signed_meta, data=b"x", headers={"x-amz-meta-ok": "yes"},
                        timeout=10).status_code == 200
    assert listed(server, bucket) == ["p"]
    s3.close()


def test_sigv2_signs_every_amz_header(server: str, bucket: str) -> None:
    """SigV2's string to sign holds every x-amz-* header: one added fails the check."""
    answer = send(server, "PUT", f"/{bucket}/v2", {"x-amz-meta-a": "1"}, b"body",
                  after_signing={"x-amz-meta-evil": "1"}, v2=True)
    assert (answer.status, answer.code) == (403, "SignatureDoesNotMatch")
    s3: Any = boto(server, signature_version="s3")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "v2"})
    answer = requests.put(url, data=b"x", headers={"x-amz-meta-evil": "1"}, timeout=10)
    assert answer.status_code == 403 and b"SignatureDoesNotMatch" in answer.content
    assert listed(server, bucket) == []
    assert send(server, "PUT", f"/{bucket}/v2", {"x-amz-meta-a": "1"}, b"body",
                v2=True).status == 200
    assert requests.put(url, data=b"x", timeout=10).status_code == 200
    s3.close()
