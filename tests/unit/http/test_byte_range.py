"""A Range header is parsed once, at the edge, into ByteRange values; what the proxy
asks a node for and what a client is told are derived from that value."""

from __future__ import annotations

from objectstore.http.ranges import ByteRange, parse_ranges


def test_parse_ranges_gives_byte_ranges() -> None:
    spans = parse_ranges("bytes=0-9,-5,90-", 100)
    assert spans == [ByteRange(0, 10), ByteRange(95, 100), ByteRange(90, 100)]
    assert all(isinstance(s, ByteRange) for s in spans or [])


def test_a_byte_range_names_its_span_for_node_and_client() -> None:
    span = ByteRange(10, 20)
    assert span.length == 10
    assert span.header() == "bytes=10-19"
    assert span.content_range(100) == "bytes 10-19/100"
    start, end = span
    assert (start, end) == (10, 20)


def test_header_round_trips_through_the_parser() -> None:
    for start, end in [(0, 1), (0, 100), (99, 100), (37, 64)]:
        span = ByteRange(start, end)
        assert parse_ranges(span.header(), 100) == [span]
