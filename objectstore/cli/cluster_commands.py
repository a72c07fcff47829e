"""`objectstore cluster init`, `objectstore node` and `objectstore proxy`: a cluster of
separate processes (one per node, one proxy), on one host or several."""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
from pathlib import Path
from typing import Any

import uvicorn

from objectstore.cli import config_keys, eventloop, server_options
from objectstore.cli.assemble import api_error_body, build_endpoint
from objectstore.cli.configs import (
    load_metrics,
    load_node_config,
    load_proxy_config,
    node_toml,
    proxy_toml,
)
from objectstore.cli.encryption_settings import keyring_of
from objectstore.cli.errors import CommandError
from objectstore.crypto import keyfile
from objectstore.metrics.ports import node_port, proxy_metrics
from objectstore.node.client import NodeClient
from objectstore.node.config import NodeConfig
from objectstore.node.server import NodeApp
from objectstore.proxy.core import Proxy
from objectstore.proxy.keystone import Keystone
from objectstore.proxy.ring_sync import RingSync
from objectstore.ring import RingBuilder, policies
from objectstore.ring.files import RingFile, save_builder, save_ring, write_atomic
from objectstore.serving.gc_tuning import tune_for_serving
from objectstore.serving.request_layer import ClientRequests
from objectstore.serving.servers import NODE_KEEP_ALIVE, listen, uvicorn_config
from objectstore.usage.service import Usage


def register(commands: Any) -> None:
    cluster = commands.add_parser("cluster", help="set up a cluster of separate processes")
    sub = cluster.add_subparsers(dest="cluster_command", metavar="CLUSTER_COMMAND",
                                 required=True)
    p = sub.add_parser("init", help="write ring, secret and one config per process")
    p.add_argument("dir", type=Path, metavar="DIR")
    p.add_argument("--nodes", type=int, default=3, metavar="N")
    p.add_argument("--replicas", type=int, metavar="R",
                   default=int(os.environ.get("OBJECTSTORE_REPLICAS", 3)))
    p.add_argument("--part-power", type=int, metavar="P",
                   default=int(os.environ.get("OBJECTSTORE_PART_POWER", 10)))
    p.add_argument("--host", default="127.0.0.1", metavar="H")
    p.add_argument("--base-port", type=int, default=6200, metavar="N",
                   help="node i listens on N+i")
    p.add_argument("--proxy-port", type=int, metavar="N",
                   default=int(os.environ.get("OBJECTSTORE_PROXY_PORT", 8080)))
    p.add_argument("--node", action="append", dest="node_addrs", metavar="HOST:PORT",
                   default=_env_list("OBJECTSTORE_NODES"),
                   help="one node's address, repeated (or $OBJECTSTORE_NODES, comma-"
                   "separated); instead of --nodes/--host/--base-port, e.g. for nodes on "
                   "several hosts or compose services")
    p.add_argument("--devices-root", default=os.environ.get("OBJECTSTORE_DEVICES_ROOT"),
                   metavar="DIR", help="where every node keeps its devices, when that is "
                   "not below DIR (a volume or disk of the node's own host)")
    p.add_argument("--if-missing", action="store_true",
                   default=bool(os.environ.get("OBJECTSTORE_INIT_IF_MISSING")),
                   help="do nothing if DIR already holds a cluster (a one-shot init "
                   "service that runs on every start)")
    p.set_defaults(run=cmd_init)

    p = commands.add_parser("node", help="run one storage node")
    p.add_argument("--config", type=Path, required=True, metavar="FILE")
    p.add_argument("--bind", default=os.environ.get("OBJECTSTORE_BIND"), metavar="ADDR",
                   help="listen on this address instead of the config's host (e.g. "
                   "0.0.0.0 in a container whose ring name is its service name)")
    server_options.add_server_options(p)
    p.set_defaults(run=cmd_node)
    p = commands.add_parser("proxy", help="run the proxy (S3 and Swift APIs)")
    p.add_argument("--config", type=Path, required=True, metavar="FILE")
    p.add_argument("--bind", default=os.environ.get("OBJECTSTORE_BIND"), metavar="ADDR",
                   help="listen on this address instead of the config's host")
    server_options.add_server_options(p)
    p.set_defaults(run=cmd_proxy)


def _env_list(name: str) -> list[str] | None:
    value = os.environ.get(name, "")
    return [v.strip() for v in value.split(",") if v.strip()] or None


def _addresses(args: argparse.Namespace) -> list[tuple[str, int]]:
    """The nodes' addresses: as listed, or N ports on one host."""
    if not args.node_addrs:
        return [(args.host, args.base_port + i) for i in range(args.nodes)]
    out = []
    for addr in args.node_addrs:
        host, _, port = addr.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"bad node address {addr!r} (want HOST:PORT)")
        out.append((host, int(port)))
    if len(set(out)) != len(out):
        raise CommandError("a node address is listed twice")
    return out


