"""CORS rules and their one evaluation: S3's patterns (one wildcard) and Swift's whole
origins, the first rule that fits, and the Access-Control-* headers it sends."""

from __future__ import annotations

import pytest

from objectstore.proxy.cors_rules import (
    CorsRule,
    answer,
    decode,
    encode,
    first_match,
    preflight,
    to_set,
    wildcard_match,
)


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


def test_whole_origins_take_a_star_only_alone() -> None:
    """Swift's origins are whole: `*` alone is every origin, one inside is a character
    (S3's patterns would let http://a.example.com in)."""
    swift = CorsRule(("http://*.example.com", "http://ok.com"), ("GET",), ("*",),
                     whole_origins=True)
    s3 = CorsRule(("http://*.example.com",), ("GET",))
    assert not swift.fits_origin("http://a.example.com") and s3.fits_origin(
        "http://a.example.com")
    assert swift.fits_origin("http://*.example.com") and swift.fits_origin("http://ok.com")
    assert not swift.fits_origin("http://ok.com.evil")
    anyone = CorsRule(("http://ok.com", "*"), ("GET",), whole_origins=True)
    assert anyone.fits_origin("http://any.where") and anyone.allow_origin("x") == "*"


def test_a_preflights_headers_and_its_refusals() -> None:
    rules = [CorsRule(("http://a.com",), ("GET", "PUT"), ("x-amz-*",), ("etag",), 30)]
    assert preflight(rules, "http://a.com", "PUT", ["x-amz-meta-a"]) == {
        "access-control-allow-origin": "http://a.com",
        "access-control-allow-methods": "GET, PUT", "access-control-max-age": "30",
        "access-control-allow-headers": "x-amz-meta-a",
        "access-control-expose-headers": "etag",
        "vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"}
    assert preflight(rules, "http://a.com", "DELETE", []) is None         # method
    assert preflight(rules, "http://b.com", "GET", []) is None            # origin
    assert preflight(rules, "http://a.com", "GET", ["x-other"]) is None   # a header
    assert preflight(rules, "http://a.com", "", []) is None               # none asked
    assert preflight([], "http://a.com", "GET", []) is None


def test_an_answers_headers_expose_what_the_rule_names_and_the_answers_metadata() -> None:
    rule = CorsRule(("*",), ("GET",), ("*",), ("x-own",), whole_origins=True,
                    answer_exposes=("etag", "x-object-meta-*"))
    out = answer([rule], "http://a.com", "GET", ["Content-Length", "X-Object-Meta-Color",
                                                  "x-object-meta-size"])
    assert out is not None and out["access-control-allow-origin"] == "*"
    assert out["access-control-expose-headers"] == \
        "x-own, etag, x-object-meta-color, x-object-meta-size"
    assert out["vary"] == "Origin" and "access-control-max-age" not in out
    assert answer([rule], "http://a.com", "DELETE") is None
    # only on answers: a preflight shows the rule's own list alone
    flight = preflight([rule], "http://a.com", "GET", [])
    assert flight is not None and flight["access-control-expose-headers"] == "x-own"


def test_a_vary_the_answer_has_is_kept() -> None:
    cors = {"access-control-allow-origin": "*", "vary": "Origin"}
    assert to_set({"vary": "Accept"}, cors)["vary"] == "Accept, Origin"
    assert to_set({"vary": "Origin, Accept"}, cors)["vary"] == "Origin, Accept"
    assert to_set({}, cors) == cors


def test_rules_stored_before_the_swift_fields_still_read() -> None:
    old = (b'[{"allowed_origins": ["*"], "allowed_methods": ["GET"], "allowed_headers": [],'
           b' "expose_headers": [], "max_age": null, "id": ""}]')
    assert decode(old) == [CorsRule(("*",), ("GET",))]
