"""The cluster at a glance, as `objectstore status` and the admin API show it: every
node of the ring asked for its `/status` (node/status_server.py) at once, and their
answers summed up -- which nodes are down, the ring each holds, per device its usage,
the partitions it keeps and those still to move (handoffs: 0 everywhere means a ring
change has finished moving data), quarantined files and async pendings, and how long
ago each node's replicator last finished a pass."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from objectstore.node.client import NodeClient, Target
from objectstore.node.wire import NODE_ERRORS
from objectstore.ring.metrics import balance, replicas_per_device
from objectstore.ring.ringdata import RingData

ASK_TIMEOUT = 10.0


async def node_documents(client: NodeClient, nodes: list[tuple[str, int]],
                         timeout: float = ASK_TIMEOUT) -> dict[str, dict[str, Any] | None]:
    """Each node's /status document by `host:port`, or None if it did not answer."""
    async def one(host: str, port: int) -> dict[str, Any] | None:
        try:
            resp = await client.request("GET", Target(host, port, ""), "/status",
                                        timeout=timeout)
            async with resp:
                body = await resp.read()
                return dict(json.loads(body)) if resp.status == 200 else None
        except (*NODE_ERRORS, ValueError):
            return None

    answers = await asyncio.gather(*(one(h, p) for h, p in nodes))
    return {f"{h}:{p}": a for (h, p), a in zip(nodes, answers, strict=True)}


def ring_nodes(ring: RingData) -> list[tuple[str, int]]:
    return sorted({(d.host, d.port) for d in ring.devices})


def ring_summary(ring: RingData) -> dict[str, Any]:
    held = replicas_per_device(ring.rows)
    return {"version": ring.version, "checksum": ring.checksum, "replicas": ring.replicas,
            "partitions": ring.parts, "devices": len(ring.devices),
            "balance": round(balance(ring.devices, held, ring.replicas, ring.parts), 2)}


def summary(ring: RingData, documents: dict[str, dict[str, Any] | None],
            now: float | None = None) -> dict[str, Any]:
    """The admin API's status document (docs/admin-api.md)."""
    now = time.time() if now is None else now
    nodes: list[dict[str, Any]] = []
    moving, quarantined, versions = 0, 0, set()
    for address, doc in documents.items():
        if doc is None:
            nodes.append({"address": address, "up": False, "ring_version": None,
                          "devices": [], "replication": None})
            continue
        version = (doc.get("ring") or {}).get("version")
        versions.add(version)
        devices = [{"name": name, **d} for name, d in sorted(doc.get("devices", {}).items())]
        moving += sum(int(d.get("handoffs", 0)) for d in devices)
        quarantined += sum(int(d.get("quarantined", 0)) for d in devices)
        rep = doc.get("replication") or {}
        finished = rep.get("finished")
        nodes.append({"address": address, "up": True, "ring_version": version,
                      "devices": devices, "replication": {
                          "last_pass": finished,
                          "age": round(now - finished, 1) if finished else None,
                          "files_pushed": rep.get("files_pushed", 0),
                          "failures": rep.get("failures", 0)} if rep else None})
    return {"ring": ring_summary(ring), "nodes": nodes, "moving": moving,
            "down": sum(1 for n in nodes if not n["up"]),
            "ring_versions_agree": all(v == ring.version for v in versions),
            "quarantined": quarantined}
