"""Which query parameters of a bucket request S3 reads: its own (listing parameters,
sub-resources, query authentication); a GET or HEAD drops any other, as S3 ignores it."""

from __future__ import annotations

import pytest

from objectstore.proxy.authorization import Need
from objectstore.s3compat.access import need_of
from objectstore.s3compat.buckets import s3_params


@pytest.mark.parametrize("method, params, kept", [
    ("GET", {"bucket": "b", "key": "k", "etag": '"e"'}, {}),         # a form's redirect
    ("GET", {"prefix": "a", "whatever": "1"}, {"prefix": "a"}),
    ("HEAD", {"x": ""}, {}),
    ("GET", {"website": "", "x": ""}, {"website": ""}),              # S3's, not built
    ("GET", {"analytics": "", "id": "1"}, {"analytics": ""}),
    ("GET", {"X-Amz-Signature": "s", "list-type": "2"}, {"X-Amz-Signature": "s",
                                                         "list-type": "2"}),
    ("PUT", {"x": "1"}, {"x": "1"}),                                 # a write: as asked
    ("DELETE", {"x": ""}, {"x": ""})])
def test_what_a_bucket_request_reads(method: str, params: dict[str, str],
                                     kept: dict[str, str]) -> None:
    assert s3_params(method, params) == kept


def test_what_is_dropped_asks_for_no_more_than_a_listing() -> None:
    assert need_of("GET", None, s3_params("GET", {"key": "k", "etag": "e"})) is Need.LIST
    assert need_of("GET", None, s3_params("GET", {"website": "", "k": ""})) is Need.OWNER
