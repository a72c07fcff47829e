"""The proxy port's client requests, as the request layer tells them (an observer of
serving.request_layer.ClientRequests): counts by API, operation and status, latency
histograms and bytes in and out by API and operation.

Counted in plain ints, one dict lookup per request (the per-request cost of
prometheus_client's labelled metrics showed in the 4 KiB benchmarks); `collect` turns
them into metric families when scraped. Labels stay few: the API and operation the API
layers noted (a bounded set), the status code.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric

from objectstore.serving.request_layer import Finished

# seconds: from a cached 4 KiB GET to a large upload
BOUNDS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
          30.0, 60.0)
HTTP_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH"})
# distinct (api, operation) pairs kept; beyond them a new one counts as (api, "OTHER").
# The API layers' operations are a few dozen, but some carry the request's method or
# a path segment as sent: nobody may grow the metrics without end by making them up.
MAX_OPERATIONS = 500


class _Figures:
    """One (api, operation)'s figures."""

    __slots__ = ("buckets", "bytes_in", "bytes_out", "seconds", "statuses")

    def __init__(self) -> None:
        self.statuses: dict[int, int] = {}
        self.buckets = [0] * (len(BOUNDS) + 1)      # per bucket, not cumulative
        self.seconds = 0.0
        self.bytes_in = self.bytes_out = 0


class RequestFigures:
    """Call it with each Finished request; register it as a collector."""

    def __init__(self) -> None:
        self._figures: dict[tuple[str, str], _Figures] = {}

    def __call__(self, done: Finished) -> None:
        key = (done.api or "none", done.operation or
               (done.method if done.method in HTTP_METHODS else "OTHER"))
        figures = self._figures.get(key)
        if figures is None:
            if len(self._figures) >= MAX_OPERATIONS:
                key = (key[0], "OTHER")
                figures = self._figures.get(key)
            if figures is None:
                figures = self._figures[key] = _Figures()
        figures.statuses[done.status] = figures.statuses.get(done.status, 0) + 1
        figures.buckets[bisect.bisect_left(BOUNDS, done.seconds)] += 1
        figures.seconds += done.seconds
        figures.bytes_in += done.bytes_in
        figures.bytes_out += done.bytes_out

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "objectstore_requests", "Client requests answered, by API, operation and "
            "status code", labels=["api", "operation", "status"])
        latency = HistogramMetricFamily(
            "objectstore_request_duration_seconds", "Time from a client request's "
            "arrival to the end of its answer", labels=["api", "operation"])
        received = CounterMetricFamily(
            "objectstore_request_received_bytes", "Request body bytes received from "
            "clients", labels=["api", "operation"])
        sent = CounterMetricFamily(
            "objectstore_request_sent_bytes", "Response body bytes sent to clients",
            labels=["api", "operation"])
        for (api, operation), figures in sorted(self._figures.items()):
            for status, count in sorted(figures.statuses.items()):
                requests.add_metric([api, operation, str(status)], count)
            cumulative, buckets = 0, []
            for bound, count in zip((*map(str, BOUNDS), "+Inf"), figures.buckets,
                                    strict=True):
                cumulative += count
                buckets.append((bound, cumulative))
            latency.add_metric([api, operation], buckets, figures.seconds)
            received.add_metric([api, operation], figures.bytes_in)
            sent.add_metric([api, operation], figures.bytes_out)
        yield from (requests, latency, received, sent)