def cmd_init(args: argparse.Namespace) -> int:
    root: Path = args.dir
    if (root / "object.ring").exists():
        if args.if_missing:
            print(f"cluster in {root} already set up; nothing to do")
            return 0
        raise CommandError(f"{root} already holds a cluster (object.ring exists)")
    addresses = _addresses(args)
    if args.replicas > len(addresses):
        raise CommandError(f"{args.replicas} replicas need at least {args.replicas} nodes")
    root.mkdir(parents=True, exist_ok=True)
    secret_path = root / "secret"
    write_atomic(secret_path, (secrets.token_hex(32) + "\n").encode())
    os.chmod(secret_path, 0o600)
    if not (root / keyfile.FILE_NAME).exists():     # (an earlier init's opens its objects)
        keyfile.create(root / keyfile.FILE_NAME)
    hash_prefix = secrets.token_hex(16)
    builder = RingBuilder(args.part_power, args.replicas, 1)
    builder.policies = policies.usual(builder.replicas)
    for i, (host, port) in enumerate(addresses):
        devices = args.devices_root or f"node{i}"
        if args.devices_root is None:
            (root / devices / f"d{i}").mkdir(parents=True, exist_ok=True)
        builder.add_device(1, i + 1, host, port, f"d{i}", 100)
        write_atomic(root / f"node{i}.toml",
                     node_toml(host, port, devices, hash_prefix).encode())
    builder.rebalance()
    save_builder(builder, root / "object.builder")
    # the ring last: its presence says the directory is complete (--if-missing)
    admin_key = secrets.token_urlsafe(18)
    write_atomic(root / "proxy.toml", proxy_toml(args.host, args.proxy_port, hash_prefix,
                                                 admin_key).encode())
    save_ring(builder.ring_data(), root / "object.ring")
    print(f"cluster in {root}: {len(addresses)} nodes at "
          f"{', '.join(f'{h}:{p}' for h, p in addresses)}, proxy on "
          f"{args.host}:{args.proxy_port}, {args.replicas} replicas")
    for i in range(len(addresses)):
        print(f"  objectstore node --config {root / f'node{i}.toml'}")
    print(f"  objectstore proxy --config {root / 'proxy.toml'}")
    print(f"reseller admin: user admin:admin, key {admin_key} (in proxy.toml), for "
          "`objectstore status|users|usage --user admin:admin --key ...`")
    return 0


def cmd_node(args: argparse.Namespace) -> int:
    config = load_node_config(args.config)
    if not config.devices.is_dir():
        raise CommandError(f"devices directory {config.devices} does not exist")
    for device in _own_devices(config):
        (config.devices / device).mkdir(exist_ok=True)
    role = node_role(config.host, config.port)
    server_options.setup_logging(args, role)
    config_keys.warn_unknown(args.config)
    _, app = node_port(NodeApp(config), role, load_metrics(args.config), own_process=True)
    sock = listen(args.bind or config.host, config.port)
    server = uvicorn.Server(uvicorn_config(app, args.bind or config.host, config.port,
                                           limits=server_options.head_limits(args),
                                           keep_alive=NODE_KEEP_ALIVE))
    tune_for_serving()
    server.run([sock])
    return 0


def node_role(host: str, port: int) -> str:
    """How a node names itself in log lines: its ring address."""
    return f"node@{host}:{port}"


def _own_devices(config: NodeConfig) -> list[str]:
    """The ring's devices at this node's address: a fresh volume gets their
    directories (the devices root itself must exist: a missing mount is an error)."""
    if config.ring is None or not config.ring.exists():
        return []
    ring = RingFile(config.ring, config.hasher())
    return [d.device for d in ring.current().devices
            if (d.host, d.port) == (config.host, config.port)]


def cmd_proxy(args: argparse.Namespace) -> int:
    config = load_proxy_config(args.config, dict(os.environ))
    server_options.setup_logging(args, "proxy")
    config_keys.warn_unknown(args.config)
    sock = listen(args.bind or config.host, config.port)

    async def main() -> None:
        client = NodeClient(config.secret, config.settings.connect_timeout,
                            config.settings.read_timeout)
        ring = RingFile(config.ring, config.hasher())
        proxy = Proxy(ring, client, config.settings)
        if config.key_file is not None:
            proxy.keyring = keyring_of(config.key_file, config.kms)
        keystone = Keystone(config.keystone) if config.keystone else None
        usage = Usage(proxy, config.usage)
        observer, metrics = proxy_metrics(proxy, config.metrics)
        api = ClientRequests(build_endpoint(proxy, config.users, config.s3_domains,
                                            config.secret, config.token_life,
                                            config.day_seconds, keystone,
                                            config.expiry.allow_open_expired,
                                            config.log_timing, usage, metrics),
                             api_error_body, observers=[usage.observe, observer])
        server = uvicorn.Server(uvicorn_config(api, args.bind or config.host, config.port,
                                               limits=server_options.head_limits(args),
                                               lifespan="off"))
        sync = asyncio.create_task(RingSync(ring, client,
                                            config.settings.ring_check_interval).run_forever())
        metering = asyncio.create_task(usage.run_forever())
        tune_for_serving()
        try:
            await server.serve([sock])
        finally:
            sync.cancel()
            metering.cancel()
            await asyncio.gather(metering, return_exceptions=True)
            await usage.close()          # the transfers counted since the last flush
            await proxy.close()
            await client.close()
            if keystone is not None:
                await keystone.close()

    eventloop.run(main())
    return 0
