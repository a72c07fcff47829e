"""Tag sets: the header and XML forms, S3's limits, and the stored encoding."""

from __future__ import annotations

import pytest

from objectstore.proxy.object_info import S3_TAGGING
from objectstore.proxy.put_options import PutOptions
from objectstore.s3compat import tagging
from objectstore.s3compat.s3errors import S3Error


def xml(*tags: tuple[str, str]) -> bytes:
    body = "".join(f"<Tag><Key>{k}</Key><Value>{v}</Value></Tag>" for k, v in tags)
    return f"<Tagging><TagSet>{body}</TagSet></Tagging>".encode()


def refused(call: object, *args: object) -> tuple[int, str]:
    with pytest.raises(S3Error) as info:
        call(*args)  # type: ignore[operator]
    return info.value.status, info.value.code


def test_the_header_is_url_query_parameters_sorted_by_key() -> None:
    assert tagging.from_header("foo=bar&bar") == [("bar", ""), ("foo", "bar")]
    assert tagging.from_header("a%26b=c%3Dd&sp+ace=%C3%A9") == [("a&b", "c=d"),
                                                                  ("sp ace", "é")]
    assert refused(tagging.from_header, "a=1&a=2") == (400, "InvalidArgument")
    assert refused(tagging.from_header, "%%%") == (400, "InvalidArgument")
    assert refused(tagging.from_header, "a=%FF") == (400, "InvalidArgument")
    assert refused(tagging.from_header, "&".join(f"k{i}=v" for i in range(11))) \
        == (400, "InvalidTag")


def test_the_limits_count_unicode_characters() -> None:
    assert tagging.check([("é" * 128, "ü" * 256)], tagging.OBJECT_TAGS)
    for tags in ([("k" * 129, "v")], [("k", "v" * 257)], [("", "v")], [("aws:x", "v")],
                 [("a", "1"), ("a", "2")], [(str(i), "v") for i in range(11)]):
        assert refused(tagging.check, tags, tagging.OBJECT_TAGS) == (400, "InvalidTag")
    fifty = [(str(i), "v") for i in range(50)]
    assert len(tagging.check(fifty, tagging.BUCKET_TAGS)) == 50
    assert refused(tagging.check, [*fifty, ("x", "")], tagging.BUCKET_TAGS) \
        == (400, "InvalidTag")


def test_the_xml_form_and_its_errors() -> None:
    assert tagging.from_xml(xml(("b", "2"), ("a", "")), 10) == [("a", ""), ("b", "2")]
    ns = b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet/></Tagging>'
    assert tagging.from_xml(ns, 10) == []
    for body in (b"<Tagging>", b"<Other><TagSet/></Other>", b"<Tagging/>",
                 b"<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>"):
        assert refused(tagging.from_xml, body, 10) == (400, "MalformedXML")


def test_stored_form_round_trips_and_counts() -> None:
    tags = [("a&b", "x=y"), ("c", ""), ("é", "%")]
    stored = tagging.encode(tags)
    assert stored.isascii() and tagging.decode(stored) == tags
    out: dict[str, str] = {}
    tagging.add_count({S3_TAGGING: stored}, out)
    assert out == {"x-amz-tagging-count": "3"}
    out.clear()
    tagging.add_count({S3_TAGGING: ""}, out)       # tags removed by DeleteObjectTagging
    assert out == {} and tagging.decode("") == []
    assert b"<Key>a&amp;b</Key><Value>x=y</Value>" in tagging.to_xml(tags)


def test_copies_keep_or_replace_the_source_tags() -> None:
    source = {S3_TAGGING: "s=1"}
    options = PutOptions()
    tagging.on_copy({"x-amz-tagging": "n=2"}, source, options)     # COPY is the default
    assert options.system_metadata == {S3_TAGGING: "s=1"}
    options = PutOptions()
    tagging.on_copy({"x-amz-tagging-directive": "REPLACE", "x-amz-tagging": "n=2"}, source,
                    options)
    assert options.system_metadata == {S3_TAGGING: "n=2"}
    options = PutOptions(system_metadata={S3_TAGGING: "n=2"})
    tagging.on_copy({"x-amz-tagging-directive": "REPLACE"}, source, options)
    assert options.system_metadata == {}
