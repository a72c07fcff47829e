"""`objectstore status [--config FILE | --url URL --user U --key K] [--json]`: every node
of the cluster at a glance -- up or down, the ring version it holds, per device its
usage, the partitions it keeps and the handoffs still to move (a ring change is
finished when that is 0 everywhere), quarantined files, and its last replication pass.

With `--config` (a node's or the proxy's: the cluster secret and the ring) it asks the
nodes itself; otherwise it asks a proxy's admin API as a reseller admin (which is how
it works for `serve`, whose nodes have no config file). Exit 1 if a node does not
answer."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from objectstore.admin.cluster_status import node_documents, ring_nodes, summary
from objectstore.cli import eventloop
from objectstore.cli.admin_client import AdminClient, add_connection_options
from objectstore.cli.configs import load_cluster_access
from objectstore.node.client import NodeClient
from objectstore.ring.files import load_ring

GIB = 1 << 30


def register(commands: Any) -> None:
    p = commands.add_parser("status", help="nodes up or down, devices, ring versions, "
                            "data still moving, replication")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="a node's or the proxy's config: ask the nodes directly")
    add_connection_options(p)
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


def _replication(node: dict[str, Any]) -> str:
    rep = node.get("replication")
    if not rep or not rep.get("last_pass"):
        return "no pass yet"
    return (f"{rep['age']:.0f} s ago, {rep.get('files_pushed', 0)} files pushed, "
            f"{rep.get('failures', 0)} failures")


def render(doc: dict[str, Any]) -> list[str]:
    """The status document (admin/cluster_status.summary) as a table."""
    lines = [f"{'node':22} {'ring':>5} {'device':8} {'used GiB':>9} {'free GiB':>9} "
             f"{'partitions':>10} {'handoffs':>9} {'quarant.':>8}  last replication"]
    for node in doc["nodes"]:
        if not node["up"]:
            lines.append(f"{node['address']:22} {'-':>5} {'UNREACHABLE':8}")
            continue
        for d in node["devices"] or [{"name": "-"}]:
            lines.append(
                f"{node['address']:22} {node['ring_version']!s:>5} {d['name']:8} "
                f"{d.get('used', 0) / GIB:>9.1f} {d.get('free', 0) / GIB:>9.1f} "
                f"{d.get('partitions', 0):>10} {d.get('handoffs', 0):>9} "
                f"{d.get('quarantined', 0):>8}  {_replication(node)}")
    for name, p in doc.get("passes", {}).items():
        lines.append(f"{name}: last pass on {p['nodes']} node(s), the oldest "
                     f"{p['oldest_age']:.0f} s ago, {p['items']} items, {p['errors']} errors")
    versions = {n["ring_version"] for n in doc["nodes"] if n["up"]}
    same = (f"ring version {versions.pop()} on every node" if len(versions) == 1
            else f"ring versions differ: {sorted(map(str, versions))}")
    moving = doc["moving"]
    lines.append(f"{same}; {moving} handoff partitions still to move"
                 f"{'' if moving else ' (placement settled)'}")
    return lines


def cmd_status(args: argparse.Namespace) -> int:
    if args.config is not None:
        secret, ring_path = load_cluster_access(args.config)
        ring = load_ring(ring_path)
        doc = summary(ring, eventloop.run(gather_status(secret, ring_nodes(ring))))
    else:
        doc = AdminClient.of(args).call("GET", "status")
    print(json.dumps(doc, indent=1) if args.json else "\n".join(render(doc)))
    return 1 if doc["down"] else 0
