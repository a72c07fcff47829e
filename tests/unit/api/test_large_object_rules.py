"""The pure rules of large objects: the PUT form of an SLO manifest and its shape
checks, segment ranges, the two ETags, the stored format (and the one before it), and
a DLO's X-Object-Manifest."""

from __future__ import annotations

import hashlib
import json

import pytest

from objectstore import errors
from objectstore.api import dlo, slo
from objectstore.http.ranges import ByteRange
from objectstore.proxy.manifests import (
    Segment,
    manifest_body,
    parse_manifest,
    s3_etag,
    slo_etag,
)


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def test_the_put_form_is_parsed_into_segments_and_data() -> None:
    asked = slo.parse_put_manifest(json.dumps([
        {"path": "/c/o%20x", "etag": '"abc"', "size_bytes": "5", "range": "1-2"},
        {"path": "c/p", "etag": None, "size_bytes": None},
        {"data": "QUJD"}]).encode())
    # the path is the name as it is: Swift does not unquote it
    assert asked[0] == slo.Asked(0, "/c/o%20x", "c", "o%20x", "abc", 5, "1-2")
    assert (asked[1].container, asked[1].name, asked[1].etag, asked[1].size) == \
        ("c", "p", None, None)
    assert asked[2].data == b"ABC"


@pytest.mark.parametrize("body, why", [
    (b"{", "valid JSON"), (b"[]", "non-empty"), (b'{"a": 1}', "list"),
    (json.dumps([{"path": "/c/o"}] * 1001).encode(), "Too many"),
    (b'[{"path": "/c/o", "size_bytes": true}]', "size_bytes"),
    (b'[{"path": "/c/o", "size_bytes": -1}]', "size_bytes"),
    (b'[{"path": "/c/o", "etag": 5}]', "etag"),
    (b'[{"path": "/c/o", "range": 5}]', "range"),
    (b'[{"path": "/c"}]', "path"), (b'[{"path": "//o"}]', "path"), (b"[7]", "object"),
    (b'[{"data": "QQ==", "path": "/c/o"}]', "only the key"),
    (b" " * (slo.MAX_MANIFEST + 1), "Manifest File"),
])
def test_malformed_manifests_are_a_400_naming_why(body: bytes, why: str) -> None:
    with pytest.raises(errors.BadRequest, match=why):
        slo.parse_put_manifest(body)


@pytest.mark.parametrize("rng, size, span", [
    ("0-9", 10, ByteRange(0, 10)), ("2-", 10, ByteRange(2, 10)), ("-3", 10, ByteRange(7, 10)),
    ("5-100", 10, ByteRange(5, 10)), ("10-", 10, None), ("-0", 10, None), ("3-1", 10, None),
    ("x-1", 10, None), ("1,2", 10, None),
])
def test_a_segment_range_is_one_byte_range_within_it(rng: str, size: int,
                                                     span: ByteRange | None) -> None:
    assert slo._span(rng, size) == span


def test_the_two_etags_of_the_whole_object() -> None:
    a, b = md5(b"a"), md5(b"b")
    segments = [Segment("c", "a", 1, a), Segment("c", "b", 9, b, span=ByteRange(2, 5)),
                Segment("", "", 0, "", data=b"zz")]
    assert slo_etag(segments) == md5(f"{a}{b}:2-4;{md5(b'zz')}".encode())
    digests = bytes.fromhex(a) + bytes.fromhex(b) + bytes.fromhex(md5(b"zz"))
    assert s3_etag(segments) == f"{md5(digests)}-3"


def test_the_stored_format_round_trips_and_the_old_one_is_read() -> None:
    segments = [Segment("c", "a/b", 3, "e1", checksum="ck", content_type="text/plain",
                        last_modified="2026-01-01T00:00:00.000000"),
                Segment("c", "sub", 7, "e2", span=ByteRange(1, 4), sub_slo=True,
                        content_type="application/octet-stream"),
                Segment("", "", 0, "", data=b"\x00\x01")]
    body = manifest_body(segments)
    stored = json.loads(body)
    assert stored[0]["name"] == "/c/a/b" and stored[0]["bytes"] == 3
    assert stored[1]["range"] == "1-3" and stored[1]["sub_slo"] is True
    assert parse_manifest(body) == segments
    old = json.dumps([{"container": "b+segments", "name": "k/u/00001", "size": 5,
                       "etag": "e", "checksum": "x"}]).encode()
    assert parse_manifest(old) == [Segment("b+segments", "k/u/00001", 5, "e", "x")]
    with pytest.raises(errors.ServiceUnavailable):
        parse_manifest(b'[{"name": "/c/o"}]')


def test_the_raw_form_is_the_put_form() -> None:
    segments = [Segment("c", "o", 3, "e1"), Segment("c", "p", 7, "e2", span=ByteRange(1, 4)),
                Segment("", "", 0, "", data=b"hi")]
    raw = json.loads(slo.raw_manifest(segments))
    assert raw == [{"path": "/c/o", "etag": "e1", "size_bytes": 3},
                   {"path": "/c/p", "etag": "e2", "size_bytes": 7, "range": "1-3"},
                   {"data": "aGk="}]
    assert [a.name for a in slo.parse_put_manifest(slo.raw_manifest(segments))] == \
        ["o", "p", ""]


@pytest.mark.parametrize("value, parts", [
    ("segs/pre/", ("segs", "pre/")), ("segs/", ("segs", "")), ("s%20x/p%2Fq", ("s x", "p/q")),
])
def test_a_dlo_manifest_names_a_container_and_a_prefix(value: str,
                                                       parts: tuple[str, str]) -> None:
    assert dlo.split(value) == parts
    assert dlo.manifest_metadata({"x-object-manifest": value}) != {}


@pytest.mark.parametrize("value", ["segs", "/segs/p", "x" * 300 + "/p"])
def test_a_bad_dlo_manifest_is_refused(value: str) -> None:
    with pytest.raises(errors.BadRequest, match="container/prefix"):
        dlo.manifest_metadata({"x-object-manifest": value})
