"""When a signed request says it was made: SigV2's x-amz-date (even an empty one) over
Date, dates S3 cannot read or from before 1970 (AccessDenied), far-off ones
(RequestTimeTooSkewed); SigV4 signed with a Date header instead of X-Amz-Date; a
presigned URL signed to have expired already."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import formatdate
from typing import Any

import boto3
import pytest
import requests
from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.client import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.integration.signed import send


@pytest.fixture
def v2(server: str) -> Iterator[Any]:
    """boto3 signing with Signature V2, as older clients do."""
    c = boto3.client("s3", endpoint_url=server, aws_access_key_id="test:tester",
                     aws_secret_access_key="testing", region_name="us-east-1",
                     config=Config(signature_version="s3"))
    yield c
    c.close()


def with_headers(client: Any, operation: str, headers: dict[str, str]) -> None:
    def add(params: dict[str, Any], **_: Any) -> None:
        params["headers"].update(headers)
    client.meta.events.register(f"before-call.s3.{operation}", add)


def refused(call: Any, **kwargs: Any) -> tuple[int, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    r = info.value.response
    return int(r["ResponseMetadata"]["HTTPStatusCode"]), str(r["Error"]["Code"])


@pytest.mark.parametrize(("amz_date", "expected"), [
    ("", (403, "AccessDenied")),                         # present, empty: no date at all
    ("Bad Date", (403, "AccessDenied")),
    ("Tue, 07 Jul 1950 21:53:04 GMT", (403, "AccessDenied")),       # before 1970
    ("Tue, 07 Jul 2010 21:53:04 GMT", (403, "RequestTimeTooSkewed")),
    ("Tue, 07 Jul 9999 21:53:04 GMT", (403, "RequestTimeTooSkewed")),
])
def test_sigv2_x_amz_date_stands_for_date(v2: Any, bucket: str, amz_date: str,
                                          expected: tuple[int, str]) -> None:
    with_headers(v2, "PutObject", {"x-amz-date": amz_date})
    with_headers(v2, "CreateBucket", {"x-amz-date": amz_date})
    assert refused(v2.put_object, Bucket=bucket, Key="k", Body=b"bar") == expected
    assert refused(v2.create_bucket, Bucket=bucket + "-new") == expected


def test_sigv2_with_a_good_date_still_works(v2: Any, bucket: str) -> None:
    v2.put_object(Bucket=bucket, Key="k", Body=b"bar")
    assert v2.get_object(Bucket=bucket, Key="k")["Body"].read() == b"bar"


def test_sigv4_signed_with_a_date_header(server: str, bucket: str) -> None:
    """botocore's own SigV4 signer signs with Date (and sends no X-Amz-Date) when the
    caller set one, as ceph/s3-tests does; awscrt's, which boto3 prefers when it is
    installed, sends X-Amz-Date beside it."""
    for sent in ({"Date": "now", "X-Amz-Date": "now"}, {"Date": ""}):
        answer = send(server, "PUT", f"/{bucket}/dated", sent, b"bar")
        assert answer.status == 200, answer.body
    answer = send(server, "GET", f"/{bucket}/dated")
    assert (answer.status, answer.body) == (200, b"bar")


def test_sigv4_signed_with_date_by_awscrt(s3: Any, bucket: str) -> None:
    now = formatdate(usegmt=True)
    with_headers(s3, "PutObject", {"Date": now, "X-Amz-Date": now})
    s3.put_object(Bucket=bucket, Key="dated", Body=b"bar")
    assert s3.get_object(Bucket=bucket, Key="dated")["Body"].read() == b"bar"


def test_a_url_presigned_to_have_expired_is_access_denied(server: str, s3: Any,
                                                         bucket: str) -> None:
    """(boto3 with awscrt will not sign a negative expiry; botocore's own signer, which
    ceph/s3-tests runs, does.)"""
    url = presigned_put(f"{server}/{bucket}/late", -1000)
    assert "X-Amz-Expires=-1000" in url
    answer = requests.put(url, data=b"foo", timeout=10)
    assert answer.status_code == 403 and b"<Code>AccessDenied</Code>" in answer.content
    assert refused(s3.head_object, Bucket=bucket, Key="late")[0] == 404
    url = presigned_put(f"{server}/{bucket}/ok", 60)
    assert requests.put(url, data=b"foo", timeout=10).status_code == 200


def presigned_put(url: str, expires: int) -> str:
    req = AWSRequest(method="PUT", url=url)
    S3SigV4QueryAuth(Credentials("test:tester", "testing"), "s3", "us-east-1",
                     expires=expires).add_auth(req)
    return str(req.url)
