"""Who sends a request and how, as every request's condition keys say it -- an S3
request's (s3compat/policy_requests.py adds the keys of each S3 action) or a Swift
request's, evaluated against the same bucket policy."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from objectstore.proxy.policy.principals import Requester


@dataclass(frozen=True)
class Caller:
    """Who sends the request and how: `signature_version` "AWS" (V2) or
    "AWS4-HMAC-SHA256", `auth_type` "REST-HEADER", "REST-QUERY-STRING" or "POST" (both
    None when anonymous); `bucket_owner` the account owning the bucket."""

    requester: Requester
    source_ip: str | None = None
    secure: bool = False
    signature_version: str | None = None
    auth_type: str | None = None
    bucket_owner: str | None = None
    region: str = "us-east-1"


def common_keys(names: Mapping[str, str], caller: Caller, now: float | None
                ) -> dict[str, tuple[str, ...]]:
    """The keys every request has: time, transport, where from, who, how signed."""
    moment = time.time() if now is None else now
    who = caller.requester
    keys: dict[str, tuple[str, ...]] = {
        "aws:currenttime": (datetime.fromtimestamp(moment, UTC).strftime(
            "%Y-%m-%dT%H:%M:%SZ"),),
        "aws:epochtime": (str(int(moment)),),
        "aws:securetransport": ("true" if caller.secure else "false",),
        "aws:requestedregion": (caller.region,),
    }
    if caller.source_ip:
        keys["aws:sourceip"] = (caller.source_ip,)
    for header, name in (("referer", "aws:referer"), ("user-agent", "aws:useragent"),
                         ("x-amz-content-sha256", "s3:x-amz-content-sha256")):
        if header in names:
            keys[name] = (names[header],)
    if caller.signature_version:
        keys["s3:signatureversion"] = (caller.signature_version,)
    if caller.auth_type:
        keys["s3:authtype"] = (caller.auth_type,)
    if caller.bucket_owner:
        keys["s3:resourceaccount"] = (caller.bucket_owner,)
    keys.update(principal_keys(who))
    return keys


def principal_keys(who: Requester) -> dict[str, tuple[str, ...]]:
    """aws:PrincipalType and aws:userid for everyone (anonymous requests included);
    aws:username for a user; aws:PrincipalAccount and aws:PrincipalArn when signed."""
    if who.service is not None:
        return {"aws:principaltype": ("AWSService",), "aws:principalisawsservice": ("true",),
                "aws:principalservicename": (who.service,)}
    if who.account is None:
        return {"aws:principaltype": ("Anonymous",), "aws:userid": ("anonymous",),
                "aws:principalisawsservice": ("false",)}
    keys: dict[str, tuple[str, ...]] = {
        "aws:principalaccount": (who.account,), "aws:principalarn": (who.arn or "",),
        "aws:principalisawsservice": ("false",)}
    if who.user is None:
        keys.update({"aws:principaltype": ("Account",), "aws:userid": (who.account,)})
    else:
        keys.update({"aws:principaltype": ("User",), "aws:username": (who.user,),
                     "aws:userid": (f"{who.account}:{who.user}",)})
    return keys
