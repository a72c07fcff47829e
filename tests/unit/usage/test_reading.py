"""Summing the proxies' transfer documents, and an account's figures in a sample."""

from __future__ import annotations

from objectstore.usage.meter import Counts
from objectstore.usage.reading import figures_of, sum_transfers


def row(account: str, bucket: str, kind: str, requests: int, bytes_in: int,
        bytes_out: int) -> dict[str, object]:
    return {"account": account, "bucket": bucket, "class": kind, "requests": requests,
            "bytes_in": bytes_in, "bytes_out": bytes_out}


def test_proxies_documents_are_summed_per_account_hour_bucket_class() -> None:
    h = "2026-12-06T20:00:00Z"
    docs = [{"hour": h, "proxy": "p1", "rows": [row("test", "b", "write", 2, 100, 0),
                                                row("test", "b", "read", 1, 0, 9)]},
            {"hour": h, "proxy": "p2", "rows": [row("test", "b", "write", 3, 50, 0)]},
            {"hour": "2026-12-06T21:00:00Z", "proxy": "p1",
             "rows": [row("other", "", "list", 1, 0, 3)]}]
    assert sum_transfers(docs) == {
        ("test", h, "b", "write"): Counts(5, 150, 0),
        ("test", h, "b", "read"): Counts(1, 0, 9),
        ("other", "2026-12-06T21:00:00Z", "", "list"): Counts(1, 0, 3)}


def test_damaged_documents_and_rows_are_skipped() -> None:
    h = "2026-12-06T20:00:00Z"
    docs = [None, [], {"hour": h}, {"hour": h, "rows": "x"},
            {"hour": h, "rows": [{"account": "test"}, row("test", "b", "read", 1, 0, 1),
                                 {**row("test", "b", "read", 1, 0, 1), "requests": "x"}]}]
    assert sum_transfers(docs) == {("test", h, "b", "read"): Counts(1, 0, 1)}


def test_figures_of_an_account_a_sample_does_not_name_are_zero() -> None:
    sample = {"time": "T", "accounts": {"test": {"bytes": 5, "objects": 1,
                                                 "buckets": {"b": {"bytes": 5,
                                                                   "objects": 1}}}}}
    assert figures_of(sample, "test") == {"time": "T", "bytes": 5, "objects": 1,
                                          "buckets": {"b": {"bytes": 5, "objects": 1}}}
    assert figures_of(sample, "none") == {"time": "T", "bytes": 0, "objects": 0,
                                          "buckets": {}}
