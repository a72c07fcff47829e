"""`objectstore ring push RINGFILE --config FILE`: send a new ring to every node of the
cluster over the node API. Each node installs it if it is newer than the one it holds
and its processes reload it within seconds, without restarting; proxies fetch it from
the nodes (see proxy/ring_sync.py). The nodes of the ring held now are told too, so a
node on its way out learns that its data must move."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from objectstore.cli import eventloop
from objectstore.cli.configs import load_cluster_access
from objectstore.node.client import NodeClient, Target
from objectstore.proxy.fanout import NODE_ERRORS
from objectstore.ring import RingError
from objectstore.ring.files import load_ring, ring_from_bytes, write_atomic

PUSH_TIMEOUT = 30.0


def register(sub: Any) -> None:
    p = sub.add_parser("push", help="send a ring file to every node; they reload it live")
    p.add_argument("ring", type=Path, metavar="RINGFILE")
    p.add_argument("--config", type=Path, required=True, metavar="FILE",
                   help="a node's or the proxy's config (for the cluster secret and the "
                   "ring in use now, which is updated too)")
    p.set_defaults(run=cmd_push)


async def push(client: NodeClient, nodes: list[tuple[str, int]], data: bytes
               ) -> dict[tuple[str, int], str]:
    """Each node's outcome, as a short phrase."""
    async def one(host: str, port: int) -> str:
        try:
            resp = await client.request("PUT", Target(host, port, ""), "/ring", {}, data,
                                        timeout=PUSH_TIMEOUT)
            async with resp:
                await resp.read()
                held = resp.headers.get("x-ring-version", "?")
                return {201: f"installed version {held}", 200: f"already held version {held}",
                        409: f"REFUSED: holds version {held}"}.get(
                            resp.status, f"FAILED: status {resp.status}")
        except NODE_ERRORS as exc:
            return f"FAILED: unreachable ({exc.__class__.__name__})"

    answers = await asyncio.gather(*(one(h, p) for h, p in nodes))
    return dict(zip(nodes, answers, strict=True))


def cmd_push(args: argparse.Namespace) -> int:
    data = args.ring.read_bytes()
    new = ring_from_bytes(data)
    secret, held_path = load_cluster_access(args.config)
    nodes = {(d.host, d.port) for d in new.devices}
    held = None
    try:
        held = load_ring(held_path)
        nodes |= {(d.host, d.port) for d in held.devices}
    except RingError:
        pass                            # no ring there yet: only the new ring's nodes

    async def main() -> dict[tuple[str, int], str]:
        client = NodeClient(secret)
        try:
            return await push(client, sorted(nodes), data)
        finally:
            await client.close()

    outcomes: dict[tuple[str, int], str] = eventloop.run(main())
    for (host, port), outcome in sorted(outcomes.items()):
        print(f"  {host}:{port}  {outcome}")
    if held is None or new.version > held.version:
        write_atomic(held_path, data)
        print(f"  {held_path}  now version {new.version}")
    failed = sum(o.startswith(("FAILED", "REFUSED")) for o in outcomes.values())
    print(f"ring version {new.version} ({new.checksum[:12]}): {len(outcomes) - failed} of "
          f"{len(outcomes)} nodes hold it")
    return 1 if failed else 0
