"""A query botocore signed as written (its signer, given a URL whose query is already
there, signs `:` unescaped): not AWS's canonical form, so the S3 check refuses it; the
form as sent (the admin API's second try) verifies it, and still nothing altered."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from objectstore.s3compat import s3errors
from objectstore.s3compat.sigv4 import (
    as_sent_query,
    parse_authorization,
    parse_presigned,
    split_query,
    verify,
)

CREDS = Credentials("reseller:root", "rootkey")
URL = "http://127.0.0.1:8080/_admin/v1/usage?since=2026-12-06T00:00:00Z&account=test"


def check(req: AWSRequest, as_sent: bool, sent_query: str | None = None) -> bytes:
    parts = urlsplit(req.url)
    raw = parts.query if sent_query is None else sent_query
    headers = {k.lower(): v for k, v in req.headers.items()}
    headers.setdefault("host", parts.netloc)
    query = split_query(raw)
    presigned = "X-Amz-Signature=" in raw
    signed = parse_presigned(query) if presigned else parse_authorization(headers)
    return verify(req.method, parts.path, query, headers, signed, "rootkey",
                  query_text=as_sent_query(raw, presigned) if as_sent else None)


def signed(url: str = URL) -> AWSRequest:
    req = AWSRequest(method="GET", url=url)
    S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(req)
    return req


def test_botocore_signs_the_colon_unescaped_and_the_as_sent_form_verifies_it() -> None:
    req = signed()
    with pytest.raises(s3errors.SignatureDoesNotMatch):
        check(req, as_sent=False)
    assert len(check(req, as_sent=True)) == 32


def test_the_as_sent_form_still_refuses_an_altered_query() -> None:
    req = signed()
    with pytest.raises(s3errors.SignatureDoesNotMatch):
        check(req, True, "since=2026-12-01T00:00:00Z&account=test")
    with pytest.raises(s3errors.SignatureDoesNotMatch):
        check(req, True, "since=2026-12-06T00:00:00Z&account=other")
    with pytest.raises(s3errors.SignatureDoesNotMatch):
        check(req, True, "since=2026-12-06T00%3A00%3A00Z&account=test&x=1")


def test_an_encoded_query_verifies_either_way() -> None:
    req = signed(URL.replace(":00:00Z", "%3A00%3A00Z"))
    assert check(req, as_sent=False) == check(req, as_sent=True)


def test_a_presigned_url_leaves_its_signature_out_of_the_as_sent_form() -> None:
    req = AWSRequest(method="GET", url=URL)
    S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=60).add_auth(req)
    assert len(check(req, as_sent=True)) == 32
    assert "X-Amz-Signature" not in as_sent_query(urlsplit(req.url).query, True)
