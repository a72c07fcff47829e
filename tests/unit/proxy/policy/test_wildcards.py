"""IAM wildcards and the prefix walk that checks a resource lies in a bucket."""

from __future__ import annotations

import pytest

from objectstore.proxy.policy.wildcards import can_match_with_prefix, matches


@pytest.mark.parametrize(("pattern", "text", "expected"), [
    ("*", "", True), ("*", "a/b:c", True), ("a?c", "abc", True), ("a?c", "ac", False),
    ("a*c", "ac", True), ("a*c", "a/x/c", True), ("a.c", "abc", False),
    ("a[b]c", "a[b]c", True), ("a+", "aa", False), ("*/test/*", "1///test///o.jpg", True),
    ("*/test/*", "1-test/o.jpg", False), ("x", "X", False)])
def test_matches(pattern: str, text: str, expected: bool) -> None:
    assert matches(pattern, text) is expected


def test_ignore_case() -> None:
    assert matches("s3:get*", "S3:GETOBJECT", ignore_case=True)


@pytest.mark.parametrize(("pattern", "prefix", "expected"), [
    ("bucket/*", "bucket/", True), ("bucket", "bucket/", False), ("*", "bucket/", True),
    ("b?cket/k", "bucket/", True), ("bucketx/*", "bucket/", False), ("*/*", "bucket/", True),
    ("buck*", "bucket/", True), ("other*", "bucket/", False), ("bucket/", "bucket/", True)])
def test_can_match_with_prefix(pattern: str, prefix: str, expected: bool) -> None:
    assert can_match_with_prefix(pattern, prefix) is expected
