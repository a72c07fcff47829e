"""Every metric the code registers, and every metric the Grafana dashboard's
expressions name, is documented in docs/metrics.md; and the page documents nothing
the code does not register (so docs, dashboard and code cannot drift apart)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from objectstore.metrics.access import MetricsSettings
from objectstore.metrics.ports import node_port, proxy_metrics
from objectstore.node.client import NodeClient
from objectstore.node.config import NodeConfig
from objectstore.node.server import NodeApp
from objectstore.proxy.core import Proxy
from objectstore.ring import RingBuilder
from objectstore.ring.files import RingFile, save_ring

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "metrics.md"
DASHBOARD = ROOT / "docs" / "grafana" / "objectstore.json"
NAME = re.compile(r"\b(?:objectstore|process)_[a-z_]+\b")
SUFFIXES = ("_bucket", "_sum", "_count")


def documented() -> set[str]:
    return set(re.findall(r"`((?:objectstore|process)_[a-z_]+)`", DOC.read_text()))


def exposed(registry: CollectorRegistry) -> set[str]:
    """Names as a query writes them: a counter's with _total, a histogram's base."""
    return {f.name + "_total" if f.type == "counter" else f.name
            for f in registry.collect()}


def registries(tmp_path: Path) -> Iterator[CollectorRegistry]:
    builder = RingBuilder(4, 3, 1)
    for i in range(3):
        builder.add_device(1, i + 1, "127.0.0.1", 6200 + i, f"d{i}", 100)
    builder.rebalance()
    ring = tmp_path / "object.ring"
    save_ring(builder.ring_data(), ring)
    secret = b"s" * 32
    proxy = Proxy(RingFile(ring), NodeClient(secret))
    yield proxy_metrics(proxy, MetricsSettings())[1].registry
    (tmp_path / "node0" / "d0").mkdir(parents=True)
    node = NodeApp(NodeConfig(devices=tmp_path / "node0", secret=secret, ring=ring))
    metrics: Any = node_port(node, "node", MetricsSettings(), own_process=True)[1].metrics
    yield metrics.registry


def test_every_registered_metric_is_documented(tmp_path: Path) -> None:
    names = set().union(*(exposed(r) for r in registries(tmp_path)))
    assert len(names) > 30
    assert names - documented() == set(), "registered but not in docs/metrics.md"
    assert documented() - names == set(), "in docs/metrics.md but never registered"


def test_every_metric_of_the_dashboard_is_documented() -> None:
    doc = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in doc["panels"] for t in p.get("targets", [])]
    assert len(exprs) > 30
    used = set()
    for expr in exprs:
        for name in NAME.findall(expr):
            base = next((name.removesuffix(s) for s in SUFFIXES if name.endswith(s)), name)
            used.add(base if base in documented() else name)
    assert used - documented() == set()
    # and the dashboard shows every documented metric
    assert documented() - used == set()
