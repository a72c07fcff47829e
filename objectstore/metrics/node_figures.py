"""A storage node's figures: per device its file system (bytes size, used, free), the
objects it holds, async pendings and quarantined files; the requests the node served;
the last pass of each daemon recorded on it (node/last_pass); the ring it holds.

Counting objects walks the device's object directories, so the device figures are
computed off the event loop and kept for a while (`max_age`, longer when a walk is
slow: at most a tenth of the time is spent walking); scrapes in between read the copy.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from objectstore.metrics.proxy_figures import ring_families
from objectstore.node import last_pass, paths
from objectstore.node.config import NodeConfig
from objectstore.node.status_server import device_usage
from objectstore.ring.ringdata import RingData

DEVICE_FIGURES = (
    ("size", "objectstore_device_size_bytes", "Size of the device's file system"),
    ("used", "objectstore_device_used_bytes", "Bytes used on the device's file system"),
    ("free", "objectstore_device_free_bytes",
     "Bytes free on the device's file system (for unprivileged writers)"),
    ("objects", "objectstore_device_objects",
     "Object files (.data) on the device, every replica and policy"),
    ("async_pending", "objectstore_device_async_pendings",
     "Container updates queued on the device for the updater"),
    ("quarantined", "objectstore_device_quarantined_files",
     "Damaged files moved aside on the device for the replicator to replace"),
)
PASS_FIGURES = (
    ("seconds", "objectstore_daemon_last_pass_duration_seconds",
     "How long the daemon's last pass took"),
    ("items", "objectstore_daemon_last_pass_items",
     "What the last pass went through (files, partitions, updates, entries, buckets)"),
    ("errors", "objectstore_daemon_last_pass_errors", "Failures in the last pass"),
    ("bytes", "objectstore_daemon_last_pass_bytes",
     "Bytes the last pass read or moved (0: the daemon does not count bytes)"),
    ("finished", "objectstore_daemon_last_pass_end_timestamp_seconds",
     "When the last pass ended (epoch seconds)"),
)


def count_objects(device: Path) -> int:
    """The .data files below the device's object directories (every policy's)."""
    total = 0
    with contextlib.suppress(OSError):
        kinds = [k for k in os.listdir(device) if paths.policy_of_kind(k) is not None]
        for kind in kinds:
            for _, _, files in os.walk(device / kind):
                total += sum(1 for f in files if f.endswith(".data"))
    return total


def device_figures(devices: Path) -> dict[str, dict[str, int]]:
    """Per device directory below `devices`: device_usage plus its objects."""
    out: dict[str, dict[str, int]] = {}
    with contextlib.suppress(OSError):
        for entry in sorted(os.scandir(devices), key=lambda e: e.name):
            if entry.is_dir() and not entry.name.startswith("."):
                device = Path(entry.path)
                out[entry.name] = {**device_usage(device),
                                   "objects": count_objects(device)}
    return out


@dataclass
class _Snapshot:
    devices: dict[str, dict[str, int]]
    passes: list[last_pass.LastPass]
    ring: RingData | None
    taken: float
    walk_seconds: float


class NodeFigures:
    """A collector for one node; `refresh()` before collecting (the metrics app does)."""

    def __init__(self, config: NodeConfig, served: dict[tuple[str, int], int],
                 ring: Callable[[], RingData | None], max_age: float = 5.0) -> None:
        self.config = config
        self.served = served
        self.ring = ring
        self.max_age = max_age
        self._snapshot: _Snapshot | None = None
        self._lock = asyncio.Lock()

    async def refresh(self) -> None:
        async with self._lock:          # concurrent scrapes share one walk
            shot = self._snapshot
            now = time.monotonic()
            if shot is not None and now - shot.taken < max(self.max_age,
                                                           10 * shot.walk_seconds):
                return
            self._snapshot = await asyncio.to_thread(self._take)

    def _take(self) -> _Snapshot:
        began = time.monotonic()
        devices = device_figures(self.config.devices)
        passes = last_pass.read_all(self.config.devices)
        ring = self.ring()          # (a stat, and a load when the file changed)
        ended = time.monotonic()
        return _Snapshot(devices, passes, ring, ended, ended - began)

    def collect(self) -> Iterator[Metric]:
        shot = self._snapshot or _Snapshot({}, [], None, 0.0, 0.0)
        for key, name, text in DEVICE_FIGURES:
            family = GaugeMetricFamily(name, text, labels=["device"])
            for device, figures in shot.devices.items():
                family.add_metric([device], figures[key])
            yield family
        for key, name, text in PASS_FIGURES:
            family = GaugeMetricFamily(name, text, labels=["daemon"])
            for done in shot.passes:
                family.add_metric([done.daemon], getattr(done, key))
            yield family
        served = CounterMetricFamily("objectstore_node_requests", "Node API requests "
                                     "this node answered, by method and status code",
                                     labels=["method", "status"])
        for (method, status), count in sorted(self.served.items()):
            served.add_metric([method, str(status)], count)
        yield served
        yield from ring_families(shot.ring, self.config.ring)
