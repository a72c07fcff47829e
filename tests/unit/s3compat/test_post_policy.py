"""POST Object policy documents: what is a policy, which forms meet one, signatures."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from objectstore.s3compat import sigv4
from objectstore.s3compat.post_policy import parse_policy, verify_v2, verify_v4
from objectstore.s3compat.s3errors import S3Error

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def encoded(doc: Any) -> str:
    return base64.b64encode(json.dumps(doc).encode()).decode()


def policy_of(*conditions: Any, expiration: str = "2026-12-01T13:00:00Z") -> str:
    return encoded({"expiration": expiration, "conditions": list(conditions)})


def code(call: Any, *args: Any) -> tuple[int, str]:
    with pytest.raises(S3Error) as info:
        call(*args)
    return info.value.status, info.value.code


@pytest.mark.parametrize("doc", [
    {"conditions": []},                                     # no expiration
    {"EXPIRATION": "2026-12-01T13:00:00Z", "conditions": []},
    {"expiration": "2026-12-01T13:00:00Z"},                 # no conditions
    {"expiration": "2026-12-01T13:00:00Z", "CONDITIONS": []},
    {"expiration": "2026-12-01 13:00:00+00:00", "conditions": []},
    {"expiration": "2026-12-01T13:00:00Z", "conditions": [{}]},
    {"expiration": "2026-12-01T13:00:00Z", "conditions": [["content-length-range", 0]]},
    {"expiration": "2026-12-01T13:00:00Z", "conditions": [["content-length-range", -1, 0]]},
    {"expiration": "2026-12-01T13:00:00Z", "conditions": [["content-length-range", 5, 1]]},
    {"expiration": "2026-12-01T13:00:00Z", "conditions": [["in", "$key", "x"]]},
    {"expiration": "2026-12-01T13:00:00Z", "conditions": [["eq", "key", "x"]]},
    [],
])
def test_malformed_policies_are_400(doc: Any) -> None:
    assert code(parse_policy, encoded(doc)) == (400, "InvalidPolicyDocument")


def test_not_base64_json_is_400() -> None:
    assert code(parse_policy, "%%%") == (400, "InvalidPolicyDocument")
    assert code(parse_policy, base64.b64encode(b"{nope").decode()) == \
        (400, "InvalidPolicyDocument")


def test_conditions_are_met_or_denied() -> None:
    policy = parse_policy(policy_of({"bUcKeT": "b"}, ["StArTs-WiTh", "$KeY", "up/"],
                                    ["eq", "$x-amz-meta-n", "1"], ["starts-with", "$tag", ""],
                                    ["content-length-range", "1", "10"],
                                    expiration="2026-12-01T13:00:00.000Z"))
    assert policy.length_range == (1, 10)
    fine = {"bucket": "b", "key": "up/x", "x-amz-meta-n": "1", "policy": "p",
            "x-ignore-this": "1", "x-amz-checksum-crc32": "c"}
    policy.check(fine, NOW)
    policy.check({**fine, "tag": "anything"}, NOW)
    for fields in ({**fine, "key": "down/x"}, {**fine, "x-amz-meta-n": "2"},
                   {**fine, "bucket": "other"}, {**fine, "extra": "x"},
                   {k: v for k, v in fine.items() if k != "x-amz-meta-n"}):
        assert code(policy.check, fields, NOW) == (403, "AccessDenied")
    later = datetime(2026, 12, 1, 13, 0, 1, tzinfo=UTC)
    assert code(policy.check, fine, later) == (403, "AccessDenied")


def test_signatures() -> None:
    text = policy_of()
    v2 = base64.b64encode(hmac.new(b"secret", text.encode(), hashlib.sha1).digest()).decode()
    verify_v2(text, "secret", v2)
    assert code(verify_v2, text, "other", v2) == (403, "SignatureDoesNotMatch")
    credential = sigv4.Credential("ak", "20261201", "us-east-1", "s3")
    key = sigv4.signing_key("secret", credential)
    v4 = hmac.new(key, text.encode(), hashlib.sha256).hexdigest()
    verify_v4(text, "secret", credential, v4)
    assert code(verify_v4, text + "x", "secret", credential, v4) \
        == (403, "SignatureDoesNotMatch")
