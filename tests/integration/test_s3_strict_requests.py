"""Requests S3 must refuse rather than bend, sent raw (signed by botocore) to a real
`objectstore serve`: names that are not UTF-8."""

from __future__ import annotations

import os

import boto3
import pytest

from tests.integration.signed import send


@pytest.fixture
def bucket(server: str) -> str:
    name = f"strict-{os.urandom(4).hex()}"
    assert send(server, "PUT", f"/{name}").status == 200
    return name


def listed(server: str, bucket: str) -> list[str]:
    s3 = boto3.client("s3", endpoint_url=server, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1")
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
