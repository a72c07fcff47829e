"""CORS rule matching as S3 does it: one wildcard, the first rule that fits."""

from __future__ import annotations

import pytest

from objectstore.proxy.cors_rules import CorsRule, decode, encode, first_match, wildcard_match


@pytest.mark.parametrize("pattern, value, fits", [
    ("*", "anything", True), ("*suffix", "a.suffix", True), ("*suffix", "suffix", True),
    ("*suffix", "a.suffix.b", False), ("start*end", "startend", True),
    ("start*end", "start-x-end", True), ("start*end", "0startend", False),
    ("start*end", "startend0", False), ("prefix*", "prefix.a", True),
    ("prefix*", "a.prefix", False), ("exact", "exact", True), ("exact", "exact2", False),
    ("ab*ba", "aba", False)])
def test_one_wildcard(pattern: str, value: str, fits: bool) -> None:
    assert wildcard_match(pattern, value) is fits


def test_the_first_rule_that_fits_origin_method_and_every_header() -> None:
    rules = [CorsRule(("*.a",), ("GET",)),
             CorsRule(("*.a",), ("PUT",), ("x-amz-meta-*", "content-type")),
             CorsRule(("*",), ("GET", "PUT"), ("*",), ("etag",), 60, "any")]
    assert first_match(rules, "b.a", "GET") is rules[0]
    assert first_match(rules, "b.a", "PUT", ["x-amz-meta-one", "Content-Type"]) is rules[1]
    assert first_match(rules, "b.a", "PUT", ["x-other"]) is rules[2]
    assert first_match(rules, "b.a", "DELETE") is None
    assert rules[2].allow_origin("b.a") == "*" and rules[0].allow_origin("b.a") == "b.a"
    assert decode(encode(rules)) == rules
