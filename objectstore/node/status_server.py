"""`GET /status` on the node API: what `objectstore status` shows for one node -- the
ring it holds, and per device how many partitions it keeps and how many of those the
ring now puts elsewhere (handoffs the replicator still has to move: 0 everywhere means
a ring change has finished moving data), plus the last replication pass and every
daemon's last pass on this node (node/last_pass.py)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectstore.node import last_pass, paths
from objectstore.node.config import NodeConfig
from objectstore.node.pending import ASYNC_PENDING
from objectstore.ring.ringdata import RingData

PATH = "/status"
KINDS = (paths.OBJECTS, paths.CONTAINERS, paths.ACCOUNTS)


def _device_status(config: NodeConfig, ring: RingData, name: str, dev_id: int | None
                   ) -> dict[str, int]:
    held = handoffs = 0
    kinds = [(k, ring.replicas) for k in KINDS[1:]] + [
        (paths.objects_kind(p.index), p.replicas) for p in ring.policies]
    for kind, keeps in kinds:
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            for entry in os.listdir(config.devices / name / kind):
                if not entry.isdigit() or int(entry) >= ring.parts:
                    continue
                held += 1
                primaries = ring.primaries(int(entry))[:keeps]
                if dev_id is None or dev_id not in {d.id for d in primaries}:
                    handoffs += 1
    return {"partitions": held, "handoffs": handoffs, **device_usage(config.devices / name)}


def _count_files(top: Path) -> int:
    with contextlib.suppress(OSError):
        return sum(len(files) for _, _, files in os.walk(top))
    return 0


def device_usage(device: Path) -> dict[str, int]:
    """A device's file system (bytes: size, used, free) and the files waiting there:
    quarantined (damaged, moved aside for the replicator to replace) and async
    pending container updates."""
    try:
        fs = os.statvfs(device)
        size, free = fs.f_blocks * fs.f_frsize, fs.f_bavail * fs.f_frsize
        used = (fs.f_blocks - fs.f_bfree) * fs.f_frsize
    except OSError:
        size = free = used = 0
    return {"size": size, "used": used, "free": free,
            "quarantined": _count_files(device / paths.QUARANTINED),
            "async_pending": _count_files(device / ASYNC_PENDING)}


def node_status(config: NodeConfig, ring: RingData | None) -> dict[str, Any]:
    """The whole answer (reads directories: run it off the event loop)."""
    doc: dict[str, Any] = {"ring": None, "devices": {}, "replication": None,
                           "passes": {p.daemon: {"finished": p.finished,
                                                 "seconds": round(p.seconds, 3),
                                                 "items": p.items, "errors": p.errors,
                                                 "bytes": p.bytes}
                                      for p in last_pass.read_all(config.devices)}}
    if ring is None:
        return doc
    doc["ring"] = {"version": ring.version, "checksum": ring.checksum}
    mine = {d.device: d.id for d in ring.devices
            if (d.host, d.port) == (config.host, config.port)}
    on_disk = {e.name for e in os.scandir(config.devices) if e.is_dir()} \
        if config.devices.is_dir() else set()
    for name in sorted(on_disk | set(mine)):
        if (config.devices / name).is_dir():
            doc["devices"][name] = _device_status(config, ring, name, mine.get(name))
    with contextlib.suppress(OSError, ValueError):
        doc["replication"] = json.loads((config.devices / "replicator.json").read_text())
    return doc


class StatusServer:
    def __init__(self, config: NodeConfig, ring: Callable[[], RingData | None]) -> None:
        self.config = config
        self.ring = ring

    async def handle(self, request: Request) -> Response:
        if request.method != "GET":
            return Response(status_code=405)
        doc = await asyncio.to_thread(lambda: node_status(self.config, self.ring()))
        return Response(json.dumps(doc).encode(), media_type="application/json")
