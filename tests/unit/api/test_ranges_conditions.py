"""Range parsing, multipart bodies and conditional-request rules, as plain functions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from objectstore.api.names import parse_swift_path
from objectstore.errors import BadRequest, NotModified, PreconditionFailed, RangeNotSatisfiable
from objectstore.http.conditions import check_conditions
from objectstore.http.ranges import Multipart, parse_ranges


@pytest.mark.parametrize("header, expected", [
    (None, None), ("bytes=0-9", [(0, 10)]), ("bytes=-5", [(95, 100)]), ("bytes=90-", [(90, 100)]),
    ("bytes=0-0,-1", [(0, 1), (99, 100)]), ("bytes=50-1000", [(50, 100)]),
    ("bytes=-500", [(0, 100)]), ("bytes=5-2", None), ("items=0-1", None), ("bytes=a-b", None),
    ("bytes=", None), ("bytes=-", None), ("bytes=100-,0-1", [(0, 2)]),
])
def test_parse_ranges(header: str | None, expected: list[tuple[int, int]] | None) -> None:
    assert parse_ranges(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=200-300", "bytes=-0"])
def test_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_ranges(header, 100)


def test_multipart_length_matches_body() -> None:
    data = bytes(range(100))
    mp = Multipart([(0, 10), (90, 100)], 100, "text/plain")

    async def read(start: int, end: int) -> AsyncIterator[bytes]:
        async def gen() -> AsyncIterator[bytes]:
            yield data[start:end]
        return gen()

    async def collect() -> bytes:
        return b"".join([c async for c in mp.body(read)])

    body = asyncio.run(collect())
    assert len(body) == mp.length
    assert body.count(b"Content-Range: bytes 0-9/100") == 1
    assert data[90:100] in body and body.endswith(f"--{mp.boundary}--".encode())


MODIFIED = 1_700_000_000.3   # shown as ...001 (rounded up)
BEFORE = "Tue, 14 Nov 2023 22:13:20 GMT"   # 1_700_000_000
AFTER = "Tue, 14 Nov 2023 22:13:21 GMT"    # 1_700_000_001


@pytest.mark.parametrize("headers, error", [
    ({"if-match": '"abc"'}, None), ({"if-match": '"x", "abc"'}, None), ({"if-match": "*"}, None),
    ({"if-match": '"nope"'}, PreconditionFailed),
    ({"if-none-match": '"abc"'}, NotModified), ({"if-none-match": "*"}, NotModified),
    ({"if-none-match": '"other"'}, None),
    ({"if-modified-since": AFTER}, NotModified), ({"if-modified-since": BEFORE}, None),
    ({"if-unmodified-since": BEFORE}, PreconditionFailed), ({"if-unmodified-since": AFTER}, None),
    ({"if-modified-since": "garbage"}, None),
    ({"if-none-match": '"other"', "if-modified-since": AFTER}, None),   # ETag test wins
    ({"if-match": '"abc"', "if-unmodified-since": BEFORE}, None),        # ETag test wins
])
def test_conditions_on_get(headers: dict[str, str], error: type[Exception] | None) -> None:
    if error is None:
        check_conditions(headers, "abc", MODIFIED, safe_method=True)
    else:
        with pytest.raises(error):
            check_conditions(headers, "abc", MODIFIED, safe_method=True)


def test_if_none_match_on_a_write_is_412() -> None:
    with pytest.raises(PreconditionFailed):
        check_conditions({"if-none-match": "*"}, "abc", MODIFIED, safe_method=False)
    check_conditions({"if-none-match": "*"}, None, None, safe_method=False)
    with pytest.raises(PreconditionFailed):
        check_conditions({"if-match": "*"}, None, None, safe_method=True)


@pytest.mark.parametrize("raw, parts", [
    (b"/v1/AUTH_test", ("v1", "AUTH_test", None, None)),
    (b"/v1/AUTH_test/c", ("v1", "AUTH_test", "c", None)),
    (b"/v1/AUTH_test/c/", ("v1", "AUTH_test", "c", None)),
    (b"/v1/AUTH_test/c/a/b/", ("v1", "AUTH_test", "c", "a/b/")),
    (b"/v1/AUTH_test/c/a%2Fb", ("v1", "AUTH_test", "c", "a/b")),
    (b"/v1/AUTH_test/c//x", ("v1", "AUTH_test", "c", "/x")),
    (b"/v1/AUTH_test/c/%C3%A9", ("v1", "AUTH_test", "c", "é")),
])
def test_swift_paths(raw: bytes, parts: tuple[str | None, ...]) -> None:
    p = parse_swift_path(raw)
    assert (p.version, p.account, p.container, p.obj) == parts


@pytest.mark.parametrize("raw, error", [
    (b"/v1", PreconditionFailed), (b"/v1/AUTH_test/c/%FF", PreconditionFailed),
    (b"/v1/AUTH_test/c/a%00b", PreconditionFailed),
    (b"/v1/AUTH_test/" + b"c" * 257, BadRequest),
    (b"/v1/AUTH_test/c/" + b"o" * 1025, BadRequest),
])
def test_bad_swift_paths(raw: bytes, error: type[Exception]) -> None:
    with pytest.raises(error) as info:
        parse_swift_path(raw)
    if error is PreconditionFailed:     # Swift's own words, which clients compare
        assert str(info.value) in ("Bad URL", "Invalid UTF8 or contains NULL")


def test_if_unmodified_since_after_a_passing_if_match() -> None:
    """The RFC ignores it (S3's reads); Swift checks it too (`independent`)."""
    headers = {"if-match": "e", "if-unmodified-since": "Thu, 01 Jan 1970 00:00:01 GMT"}
    check_conditions(headers, "e", 1_000_000.0, True)
    with pytest.raises(PreconditionFailed):
        check_conditions(headers, "e", 1_000_000.0, True, independent=True)
