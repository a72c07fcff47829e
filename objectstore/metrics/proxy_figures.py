"""What the proxy core went through, read when scraped: its node requests (by method
and outcome), error-limited nodes, handoffs, quorum failures, and the ring in use."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from objectstore.node.client import RequestTally
from objectstore.proxy.core import Proxy
from objectstore.ring.ringdata import RingData


def ring_families(ring: RingData | None, path: Path | None, load_error: bool = False
                  ) -> Iterator[Metric]:
    """The ring a process uses (none: no samples)."""
    version = GaugeMetricFamily("objectstore_ring_version", "Version of the ring in use")
    parts = GaugeMetricFamily("objectstore_ring_partitions", "Partitions of the ring")
    replicas = GaugeMetricFamily("objectstore_ring_replicas", "Replicas per partition")
    devices = GaugeMetricFamily("objectstore_ring_devices", "Devices in the ring")
    mtime = GaugeMetricFamily("objectstore_ring_file_mtime_seconds",
                              "Modification time of the ring file (epoch seconds)")
    failed = GaugeMetricFamily("objectstore_ring_load_error", "1 if the ring file "
                               "changed but could not be loaded (the older ring stays)")
    if ring is not None:
        version.add_metric([], ring.version)
        parts.add_metric([], ring.parts)
        replicas.add_metric([], ring.replicas)
        devices.add_metric([], len(ring.devices))
        failed.add_metric([], int(load_error))
    if path is not None:
        with contextlib.suppress(OSError):
            mtime.add_metric([], os.stat(path).st_mtime)
    yield from (version, parts, replicas, devices, mtime, failed)


class ProxyFigures:
    """A collector over one proxy core and the tally of its node client."""

    def __init__(self, proxy: Proxy, tally: RequestTally) -> None:
        self.proxy = proxy
        self.tally = tally

    def collect(self) -> Iterator[Metric]:
        requests = CounterMetricFamily(
            "objectstore_proxy_node_requests", "Requests the proxy made to storage "
            "nodes, by method and outcome (status code, timeout, error, cancelled)",
            labels=["method", "outcome"])
        for (method, outcome), count in sorted(self.tally.counts.items()):
            requests.add_metric([method, outcome], count)
        yield requests
        fanout = self.proxy.fanout
        limited = GaugeMetricFamily("objectstore_proxy_error_limited_nodes",
                                    "Nodes the proxy holds back now (error limiting)")
        limited.add_metric([], len(fanout.limiter.limited_nodes()))
        yield limited
        yield CounterMetricFamily("objectstore_proxy_error_limitings",
                                  "Times a node was error-limited",
                                  value=fanout.limiter.limitings)
        yield CounterMetricFamily("objectstore_proxy_handoffs",
                                  "Handoff devices turned to for lack of a primary",
                                  value=fanout.counts.handoffs)
        yield CounterMetricFamily("objectstore_proxy_quorum_failures",
                                  "Node fan-outs that ended without their quorum",
                                  value=fanout.counts.quorum_failures)
        yield GaugeMetricFamily("objectstore_proxy_node_requests_in_background",
                                "Node requests left to finish after their fan-out "
                                "answered", value=fanout.left_running())
        ring_file = self.proxy.ring
        yield from ring_families(ring_file.current(), ring_file.path,
                                 ring_file.last_error is not None)
