"""AWS Signature Version 2 (header `Authorization: AWS key:sig` and query
`AWSAccessKeyId/Expires/Signature`), which older clients and boto3's default presigned
URLs still use. HMAC-SHA1 over verb, Content-MD5, Content-Type, date or expiry, the
x-amz-* headers and the resource with its sub-resources."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC
from email.utils import parsedate_to_datetime

from objectstore.s3compat import s3errors
from objectstore.s3compat.sigv4 import MAX_SKEW

SUBRESOURCES = frozenset({
    "acl", "cors", "delete", "lifecycle", "location", "logging", "notification",
    "partNumber", "policy", "requestPayment", "restore", "tagging", "torrent", "uploadId",
    "uploads", "versionId", "versioning", "versions", "website",
    "response-cache-control", "response-content-disposition", "response-content-encoding",
    "response-content-language", "response-content-type", "response-expires"})


@dataclass(frozen=True)
class V2Request:
    access_key: str
    signature: str
    expires: int | None      # query form only


def parse_v2(headers: Mapping[str, str], query: Sequence[tuple[str, str]]) -> V2Request | None:
    auth = headers.get("authorization", "")
    if auth.startswith("AWS "):
        key, _, sig = auth[4:].rpartition(":")     # access keys may hold ":"
        if not key or not sig:
            raise s3errors.AccessDenied("malformed AWS authorization header")
        return V2Request(key.strip(), sig.strip(), None)
    q = dict(query)
    if "AWSAccessKeyId" in q and "Signature" in q:
        try:
            return V2Request(q["AWSAccessKeyId"], q["Signature"], int(q["Expires"]))
        except (KeyError, ValueError):
            raise s3errors.AccessDenied("bad or missing Expires") from None
    return None


def string_to_sign(method: str, raw_path: str, query: Sequence[tuple[str, str]],
                   headers: Mapping[str, str], v2: V2Request) -> str:
    amz = sorted((k.lower(), " ".join(v.strip().split())) for k, v in headers.items()
                 if k.lower().startswith("x-amz-"))
    if v2.expires is not None:
        date = str(v2.expires)
    else:
        date = "" if "x-amz-date" in headers else headers.get("date", "")
    subs = sorted((k, v) for k, v in query if k in SUBRESOURCES)
    resource = raw_path or "/"
    if subs:
        resource += "?" + "&".join(f"{k}={v}" if v else k for k, v in subs)
    lines = [method, headers.get("content-md5", ""), headers.get("content-type", ""), date]
    lines += [f"{k}:{v}" for k, v in amz]
    return "\n".join([*lines, resource])


def request_time(headers: Mapping[str, str]) -> float:
    """When a header-signed request was made: its x-amz-date when it has one (even an
    empty one: it then stands for Date in what is signed), else its Date. A date that
    cannot be read, or one before 1970, is AccessDenied, as RGW answers; one merely far
    off is RequestTimeTooSkewed (the caller's check)."""
    stamp = headers["x-amz-date"] if "x-amz-date" in headers else headers.get("date", "")
    try:
        parsed = parsedate_to_datetime(stamp)
        # "-0000" (botocore's Date) is UTC said without a zone: never local time
        when = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()
    except (TypeError, ValueError, IndexError, OverflowError):
        raise s3errors.AccessDenied("missing or bad Date") from None
    if when < 0:
        raise s3errors.AccessDenied("the request's date is before 1970")
    return when


def verify_v2(method: str, raw_path: str, query: Sequence[tuple[str, str]],
              headers: Mapping[str, str], v2: V2Request, secret: str,
              now: float | None = None) -> None:
    current = time.time() if now is None else now
    if v2.expires is not None:
        if current > v2.expires:
            raise s3errors.AccessDenied("Request has expired")
    else:
        if abs(current - request_time(headers)) > MAX_SKEW:
            raise s3errors.RequestTimeTooSkewed()
    # botocore signs a bucket's own resource as "/bucket/" even when it sends "/bucket"
    paths = [raw_path]
    if raw_path.count("/") == 1 and len(raw_path) > 1:
        paths.append(raw_path + "/")
    matches = False
    for path in paths:
        text = string_to_sign(method, path, query, headers, v2)
        expected = base64.b64encode(hmac.new(secret.encode(),
                                             text.encode("utf-8", "surrogateescape"),
                                             hashlib.sha1).digest()).decode()
        matches |= hmac.compare_digest(expected, v2.signature)
    if not matches:
        raise s3errors.SignatureDoesNotMatch()
