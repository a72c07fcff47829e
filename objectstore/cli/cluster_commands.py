"""`objectstore cluster init`, `objectstore node` and `objectstore proxy`: a cluster of
separate processes (one per node, one proxy), on one host or several."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path
from typing import Any

import uvicorn

from objectstore.cli import eventloop
from objectstore.cli.assemble import build_endpoint
from objectstore.cli.configs import (
    load_node_config,
    load_proxy_config,
    node_toml,
    proxy_toml,
)
from objectstore.cli.errors import CommandError
from objectstore.node.client import NodeClient
from objectstore.node.server import NodeApp
from objectstore.proxy.core import Proxy
from objectstore.ring import PathHasher, RingBuilder
from objectstore.ring.files import RingFile, save_builder, save_ring, write_atomic


def register(commands: Any) -> None:
    cluster = commands.add_parser("cluster", help="set up a cluster of separate processes")
    sub = cluster.add_subparsers(dest="cluster_command", metavar="CLUSTER_COMMAND",
                                 required=True)
    p = sub.add_parser("init", help="write ring, secret and one config per process")
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--nodes", type=int, default=3, metavar="N")
    p.add_argument("--replicas", type=int, default=3, metavar="R")
    p.add_argument("--part-power", type=int, default=10, metavar="P")
    p.add_argument("--host", default="127.0.0.1", metavar="H")
    p.add_argument("--base-port", type=int, default=6200, metavar="N",
                   help="node i listens on N+i")
    p.add_argument("--proxy-port", type=int, default=8080, metavar="N")
    p.set_defaults(run=cmd_init)

    p = commands.add_parser("node", help="run one storage node")
    p.add_argument("--config", type=Path, required=True, metavar="FILE")
    p.set_defaults(run=cmd_node)
    p = commands.add_parser("proxy", help="run the proxy (Swift API)")
    p.add_argument("--config", type=Path, required=True, metavar="FILE")
    p.set_defaults(run=cmd_proxy)


def cmd_init(args: argparse.Namespace) -> int:
    root: Path = args.dir
    if (root / "object.ring").exists():
        raise CommandError(f"{root} already holds a cluster (object.ring exists)")
    if args.replicas > args.nodes:
        raise CommandError(f"{args.replicas} replicas need at least {args.replicas} nodes")
    root.mkdir(parents=True, exist_ok=True)
    secret_path = root / "secret"
    write_atomic(secret_path, (secrets.token_hex(32) + "\n").encode())
    os.chmod(secret_path, 0o600)
    hash_prefix = secrets.token_hex(16)
    builder = RingBuilder(args.part_power, args.replicas, 1)
    for i in range(args.nodes):
        port = args.base_port + i
        (root / f"node{i}" / f"d{i}").mkdir(parents=True, exist_ok=True)
        builder.add_device(1, i + 1, args.host, port, f"d{i}", 100)
        write_atomic(root / f"node{i}.toml",
                     node_toml(i, args.host, port, hash_prefix).encode())
    builder.rebalance()
    save_builder(builder, root / "object.builder")
    save_ring(builder.ring_data(), root / "object.ring")
    write_atomic(root / "proxy.toml", proxy_toml(args.host, args.proxy_port,
                                                 hash_prefix).encode())
    print(f"cluster in {root}: {args.nodes} nodes on {args.host}:{args.base_port}.."
          f"{args.base_port + args.nodes - 1}, proxy on {args.host}:{args.proxy_port}, "
          f"{args.replicas} replicas")
    for i in range(args.nodes):
        print(f"  objectstore node --config {root / f'node{i}.toml'}")
    print(f"  objectstore proxy --config {root / 'proxy.toml'}")
    return 0


def cmd_node(args: argparse.Namespace) -> int:
    config = load_node_config(args.config)
    if not config.devices.is_dir():
        raise CommandError(f"devices directory {config.devices} does not exist")
    uvicorn.run(NodeApp(config), host=config.host, port=config.port, log_level="warning",
                lifespan="on")
    return 0


def cmd_proxy(args: argparse.Namespace) -> int:
    config = load_proxy_config(args.config)

    async def main() -> None:
        client = NodeClient(config.secret, config.settings.connect_timeout,
                            config.settings.read_timeout)
        ring = RingFile(config.ring, PathHasher(config.hash_prefix, ""))
        proxy = Proxy(ring, client, config.settings)
        api = build_endpoint(proxy, config.users, config.s3_domains)
        server = uvicorn.Server(uvicorn.Config(api, host=config.host, port=config.port,
                                               log_level="warning", lifespan="off"))
        try:
            await server.serve()
        finally:
            await client.close()

    eventloop.run(main())
    return 0
