"""AWS Signature Version 4, as S3 checks it: in the Authorization header or in a
presigned URL's query. Pure functions over a parsed request; no I/O.

The signature covers a canonical form of the request: method, path exactly as sent
(S3 does not re-encode it), sorted query, the signed headers, and the payload hash the
client declared (`x-amz-content-sha256`, or UNSIGNED-PAYLOAD / a STREAMING-* marker).
Whether the body matches that declared hash is checked while it streams in, elsewhere.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import quote

from objectstore.s3compat import s3errors
from objectstore.s3compat.uri import lossless

# Query parameters that authenticate a request (presigned V4 and V2 URLs), never an
# operation's own parameters.
# (botocore's SigV2 presigned URLs also carry the signed Content-Type / Content-MD5 as
# `content-type` / `content-md5`: the request's own headers are what the signature
# covers and what is stored)
QUERY_AUTH_PARAMS = frozenset({"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
                               "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature",
                               "X-Amz-Security-Token", "AWSAccessKeyId", "Signature",
                               "Expires", "content-type", "content-md5"})
ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = 15 * 60
MAX_EXPIRES = 7 * 24 * 3600
UNSIGNED = "UNSIGNED-PAYLOAD"


@dataclass(frozen=True)
class Credential:
    access_key: str
    date: str           # YYYYMMDD
    region: str
    service: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/aws4_request"


@dataclass(frozen=True)
class SignedRequest:
    """What a signature claims: who signed, when, over which headers."""

    credential: Credential
    amz_date: str                   # YYYYMMDDTHHMMSSZ
    signed_headers: tuple[str, ...]
    signature: str
    payload_hash: str               # as declared; UNSIGNED-PAYLOAD for presigned URLs
    presigned: bool = False
    expires: int = 0


def _parse_credential(text: str) -> Credential:
    parts = text.split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise s3errors.AuthorizationHeaderMalformed(
            f"the credential '{text}' is not well formed")
    return Credential(*parts[:4])


def parse_authorization(headers: Mapping[str, str]) -> SignedRequest:
    """From `Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..`."""
    value = headers.get("authorization", "")
    algorithm, _, rest = value.partition(" ")
    if algorithm != ALGORITHM:
        raise s3errors.AuthorizationHeaderMalformed("unsupported algorithm")
    fields = {}
    for item in rest.split(","):
        key, _, val = item.strip().partition("=")
        fields[key] = val
    try:
        credential = _parse_credential(fields["Credential"])
        signed = tuple(fields["SignedHeaders"].split(";"))
        signature = fields["Signature"]
    except KeyError as exc:
        raise s3errors.AuthorizationHeaderMalformed(
            f"the authorization header lacks {exc.args[0]}") from None
    amz_date = headers.get("x-amz-date") or date_as_amz(headers.get("date", ""))
    payload = headers.get("x-amz-content-sha256", "")
    if not payload:
        raise s3errors.InvalidRequest("missing x-amz-content-sha256")
    return SignedRequest(credential, amz_date, signed, signature, payload)


def date_as_amz(date: str) -> str:
    """A request signed with a Date header instead of X-Amz-Date (SigV4 allows either;
    botocore signs with Date when the caller set one): its time in X-Amz-Date's form,
    which the string to sign carries. '' when there is none (refused later)."""
    try:
        when = parsedate_to_datetime(date)
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.strftime("%Y%m%dT%H%M%SZ")     # ("-0000": UTC, said without a zone)


def parse_presigned(query: Sequence[tuple[str, str]]) -> SignedRequest:
    q = dict(query)
    if q.get("X-Amz-Algorithm") != ALGORITHM:
        raise s3errors.AuthorizationQueryParametersError("unsupported algorithm")
    try:
        credential = _parse_credential(q["X-Amz-Credential"])
        expires = int(q["X-Amz-Expires"])
        return SignedRequest(credential, q["X-Amz-Date"],
                             tuple(q["X-Amz-SignedHeaders"].split(";")),
                             q["X-Amz-Signature"], UNSIGNED, presigned=True, expires=expires)
    except (KeyError, ValueError) as exc:
        raise s3errors.AuthorizationQueryParametersError(
            f"bad or missing presign parameter {exc}") from None


def _uri_encode(text: str) -> str:
    """AWS's canonical form of a query name or value: every byte but the unreserved
    ones as %XX (upper case), whatever encoding the client used; bytes that are not
    UTF-8 are signed as themselves (they reach here as surrogateescape)."""
    if not text.rstrip(_UNRESERVED):
        return text         # nothing to escape (most names and values of a query)
    return quote(text.encode("utf-8", "surrogateescape"), safe="-_.~")


_UNRESERVED = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~"


def canonical_query(query: Sequence[tuple[str, str]], presigned: bool) -> str:
    pairs = [(_uri_encode(k), _uri_encode(v)) for k, v in query
             if not (presigned and k == "X-Amz-Signature")]
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def as_sent_query(raw_query: str, presigned: bool) -> str:
    """The query as the client wrote it, its pairs sorted: what botocore's signer signs
    for a URL whose query it was given already written (a `:` left as it is, where
    AWS's canonical form has `%3A`). Only the admin API accepts it, as a second try."""
    pairs = []
    for item in raw_query.split("&") if raw_query else []:
        key, _, value = item.partition("=")
        if not (presigned and key == "X-Amz-Signature"):
            pairs.append((key, value))
    return "&".join(f"{k}={v}" for k, v in sorted(pairs))


def canonical_request(method: str, raw_path: str, query: Sequence[tuple[str, str]],
                      headers: Mapping[str, str], signed: SignedRequest,
                      query_text: str | None = None) -> str:
    """`query_text`: the canonical query to sign instead of `query`'s (as_sent_query)."""
    lines = []
    for name in signed.signed_headers:
        value = headers.get(name)
        if value is None:
            raise s3errors.SignatureDoesNotMatch(f"signed header {name} is missing")
        lines.append(f"{name}:{' '.join(_raw(value).strip().split())}")
    return "\n".join([method, raw_path or "/", query_text if query_text is not None
                      else canonical_query(query, signed.presigned),
                      "\n".join(lines) + "\n", ";".join(signed.signed_headers),
                      signed.payload_hash])


def _raw(value: str) -> str:
    """A header value as the client's bytes: servers hand headers over decoded as
    latin-1, clients sign their UTF-8 (e.g. non-ASCII metadata). Undecodable bytes stay
    themselves through surrogateescape."""
    return value.encode("latin-1", "replace").decode("utf-8", "surrogateescape")


def signing_key(secret: str, credential: Credential) -> bytes:
    """The day's key of a secret (four HMACs): the same for every request of that day,
    region and service, so it is derived once and remembered."""
    return _signing_key(secret, credential.date, credential.region, credential.service)


@functools.lru_cache(maxsize=128)     # bounded: region and service are the client's
def _signing_key(secret: str, date: str, region: str, service: str) -> bytes:
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def string_to_sign(amz_date: str, credential: Credential, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8", "surrogateescape")).hexdigest()
    return "\n".join([ALGORITHM, amz_date, credential.scope, digest])


def check_all_amz_signed(headers: Mapping[str, str], signed: SignedRequest) -> None:
    """SigV4 signs every x-amz-* header a request carries (AWS requires it): one added
    on the way would otherwise be stored, or change what the request does, unnoticed."""
    unsigned = sorted(k for k in headers
                      if k.startswith("x-amz-") and k not in signed.signed_headers)
    if unsigned:
        raise s3errors.AccessDenied("There were headers present in the request which "
                                    "were not signed",
                                    HeadersNotSigned=", ".join(unsigned))


def request_time(amz_date: str) -> datetime:
    try:
        if len(amz_date) == 16 and amz_date[8] == "T" and amz_date[15] == "Z" and \
                (digits := amz_date[:8] + amz_date[9:15]).isascii() and digits.isdigit():
            # the form every client sends, read without strptime (~10 us a request);
            # out-of-range fields are a ValueError here as there
            return datetime(int(digits[:4]), int(digits[4:6]), int(digits[6:8]),
                            int(digits[8:10]), int(digits[10:12]), int(digits[12:]),
                            tzinfo=UTC)
        return datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise s3errors.AccessDenied("missing or bad X-Amz-Date") from None


def verify(method: str, raw_path: str, query: Sequence[tuple[str, str]],
           headers: Mapping[str, str], signed: SignedRequest, secret: str,
           now: datetime | None = None, query_text: str | None = None) -> bytes:
    """Check time, signed headers and signature; returns the signing key (chunk
    signatures need it). `headers`: lower-case names, repeated ones joined by ','.
    `query_text`: the canonical query signed, when not `query`'s (as_sent_query)."""
    check_all_amz_signed(headers, signed)
    when = request_time(signed.amz_date)
    now = now or datetime.now(UTC)
    if signed.credential.date != signed.amz_date[:8]:
        raise s3errors.SignatureDoesNotMatch("credential date is not the request's")
    if signed.presigned:
        if signed.expires < 0:         # signed to have expired already (as RGW reads it)
            raise s3errors.AccessDenied("Request has expired")
        if not 0 < signed.expires <= MAX_EXPIRES:
            raise s3errors.AuthorizationQueryParametersError(
                "X-Amz-Expires must be between 1 second and 7 days")
        if (now - when).total_seconds() > signed.expires:
            raise s3errors.AccessDenied("Request has expired")
        if (when - now).total_seconds() > MAX_SKEW:
            raise s3errors.RequestTimeTooSkewed("the request time is in the future")
    elif abs((now - when).total_seconds()) > MAX_SKEW:
        raise s3errors.RequestTimeTooSkewed()
    key = signing_key(secret, signed.credential)
    canonical = canonical_request(method, raw_path, query, headers, signed, query_text)
    expected = hmac.new(key, string_to_sign(signed.amz_date, signed.credential,
                                            canonical).encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signed.signature):
        raise s3errors.SignatureDoesNotMatch()
    return key


def joined_headers(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Request headers by lower-case name, a repeated header's values joined by ',' (as
    both signature versions read them): a copy added after signing changes the value."""
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        out[key] = f"{out[key]},{value}" if key in out else value
    return out


def split_query(raw_query: str) -> list[tuple[str, str]]:
    """Query pairs decoded once, keeping blanks (`?uploads` is ('uploads', '')), and
    losslessly: a byte that is not UTF-8 is kept (as surrogateescape) so the signature
    is checked over what the client signed; `uri.strict_pairs` refuses it afterwards."""
    pairs = []
    for item in raw_query.split("&") if raw_query else []:
        key, _, value = item.partition("=")
        pairs.append((lossless(key.replace("+", "%20")), lossless(value.replace("+", "%20"))))
    return pairs
