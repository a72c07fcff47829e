"""SigV4 checked against signatures made by botocore itself (the real client code)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from botocore.auth import S3SigV4Auth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from objectstore.s3compat.s3errors import S3Error
from objectstore.s3compat.sigv4 import (
    canonical_query,
    joined_headers,
    parse_authorization,
    parse_presigned,
    request_time,
    split_query,
    verify,
)

CREDS = Credentials("test:tester", "testing")


def signed_request(method: str = "PUT", url: str = "http://127.0.0.1:8080/bucket/a%20b/c?x=1&y",
                   body: bytes = b"hello", presign: int = 0,
                   headers: dict[str, str] | None = None) -> AWSRequest:
    req = AWSRequest(method=method, url=url, data=body, headers=headers or {})
    if presign:
        S3SigV4QueryAuth(CREDS, "s3", "us-east-1", expires=presign).add_auth(req)
    else:
        req.context["payload_signing_enabled"] = True
        S3SigV4Auth(CREDS, "s3", "us-east-1").add_auth(req)
    return req


def check(req: AWSRequest, secret: str = "testing", now: dt.datetime | None = None,
          tamper: dict[str, str] | None = None) -> bytes:
    parts = urlsplit(req.url)
    headers = {k.lower(): v for k, v in req.headers.items()}
    headers.setdefault("host", parts.netloc)
    headers.update(tamper or {})
    query = split_query(parts.query)
    signed = (parse_presigned(query) if "X-Amz-Signature=" in parts.query
              else parse_authorization(headers))
    return verify(req.method, parts.path, query, headers, signed, secret, now)


def test_header_signature_from_botocore_verifies() -> None:
    req = signed_request()
    assert len(check(req)) == 32


def test_wrong_secret_or_altered_request_is_refused() -> None:
    req = signed_request()
    with pytest.raises(S3Error) as info:
        check(req, secret="nope")
    assert info.value.code == "SignatureDoesNotMatch"
    with pytest.raises(S3Error):
        check(req, tamper={"x-amz-content-sha256": "0" * 64})
    with pytest.raises(S3Error):
        check(req, tamper={"host": "evil:1"})


def test_skewed_clock() -> None:
    req = signed_request()
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    with pytest.raises(S3Error) as info:
        check(req, now=later)
    assert info.value.code == "RequestTimeTooSkewed"
    check(req, now=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=14))


def test_presigned_urls() -> None:
    req = signed_request("GET", "http://127.0.0.1:8080/bucket/key%2Bplus", b"", presign=60)
    check(req)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=120)
    with pytest.raises(S3Error) as info:
        check(req, now=later)
    assert str(info.value) == "Request has expired" and info.value.code == "AccessDenied"


def test_malformed_authorization() -> None:
    for value in ("AWS4-HMAC-SHA256 Credential=x", "Basic abc",
                  "AWS4-HMAC-SHA256 Credential=a/b/c/s3/nope, SignedHeaders=host, Signature=0"):
        with pytest.raises(S3Error):
            parse_authorization({"authorization": value, "x-amz-content-sha256": "x"})


@pytest.mark.parametrize("presign", [0, 300])
def test_an_unsigned_amz_header_is_refused(presign: int) -> None:
    req = signed_request(presign=presign, body=b"" if presign else b"hello",
                         headers=None if presign else {"x-amz-meta-signed": "1"})
    check(req)
    with pytest.raises(S3Error) as info:
        check(req, tamper={"x-amz-meta-added": "1", "x-amz-acl": "public-read"})
    assert info.value.code == "AccessDenied"
    assert info.value.details == {"HeadersNotSigned": "x-amz-acl, x-amz-meta-added"}


def test_repeated_headers_are_joined() -> None:
    pairs = [("Content-Type", "a"), ("x-amz-meta-k", "1"), ("content-type", "b")]
    assert joined_headers(pairs) == {"content-type": "a,b", "x-amz-meta-k": "1"}


@pytest.mark.parametrize("query", ["marker=%FF", "prefix=%C3%A9&marker=%FE%FF",
                                   "a%00b=%ED%A0%80"])
def test_a_query_that_is_not_utf8_is_signed_over_its_bytes(query: str) -> None:
    """SigV4 canonicalises each byte as %XX: `%FF` is signed as `%FF`, not as the
    %EF%BF%BD of a U+FFFD a lenient decoder would make of it. (botocore's presigner
    re-encodes such a query as U+FFFD itself, so only the header form sends bytes.)"""
    check(signed_request("GET", f"http://127.0.0.1:8080/bucket?{query}", b""))


def test_the_canonical_query_encodes_each_byte() -> None:
    pairs = split_query("marker=%ff&b=%C3%A9+x&uploads")
    assert canonical_query(pairs, presigned=False) == "b=%C3%A9%20x&marker=%FF&uploads="


@pytest.mark.parametrize("amz_date", [
    "20261201T100000Z", "20240229T235959Z", "20260229T000000Z", "20261301T000000Z",
    "20260132T000000Z", "20260101T240000Z", "20260101T235960Z", "00001201T100000Z",
    "2026121T100000Z", "20261201T100000z", "20261201 100000Z", "2026-12-01T10:00:00Z",
    "\u0662\u0660\u0662\u0666" "1201T100000Z", ""])
def test_request_time_reads_what_strptime_reads(amz_date: str) -> None:
    """The fast reading of the usual form agrees with strptime's, refusals included."""
    try:
        expected = dt.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        with pytest.raises(S3Error):
            request_time(amz_date)
        return
    assert request_time(amz_date) == expected


def test_a_request_signed_with_date_instead_of_x_amz_date() -> None:
    """botocore signs with the Date header (and sends no X-Amz-Date) when one is set;
    its time is held to the same skew as X-Amz-Date's."""
    req = signed_request(headers={"Date": "set by the caller"})
    assert "X-Amz-Date" not in req.headers and req.headers["Date"].endswith("-0000")
    assert len(check(req)) == 32
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    with pytest.raises(S3Error) as info:
        check(req, now=later)
    assert info.value.code == "RequestTimeTooSkewed"
    with pytest.raises(S3Error) as info:             # neither header: no time at all
        check(req, tamper={"date": "not a date"})
    assert info.value.code == "AccessDenied"
