"""Condition operators as AWS evaluates them: values OR-ed, keys and operators AND-ed,
absent keys, ...IfExists, Null, ForAllValues/ForAnyValue, variables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest

from objectstore.proxy.policy.conditions import parse_conditions

Keys = Mapping[str, Sequence[str]]


def holds(block: dict[str, object], keys: Keys, variables: bool = True) -> bool:
    conditions = parse_conditions(block, variables)
    lowered = {k.lower(): tuple(v) for k, v in keys.items()}
    return all(c.holds(lowered) for c in conditions)


@pytest.mark.parametrize(("operator", "policy", "value", "expected"), [
    ("StringEquals", "abc", "abc", True), ("StringEquals", "abc", "ABC", False),
    ("StringNotEquals", "abc", "abc", False), ("StringNotEquals", "abc", "abd", True),
    ("StringEqualsIgnoreCase", "abc", "ABC", True),
    ("StringNotEqualsIgnoreCase", "abc", "ABC", False),
    ("StringLike", "a*c", "abbbc", True), ("StringLike", "a?c", "abbc", False),
    ("StringLike", "a*", "A", False), ("StringLike", "a/*", "a/b/c", True),
    ("StringNotLike", "a*", "ba", True), ("StringNotLike", "a*", "ab", False),
    ("StringEquals", "a*", "abc", False), ("StringEquals", "a*", "a*", True),
    ("NumericEquals", "10", "10.0", True), ("NumericNotEquals", "10", "11", True),
    ("NumericLessThan", "10", "9", True), ("NumericLessThan", "10", "10", False),
    ("NumericLessThanEquals", "10", "10", True), ("NumericGreaterThan", "10", "11", True),
    ("NumericGreaterThanEquals", "10", "9", False), ("NumericEquals", "10", "ten", False),
    ("DateEquals", "2020-01-01T00:00:00Z", "1577836800", True),
    ("DateLessThan", "2020-01-01", "2019-12-31T23:59:59Z", True),
    ("DateGreaterThan", "2020-01-01T00:00:00Z", "2020-01-01T00:00:01+00:00", True),
    ("DateGreaterThanEquals", "2020-01-01T00:00:00Z", "2019-01-01T00:00:00Z", False),
    ("DateLessThanEquals", "1577836800", "2020-01-01T00:00:00.000Z", True),
    ("DateNotEquals", "2020-01-01T00:00:00Z", "2020-01-02T00:00:00Z", True),
    ("DateEquals", "2020-01-01T00:00:00Z", "soon", False),
    ("Bool", "true", "true", True), ("Bool", "true", "false", False),
    ("Bool", "TRUE", "True", True),
    ("BinaryEquals", "QmluYXJ5", "QmluYXJ5", True), ("BinaryEquals", "QmluYXJ5", "eA==", False),
    ("IpAddress", "10.0.0.0/8", "10.1.2.3", True), ("IpAddress", "10.0.0.0/8", "11.0.0.1", False),
    ("IpAddress", "192.0.2.7", "192.0.2.7", True), ("IpAddress", "192.0.2.7", "192.0.2.8", False),
    ("IpAddress", "2001:db8::/32", "2001:db8:1::1", True),
    ("IpAddress", "2001:db8::/32", "10.0.0.1", False),
    ("IpAddress", "10.0.0.0/8", "not-an-ip", False),
    ("NotIpAddress", "10.0.0.0/8", "11.0.0.1", True),
    ("NotIpAddress", "10.0.0.0/8", "10.0.0.1", False),
    ("ArnLike", "arn:aws:s3:::bucket*", "arn:aws:s3:::bucket-2", True),
    ("ArnLike", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket-2", False),
    ("ArnEquals", "arn:aws:s3:*:*:b", "arn:aws:s3:::b", True),
    ("ArnLike", "arn:aws:s3:::b", "not an arn", False),
    ("ArnNotLike", "arn:aws:s3:::b*", "arn:aws:s3:::c", True),
    ("ArnNotEquals", "arn:aws:s3:::b", "arn:aws:s3:::b", False),
])
def test_operators(operator: str, policy: str, value: str, expected: bool) -> None:
    assert holds({operator: {"aws:SourceArn": policy}}, {"aws:SourceArn": [value]}) is expected


@pytest.mark.parametrize(("operator", "absent"), [
    ("StringEquals", False), ("StringNotEquals", True), ("StringLike", False),
    ("StringNotLike", True), ("StringEqualsIgnoreCase", False),
    ("StringNotEqualsIgnoreCase", True), ("NumericEquals", False),
    ("NumericNotEquals", True), ("DateEquals", False), ("DateNotEquals", True),
    ("Bool", False), ("IpAddress", False), ("NotIpAddress", True), ("ArnLike", False),
    ("ArnNotLike", True), ("BinaryEquals", False)])
def test_an_absent_key(operator: str, absent: bool) -> None:
    value = {"Bool": "true", "IpAddress": "10.0.0.0/8", "NotIpAddress": "10.0.0.0/8",
             "BinaryEquals": "eA=="}.get(operator, "arn:aws:s3:::b")
    if operator.startswith(("Numeric", "Date")):
        value = "1"
    assert holds({operator: {"aws:SourceArn": value}}, {}) is absent
    assert holds({operator + "IfExists": {"aws:SourceArn": value}}, {}) is True


def test_if_exists_still_tests_a_present_key() -> None:
    block = {"StringLikeIfExists": {"aws:Referer": "http://www.example.com/*"}}
    assert holds(block, {"aws:Referer": ["http://www.example.com/index.html"]})
    assert not holds(block, {"aws:Referer": ["http://example.com"]})
    assert holds(block, {})


def test_null() -> None:
    absent = {"Null": {"s3:x-amz-server-side-encryption": "true"}}
    present = {"Null": {"s3:x-amz-server-side-encryption": "false"}}
    assert holds(absent, {}) and not holds(present, {})
    assert not holds(absent, {"s3:x-amz-server-side-encryption": ["AES256"]})
    assert holds(present, {"s3:x-amz-server-side-encryption": ["AES256"]})
    assert holds({"Null": {"s3:x-amz-acl": True}}, {})


def test_values_of_one_key_are_ored_and_nored() -> None:
    assert holds({"StringEquals": {"s3:x-amz-acl": ["private", "public-read"]}},
                 {"s3:x-amz-acl": ["public-read"]})
    assert not holds({"StringNotEquals": {"s3:x-amz-acl": ["private", "public-read"]}},
                     {"s3:x-amz-acl": ["public-read"]})
    assert holds({"StringNotEquals": {"s3:x-amz-acl": ["private", "public-read"]}},
                 {"s3:x-amz-acl": ["authenticated-read"]})


def test_keys_and_operators_are_anded() -> None:
    block = {"StringEquals": {"s3:prefix": "a", "s3:delimiter": "/"},
             "NumericLessThan": {"s3:max-keys": "100"}}
    keys = {"s3:prefix": ["a"], "s3:delimiter": ["/"], "s3:max-keys": ["10"]}
    assert holds(block, keys)
    assert not holds(block, {**keys, "s3:delimiter": ["-"]})
    assert not holds(block, {**keys, "s3:max-keys": ["1000"]})
    assert not holds(block, {"s3:prefix": ["a"], "s3:max-keys": ["10"]})


def test_key_names_are_case_insensitive() -> None:
    assert holds({"StringEquals": {"AWS:REFERER": "x"}}, {"aws:referer": ["x"]})
    assert holds({"StringEquals": {"aws:referer": "x"}}, {"Aws:Referer": ["x"]})


def test_for_any_value() -> None:
    block = {"ForAnyValue:StringEquals": {"s3:RequestObjectTagKeys": ["a", "b"]}}
    assert holds(block, {"s3:RequestObjectTagKeys": ["c", "b"]})
    assert not holds(block, {"s3:RequestObjectTagKeys": ["c", "d"]})
    assert not holds(block, {})
    assert not holds(block, {"s3:RequestObjectTagKeys": []})
    negated = {"ForAnyValue:StringNotEquals": {"s3:RequestObjectTagKeys": ["a", "b"]}}
    assert holds(negated, {"s3:RequestObjectTagKeys": ["a", "c"]})
    assert not holds(negated, {"s3:RequestObjectTagKeys": ["a", "b"]})
    assert not holds(negated, {})


def test_for_all_values() -> None:
    block = {"ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["a", "b"]}}
    assert holds(block, {"s3:RequestObjectTagKeys": ["a", "b"]})
    assert holds(block, {"s3:RequestObjectTagKeys": ["a"]})
    assert not holds(block, {"s3:RequestObjectTagKeys": ["a", "c"]})
    assert holds(block, {})          # no values: nothing fails
    negated = {"ForAllValues:StringNotLike": {"s3:RequestObjectTagKeys": ["secret*"]}}
    assert holds(negated, {"s3:RequestObjectTagKeys": ["a", "b"]})
    assert not holds(negated, {"s3:RequestObjectTagKeys": ["a", "secret-1"]})


def test_variables_in_string_values() -> None:
    block = {"StringLike": {"s3:prefix": "home/${aws:username}/*"}}
    assert holds(block, {"s3:prefix": ["home/alice/x"], "aws:username": ["alice"]})
    assert not holds(block, {"s3:prefix": ["home/bob/x"], "aws:username": ["alice"]})
    # a variable without a value matches nothing (the negation: everything)
    assert not holds(block, {"s3:prefix": ["home/alice/x"]})
    assert holds({"StringNotLike": {"s3:prefix": "home/${aws:username}/*"}},
                 {"s3:prefix": ["home/alice/x"]})
    equals = {"StringEquals": {"s3:prefix": "${aws:username}"}}
    assert holds(equals, {"s3:prefix": ["alice"], "aws:username": ["alice"]})


def test_a_variable_value_is_literal_in_a_pattern() -> None:
    block = {"StringLike": {"s3:prefix": "${aws:username}/*"}}
    assert holds(block, {"s3:prefix": ["a*/x"], "aws:username": ["a*"]})
    assert not holds(block, {"s3:prefix": ["ab/x"], "aws:username": ["a*"]})


def test_special_variables_and_defaults() -> None:
    assert holds({"StringLike": {"s3:prefix": "a${*}b${?}"}}, {"s3:prefix": ["a*b?"]})
    assert not holds({"StringLike": {"s3:prefix": "a${*}b"}}, {"s3:prefix": ["axb"]})
    assert holds({"StringEquals": {"s3:prefix": "${$}x"}}, {"s3:prefix": ["$x"]})
    block = {"StringEquals": {"s3:prefix": "${aws:username, 'nobody'}"}}
    assert holds(block, {"s3:prefix": ["nobody"]})
    assert holds(block, {"s3:prefix": ["alice"], "aws:username": ["alice"]})


def test_variables_are_text_under_2008_10_17() -> None:
    block = {"StringEquals": {"s3:prefix": "${aws:username}"}}
    assert holds(block, {"s3:prefix": ["${aws:username}"], "aws:username": ["a"]},
                 variables=False)
    assert not holds(block, {"s3:prefix": ["a"], "aws:username": ["a"]}, variables=False)


def test_arn_variables() -> None:
    block = {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::${aws:username}-*"}}
    assert holds(block, {"aws:SourceArn": ["arn:aws:s3:::alice-logs"],
                         "aws:username": ["alice"]})
    assert not holds(block, {"aws:SourceArn": ["arn:aws:s3:::bob-logs"],
                             "aws:username": ["alice"]})
