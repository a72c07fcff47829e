"""Whether a policy is "public", as S3 decides it for GetBucketPolicyStatus and
BlockPublicPolicy: an Allow to everyone (`*`) is public unless a condition narrows it
to fixed values (no wildcard, no policy variable) of a key that names who or where
from: aws:SourceIp ranges no broader than /8 (IPv4; private ranges are never broad) or
/32 (IPv6), aws:SourceArn, aws:SourceVpc, aws:SourceVpce, aws:SourceOwner,
aws:SourceAccount, aws:PrincipalOrgID, aws:PrincipalAccount, aws:PrincipalArn,
aws:userid (not `AROLEID:*`), s3:DataAccessPointArn, s3:DataAccessPointAccount."""

from __future__ import annotations

import ipaddress

from objectstore.proxy.policy.conditions import Condition
from objectstore.proxy.policy.document import Policy, Statement
from objectstore.proxy.policy.wildcards import has_wildcard

FIXED_KEYS = {k.lower() for k in (
    "aws:SourceArn", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceOwner",
    "aws:SourceAccount", "aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:PrincipalArn",
    "aws:userid", "s3:DataAccessPointArn", "s3:DataAccessPointAccount")}
# operators that hold only for the values listed (not negated, not IfExists)
NARROWING = {"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals",
             "ArnLike", "IpAddress"}
PRIVATE = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12",
                                             "192.168.0.0/16")]


def is_public(policy: Policy) -> bool:
    return any(_public(s) for s in policy.statements)


def _public(statement: Statement) -> bool:
    if statement.deny:
        return False
    if not statement.principals.everyone and not statement.not_principal:
        return False
    return not any(_narrows(c) for c in statement.conditions)


def _narrows(condition: Condition) -> bool:
    op = condition.operator
    if op.base not in NARROWING or op.if_exists or op.qualifier == "ForAllValues":
        return False
    if any(has_wildcard(v) or "${" in v for v in condition.values):
        return False
    if condition.key == "aws:sourceip":
        return op.base == "IpAddress" and all(_narrow_range(v) for v in condition.values)
    if condition.key == "aws:userid":
        return not any(v.upper().startswith("AROLEID:") for v in condition.values)
    return condition.key in FIXED_KEYS and op.base != "IpAddress"


def _narrow_range(value: str) -> bool:
    network = ipaddress.ip_network(value.strip(), strict=False)
    if isinstance(network, ipaddress.IPv6Network):
        return network.prefixlen >= 32
    return network.prefixlen >= 8 or any(network.subnet_of(p) for p in PRIVATE)
