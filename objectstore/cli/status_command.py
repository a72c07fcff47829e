"""`objectstore status --config FILE [--json]`: every node of the cluster at a glance --
the ring version it holds, per device the partitions it keeps and the handoffs still to
move (a ring change is finished when that is 0 everywhere), and its last replication
pass. Exit 1 if a node does not answer."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from objectstore.admin.cluster_status import node_documents
from objectstore.cli import eventloop
from objectstore.cli.configs import load_cluster_access
from objectstore.node.client import NodeClient
from objectstore.ring.files import load_ring


def register(commands: Any) -> None:
    p = commands.add_parser("status", help="ring versions, data still moving, replication, "
                            "per node")
    p.add_argument("--config", type=Path, required=True, metavar="FILE",
                   help="a node's or the proxy's config (cluster secret and ring)")
    p.add_argument("--json", action="store_true", help="one JSON document instead")
    p.set_defaults(run=cmd_status)


async def gather_status(secret: bytes, nodes: list[tuple[str, int]]
                        ) -> dict[str, dict[str, Any] | None]:
    """Each node's /status document, or None if it did not answer."""
    client = NodeClient(secret)
    try:
        return await node_documents(client, nodes)
    finally:
        await client.close()


def _replication(doc: dict[str, Any]) -> str:
    rep = doc.get("replication")
    if not rep or not rep.get("finished"):
        return "no pass yet"
    return (f"{time.time() - rep['finished']:.0f} s ago, {rep.get('files_pushed', 0)} "
            f"files pushed, {rep.get('failures', 0)} failures")


def cmd_status(args: argparse.Namespace) -> int:
    secret, ring_path = load_cluster_access(args.config)
    ring = load_ring(ring_path)
    nodes = sorted({(d.host, d.port) for d in ring.devices})
    status = eventloop.run(gather_status(secret, nodes))
    if args.json:
        print(json.dumps({"ring": {"version": ring.version, "checksum": ring.checksum},
                          "nodes": status}, indent=1))
        return 0 if all(status.values()) else 1
    print(f"{'node':22} {'ring':>5} {'device':8} {'partitions':>10} {'handoffs':>9}  "
          "last replication")
    versions, handoffs = set(), 0
    for node, doc in status.items():
        if doc is None:
            print(f"{node:22} {'-':>5} {'UNREACHABLE':8}")
            continue
        version = (doc.get("ring") or {}).get("version", "-")
        versions.add(version)
        for device, d in sorted(doc.get("devices", {}).items()) or [("-", {})]:
            handoffs += d.get("handoffs", 0)
            print(f"{node:22} {version:>5} {device:8} {d.get('partitions', 0):>10} "
                  f"{d.get('handoffs', 0):>9}  {_replication(doc)}")
    same = (f"ring version {versions.pop()} on every node" if len(versions) == 1
            else f"ring versions differ: {sorted(map(str, versions))}")
    print(f"{same}; {handoffs} handoff partitions still to move"
          f"{'' if handoffs else ' (placement settled)'}")
    return 0 if all(status.values()) else 1
