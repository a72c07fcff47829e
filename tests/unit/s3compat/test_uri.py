"""Strict percent-decoding of S3 names: UTF-8 or InvalidURI, never U+FFFD."""

from __future__ import annotations

import pytest

from objectstore.s3compat import s3errors, uri
from objectstore.s3compat.sigv4 import split_query


@pytest.mark.parametrize(("raw", "name"), [
    ("/b/k%20ey", "/b/k ey"), ("/b/%C3%A9", "/b/\u00e9"), ("/b/%EF%BF%BD", "/b/\ufffd"),
    ("/b/\u00c3\u00a9", "/b/\u00e9"),     # unencoded UTF-8 bytes, handed over as latin-1
    ("/b/a+b", "/b/a+b")])
def test_decodes_utf8(raw: str, name: str) -> None:
    assert uri.decode(raw) == name


@pytest.mark.parametrize("raw", ["/b/%FF", "/b/%FE", "/b/a%C3", "/b/%ED%A0%80", "/b/%C0%AF",
                                 "/b/\u00ff"])
def test_refuses_what_is_not_utf8(raw: str) -> None:
    with pytest.raises(s3errors.InvalidURI) as info:
        uri.decode(raw)
    assert (info.value.status, info.value.code) == (400, "InvalidURI")


def test_query_values_are_decoded_strictly_once_signed() -> None:
    """Lossless for the signature first, then UTF-8 or InvalidURI."""
    assert uri.strict_pairs(split_query("prefix=%C3%A9&uploads")) == [
        ("prefix", "\u00e9"), ("uploads", "")]
    for raw in ("prefix=%FF", "%FE=x", "prefix=%ED%A0%80"):
        pairs = split_query(raw)
        with pytest.raises(s3errors.InvalidURI):
            uri.strict_pairs(pairs)


@pytest.mark.parametrize("raw", ["/b/%00", "/b/a%00b", "/%00", "/b%00/k"])
def test_a_name_with_nul_is_refused(raw: str) -> None:
    """S3 allows NUL in a key; our nodes cannot store it: a 400 at the edge."""
    assert uri.decode(raw)             # a valid URI...
    with pytest.raises(s3errors.InvalidArgument) as info:
        uri.decode_name(raw)           # ...but not a name we can keep
    assert (info.value.status, info.value.code) == (400, "InvalidArgument")
