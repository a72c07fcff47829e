"""The cluster at a glance, as `objectstore status` and the admin API show it: every
node of the ring asked for its `/status` (node/status_server.py) at once, and their
answers summed up -- which nodes are down, the ring each holds, per device its usage,
the partitions it keeps and those still to move (handoffs: 0 everywhere means a ring
change has finished moving data), quarantined files and async pendings, how long
ago each node's replicator last finished a pass, and every daemon's last pass (the
auditor's, the updater's, ...) per node and summed up per daemon: on how many nodes it
ran, the oldest of those passes, the errors they met."""

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
                          "devices": [], "passes": {}, "replication": None})
            continue
        version = (doc.get("ring") or {}).get("version")
        versions.add(version)
        devices = [{"name": name, **d} for name, d in sorted(doc.get("devices", {}).items())]
        moving += sum(int(d.get("handoffs", 0)) for d in devices)
        quarantined += sum(int(d.get("quarantined", 0)) for d in devices)
        rep = doc.get("replication") or {}
        finished = rep.get("finished")
        passes = {name: {**p, "age": round(now - float(p.get("finished", now)), 1)}
                  for name, p in sorted((doc.get("passes") or {}).items())}
        nodes.append({"address": address, "up": True, "ring_version": version,
                      "devices": devices, "passes": passes, "replication": {
                          "last_pass": finished,
                          "age": round(now - finished, 1) if finished else None,
                          "files_pushed": rep.get("files_pushed", 0),
                          "failures": rep.get("failures", 0)} if rep else None})
    return {"ring": ring_summary(ring), "nodes": nodes, "moving": moving,
            "passes": daemon_passes(nodes),
            "down": sum(1 for n in nodes if not n["up"]),
            "ring_versions_agree": all(v == ring.version for v in versions),
            "quarantined": quarantined}


def daemon_passes(nodes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per daemon over the nodes that are up: how many recorded a pass, the oldest of
    those last passes (seconds ago: a daemon stuck or stopped on one node shows here),
    and the errors of those passes."""
    found: dict[str, dict[str, Any]] = {}
    for node in nodes:
        for name, p in node.get("passes", {}).items():
            one = found.setdefault(name, {"nodes": 0, "oldest_age": 0.0, "errors": 0,
                                          "items": 0})
            one["nodes"] += 1
            one["oldest_age"] = max(one["oldest_age"], p["age"])
            one["errors"] += int(p.get("errors", 0))
            one["items"] += int(p.get("items", 0))
    return dict(sorted(found.items()))
