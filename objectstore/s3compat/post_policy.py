"""The policy document of an S3 POST Object (browser form) upload, and its signatures.

The form carries `policy`: base64 of a JSON document with `expiration` (ISO 8601, UTC)
and `conditions`, each one of `{"field": "value"}` (exact), `["eq", "$field", "value"]`,
`["starts-with", "$field", "prefix"]` or `["content-length-range", min, max]`. The
signature is over the base64 text itself: SigV4 (`x-amz-signature`, hex HMAC-SHA256 with
the day's key of `x-amz-credential`) or SigV2 (`signature`, base64 HMAC-SHA1 with the
secret). A malformed policy is 400 InvalidPolicyDocument; one the form breaks (expired,
a condition failed, a field no condition covers) is 403 AccessDenied, as S3 answers.
Field names are compared case-insensitively (S3 does), values exactly.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from objectstore.s3compat import s3errors, sigv4

# form fields no condition needs to name (S3's list; x-ignore-* too), and the checksums
# of the file (they only narrow what is accepted)
EXEMPT = frozenset({"policy", "signature", "awsaccesskeyid", "x-amz-signature", "file",
                    "content-md5"})
EXPIRATION_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Condition:
    op: str             # "eq" or "starts-with"
    field: str          # lower case, without the $
    value: str


@dataclass(frozen=True)
class Policy:
    expiration: datetime
    conditions: tuple[Condition, ...]
    length_range: tuple[int, int] | None    # content-length-range, if given
    signed: bool = True         # an unsigned form has no policy: no field needs naming

    def check(self, fields: Mapping[str, str], now: datetime | None = None) -> None:
        """AccessDenied unless `fields` (names in lower case; `bucket` is the bucket
        posted to) meet every condition and each field is named by one."""
        if (now or datetime.now(UTC)) > self.expiration:
            raise _denied("Policy expired.")
        for c in self.conditions:
            value = fields.get(c.field)
            ok = value == c.value if c.op == "eq" else (
                value.startswith(c.value) if value is not None else c.value == "")
            if not ok:
                raise _denied(f'Policy Condition failed: ["{c.op}", "${c.field}", '
                              f'"{c.value}"]')
        named = {c.field for c in self.conditions}
        extra = sorted(f for f in fields if f not in named and f not in EXEMPT
                       and not f.startswith(("x-ignore-", "x-amz-checksum-")))
        if extra and self.signed:
            raise _denied(f"Extra input fields: {', '.join(extra)}")



# the "policy" of a form signed by nobody: no conditions, no expiry
UNSIGNED = Policy(datetime.max.replace(tzinfo=UTC), (), None, signed=False)

def _denied(why: str) -> s3errors.AccessDenied:
    return s3errors.AccessDenied(f"Invalid according to Policy: {why}")


def parse_policy(encoded: str) -> Policy:
    """The decoded policy; InvalidPolicyDocument if it is not one."""
    try:
        doc = json.loads(base64.b64decode(encoded, validate=True))
    except (binascii.Error, ValueError):
        raise s3errors.InvalidPolicyDocument("Invalid Policy: Invalid JSON.") from None
    if not isinstance(doc, dict):
        raise s3errors.InvalidPolicyDocument("Invalid Policy: Invalid JSON.")
    if "expiration" not in doc:
        raise s3errors.InvalidPolicyDocument("Invalid Policy: Policy missing expiration.")
    if not isinstance(doc.get("conditions"), list):
        raise s3errors.InvalidPolicyDocument("Invalid Policy: Policy missing conditions.")
    expiration = _expiration(doc["expiration"])
    conditions: list[Condition] = []
    length_range = None
    for raw in doc["conditions"]:
        if isinstance(raw, list) and raw and str(raw[0]).lower() == "content-length-range":
            length_range = _range(raw)
        else:
            conditions.append(_condition(raw))
    return Policy(expiration, tuple(conditions), length_range)


def _expiration(value: Any) -> datetime:
    for fmt in EXPIRATION_FORMATS:
        try:
            return datetime.strptime(str(value), fmt).replace(tzinfo=UTC)
        except ValueError:
            continue
    raise s3errors.InvalidPolicyDocument("Invalid Policy: Invalid 'expiration' value: "
                                f"'{value}'")


def _condition(raw: Any) -> Condition:
    if isinstance(raw, dict) and len(raw) == 1:
        (name, value), = raw.items()
        if isinstance(value, str):
            return Condition("eq", str(name).lower(), value)
    elif isinstance(raw, list) and len(raw) == 3 and all(isinstance(x, str) for x in raw):
        op, name, value = raw[0].lower(), raw[1], raw[2]
        if op in ("eq", "starts-with") and name.startswith("$"):
            return Condition(op, name[1:].lower(), value)
    raise s3errors.InvalidPolicyDocument(f"Invalid Policy: Invalid Condition: {json.dumps(raw)}")


def _range(raw: list[Any]) -> tuple[int, int]:
    try:
        low, high = (int(x) for x in raw[1:]) if len(raw) == 3 else (None, None)
    except (TypeError, ValueError):
        low = high = None
    if low is None or high is None or low < 0 or high < low:
        raise s3errors.InvalidPolicyDocument("Invalid Policy: Invalid content-length-range: "
                                    f"{json.dumps(raw)}")
    return low, high


def verify_v2(encoded: str, secret: str, signature: str) -> None:
    """SigV2 form signature: base64 HMAC-SHA1 of the policy's base64 text."""
    want = base64.b64encode(hmac.new(secret.encode(), encoded.encode(),
                                     hashlib.sha1).digest()).decode()
    if not hmac.compare_digest(want, signature):
        raise s3errors.SignatureDoesNotMatch()


def verify_v4(encoded: str, secret: str, credential: sigv4.Credential,
              signature: str) -> None:
    """SigV4 form signature: hex HMAC-SHA256 of the policy's base64 text with the
    day's signing key of the credential's scope."""
    want = hmac.new(sigv4.signing_key(secret, credential), encoded.encode(),
                    hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, signature):
        raise s3errors.SignatureDoesNotMatch()
