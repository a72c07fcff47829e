"""Signature V2 checked against botocore's own V2 signers (header and query)."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
from botocore.auth import HmacV1Auth, HmacV1QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from objectstore.s3compat.s3errors import S3Error
from objectstore.s3compat.sigv2 import parse_v2, verify_v2
from objectstore.s3compat.sigv4 import split_query

CREDS = Credentials("test:tester", "testing")


def check(req: AWSRequest, secret: str = "testing", now: float | None = None) -> None:
    parts = urlsplit(req.url)
    headers = {k.lower(): v for k, v in req.headers.items()}
    query = split_query(parts.query)
    v2 = parse_v2(headers, query)
    assert v2 is not None
    verify_v2(req.method, parts.path, query, headers, v2, secret, now)


def test_header_form() -> None:
    req = AWSRequest(method="PUT", url="http://h/bucket/a%20b?acl",
                     headers={"Content-Type": "text/plain", "x-amz-meta-k": "v"}, data=b"x")
    HmacV1Auth(CREDS).add_auth(req)
    check(req)
    with pytest.raises(S3Error):
        check(req, secret="wrong")
    with pytest.raises(S3Error) as info:
        check(req, now=time.time() + 3600)
    assert info.value.code == "RequestTimeTooSkewed"


def test_query_form_and_expiry() -> None:
    req = AWSRequest(method="GET", url="http://h/bucket/key")
    HmacV1QueryAuth(CREDS, expires=60).add_auth(req)
    check(req)
    with pytest.raises(S3Error) as info:
        check(req, now=time.time() + 120)
    assert str(info.value) == "Request has expired"
