"""is_public: S3's meaning of a public policy (GetBucketPolicyStatus, BlockPublicPolicy)."""

from __future__ import annotations

import pytest

from objectstore.proxy.policy import is_public
from tests.unit.proxy.policy.helpers import policy, statement


def test_an_allow_to_everyone_is_public() -> None:
    assert is_public(policy(statement()))
    assert is_public(policy(statement(Principal={"AWS": "*"})))
    assert is_public(policy(statement(Principal={"AWS": ["test2", "*"]})))


def test_named_principals_and_denies_are_not() -> None:
    assert not is_public(policy(statement(Principal={"AWS": "test2"})))
    assert not is_public(policy(statement(Principal={"CanonicalUser": "abc"})))
    assert not is_public(policy(statement(Principal={"Service": "logging.s3.amazonaws.com"})))
    assert not is_public(policy(statement(Effect="Deny")))
    assert is_public(policy(statement(Effect="Deny"), statement(Sid="x")))


@pytest.mark.parametrize(("condition", "public"), [
    ({"IpAddress": {"aws:SourceIp": "10.0.0.0/32"}}, False),
    ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, False),
    ({"IpAddress": {"aws:SourceIp": "11.0.0.0/8"}}, False),
    ({"IpAddress": {"aws:SourceIp": "0.0.0.0/1"}}, True),
    ({"IpAddress": {"aws:SourceIp": ["10.0.0.0/32", "0.0.0.0/0"]}}, True),
    ({"IpAddress": {"aws:SourceIp": "172.16.0.0/12"}}, False),
    ({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, False),
    ({"IpAddress": {"aws:SourceIp": "2001:db8::/16"}}, True),
    ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, True),
    ({"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/32"}}, True),
    ({"StringEquals": {"aws:SourceAccount": "test"}}, False),
    ({"StringEquals": {"aws:SourceAccount": "te*"}}, True),     # a * is never fixed
    ({"StringLike": {"aws:SourceAccount": "te*"}}, True),
    ({"StringNotEquals": {"aws:SourceAccount": "test"}}, True),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::src"}}, False),
    ({"ArnLike": {"aws:SourceArn": "arn:aws:s3:::*"}}, True),
    ({"StringEquals": {"aws:PrincipalOrgID": "o-123"}}, False),
    ({"StringEquals": {"aws:SourceVpce": "vpce-1"}}, False),
    ({"StringEquals": {"aws:PrincipalOrgID": "${aws:username}"}}, True),
    ({"ForAllValues:StringEquals": {"aws:PrincipalOrgID": "o-1"}}, True),
    ({"ForAnyValue:StringEquals": {"aws:PrincipalOrgID": "o-1"}}, False),
    ({"StringEquals": {"aws:userid": "AROLEID:*"}}, True),
    ({"StringEquals": {"aws:userid": "test2:bob"}}, False),
    ({"StringEquals": {"aws:Referer": "http://example.com/"}}, True),
    ({"StringEquals": {"s3:prefix": "public/"}}, True),
    ({"Bool": {"aws:SecureTransport": "true"}}, True),
])
def test_conditions_that_narrow_and_those_that_do_not(condition: object, public: bool) -> None:
    assert is_public(policy(statement(Condition=condition))) is public


def test_one_public_statement_is_enough() -> None:
    narrowed = statement(Sid="a", Condition={"IpAddress": {"aws:SourceIp": "10.0.0.0/32"}})
    assert not is_public(policy(narrowed))
    assert is_public(policy(narrowed, statement(Sid="b")))
