"""`objectstore serve`: a proxy and N storage nodes in one process, on one data dir.

    <data-dir>/serve.json        cluster secret, hash salt and node ports (made once)
    <data-dir>/encryption-keys.json  the keys of encryption at rest (made once)
    <data-dir>/object.builder    the ring's builder, and object.ring the ring
    <data-dir>/node<i>/d<i>/     node i's one device

Restarting on the same data dir reuses all of it, so the data stays where the ring
says it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import secrets
import signal
import socket
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import uvicorn

from objectstore.api.tempauth import DEFAULT_TOKEN_LIFE, DEFAULT_USERS, User, token_life_of
from objectstore.cli.assemble import api_error_body, build_endpoint
from objectstore.cli.cluster_commands import node_role
from objectstore.cli.configs import keystone_of, load_metrics
from objectstore.cli.daemon_commands import (
    INTERVALS,
    daemon_role,
    make_daemon,
)
from objectstore.cli.encryption_settings import keyring_of, load_kms
from objectstore.cli.errors import CommandError
from objectstore.cli.expirer_settings import load_expirer
from objectstore.cli.lifecycle_settings import load_lifecycle
from objectstore.cli.setting_values import log_timing
from objectstore.cli.usage_settings import load_usage
from objectstore.crypto import keyfile
from objectstore.daemons.expirer import Expirer
from objectstore.daemons.lifecycle import LifecycleWorker
from objectstore.metrics import ports as metric_ports
from objectstore.node.config import NodeConfig
from objectstore.node.local_client import LocalNodeClient
from objectstore.node.server import NodeApp
from objectstore.proxy.core import Proxy
from objectstore.proxy.keystone import Keystone
from objectstore.request_id import current_role
from objectstore.ring import PathHasher, RingBuilder, policies
from objectstore.ring.files import RingFile, save_builder, save_ring, write_atomic
from objectstore.serving.gc_tuning import tune_for_serving
from objectstore.serving.head_limits import HeadLimits
from objectstore.serving.request_layer import ClientRequests
from objectstore.serving.servers import NODE_KEEP_ALIVE, ListenError, listen, uvicorn_config
from objectstore.usage.service import Usage

PART_POWER = 10
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Layout:
    secret: bytes
    hash_prefix: str
    node_ports: list[int]
    replicas: int


def _free_ports(n: int, host: str) -> list[int]:
    sockets = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((host, 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def prepare(data_dir: Path, nodes: int, replicas: int, host: str = "127.0.0.1") -> Layout:
    """Create the data dir on first start; afterwards read what it holds."""
    state = data_dir / "serve.json"
    if state.exists():
        doc = json.loads(state.read_text())
        layout = Layout(bytes.fromhex(doc["secret"]), doc["hash_prefix"], doc["node_ports"],
                        doc["replicas"])
        if (len(layout.node_ports), layout.replicas) != (nodes, replicas):
            log.warning("%s was made with %d nodes and %d replicas; using those", data_dir,
                        len(layout.node_ports), layout.replicas)
        return layout
    if replicas > nodes:
        raise CommandError(f"{replicas} replicas need at least {replicas} nodes")
    data_dir.mkdir(parents=True, exist_ok=True)
    layout = Layout(secrets.token_bytes(32), secrets.token_hex(16), _free_ports(nodes, host),
                    replicas)
    builder = RingBuilder(PART_POWER, replicas, 1)
    builder.policies = policies.usual(builder.replicas)
    for i, port in enumerate(layout.node_ports):
        (data_dir / f"node{i}" / f"d{i}").mkdir(parents=True, exist_ok=True)
        builder.add_device(1, i + 1, host, port, f"d{i}", 100)
    builder.rebalance()
    save_builder(builder, data_dir / "object.builder")
    save_ring(builder.ring_data(), data_dir / "object.ring")
    write_atomic(state, json.dumps({"secret": layout.secret.hex(),
                                    "hash_prefix": layout.hash_prefix,
                                    "node_ports": layout.node_ports,
                                    "replicas": replicas}, indent=1).encode())
    return layout


def load_users(config: Path | None) -> tuple[User, ...]:
    if config is None:
        return DEFAULT_USERS
    with open(config, "rb") as f:
        doc: dict[str, Any] = tomllib.load(f)
    users = tuple(User.from_config(u) for u in doc.get("users", []))
    return users or DEFAULT_USERS


def load_log_timing(config: Path | None) -> tuple[float, float]:
    if config is None:
        return log_timing({})
    with open(config, "rb") as f:
        return log_timing(tomllib.load(f))


def load_token_life(config: Path | None) -> int:
    if config is None:
        return DEFAULT_TOKEN_LIFE
    with open(config, "rb") as f:
        return token_life_of(tomllib.load(f))


def load_keystone(config: Path | None) -> Keystone | None:
    """`[keystone]`: users from Keystone besides the config's own."""
    if config is None:
        return None
    with open(config, "rb") as f:
        doc: dict[str, Any] = tomllib.load(f)
    try:
        settings = keystone_of(doc)
    except ValueError as exc:
        raise CommandError(f"bad config {config}: {exc}") from None
    return Keystone(settings) if settings else None


def load_s3_domains(config: Path | None) -> tuple[str, ...]:
    """`[s3] domains = [...]`: <bucket>.<domain> Hosts are virtual-hosted S3."""
    if config is None:
        return ("localhost",)
    with open(config, "rb") as f:
        doc: dict[str, Any] = tomllib.load(f)
    return tuple(doc.get("s3", {}).get("domains", ["localhost"]))


def welcome(data_dir: Path, host: str, port: int, users: tuple[User, ...],
            config: Path | None, nodes: int, replicas: int) -> str:
    """What `serve` prints at start: where it listens and the users it really has (the
    built-in test user's well-known key is shown; a config's keys are not)."""
    lines = [f"objectstore serving {data_dir} on http://{host}:{port}",
             f"  Swift: auth http://{host}:{port}/auth/v1.0",
             f"  S3:    endpoint http://{host}:{port}  region us-east-1",
             f"  Console: http://{host}:{port}/console/"]
    for user in users:
        access_key = user.access_key or f"{user.account}:{user.user}"
        key = user.key if users == DEFAULT_USERS else f"(key in {config})"
        roles = ", ".join(name for name, held in (("admin", user.admin),
                                                  ("reseller admin", user.reseller_admin))
                          if held)
        lines.append(f"  user {user.account}:{user.user}  key {key}  S3 access key "
                     f"{access_key}{f'  ({roles})' if roles else ''}")
    lines.append(f"  {nodes} storage nodes, {replicas} replicas; Ctrl-C stops")
    return "\n".join(lines)


def _with_role(role: str) -> contextvars.Context:
    context = contextvars.copy_context()
    context.run(current_role.set, role)
    return context


class _QuietServer(uvicorn.Server):
    """A uvicorn server that leaves signal handling to us (several share one loop)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve(data_dir: Path, host: str, port: int, nodes: int, replicas: int,
                config: Path | None, limits: HeadLimits | None = None) -> None:
    keystone = load_keystone(config)     # a bad [keystone] stops us before anything runs
    expiry = load_expirer(config)        # and a bad [expirer]
    log_roll = load_log_timing(config)
    kms = load_kms(config)               # and a bad [kms]
    metrics_settings = load_metrics(config)     # and a bad [metrics]
    usage_settings = load_usage(config)  # and a bad [usage]
    layout = prepare(data_dir, nodes, replicas)
    keyfile.ensure(data_dir / keyfile.FILE_NAME)
    # every port bound first: one in use is one clear error, before anything runs
    sockets: list[socket.socket] = []
    try:
        sockets.extend(listen("127.0.0.1", node_port) for node_port in layout.node_ports)
        sockets.append(listen(host, port))
    except ListenError:
        for sock in sockets:
            sock.close()
        raise
    servers = []
    node_configs = []
    # one client for the proxy, the nodes and the daemons, calling the nodes in-process
    client = LocalNodeClient(layout.secret)
    # and the proxy's own, so that its metrics count the proxy's node requests only
    proxy_client = LocalNodeClient(layout.secret)
    for i, node_port in enumerate(layout.node_ports):
        node_config = NodeConfig(devices=data_dir / f"node{i}", secret=layout.secret,
                                 hash_prefix=layout.hash_prefix, port=node_port,
                                 ring=data_dir / "object.ring")
        node_configs.append(node_config)
        app, port_app = metric_ports.node_port(NodeApp(node_config, client),
                                               node_role("127.0.0.1", node_port),
                                               metrics_settings)
        client.attach("127.0.0.1", node_port, app)
        proxy_client.attach("127.0.0.1", node_port, app)
        servers.append(_QuietServer(uvicorn_config(port_app, "127.0.0.1", node_port,
                                                   limits=limits,
                                                   keep_alive=NODE_KEEP_ALIVE)))
    ring = RingFile(data_dir / "object.ring", PathHasher(layout.hash_prefix, ""))
    users = load_users(config)
    proxy = Proxy(ring, proxy_client)
    proxy.keyring = keyring_of(data_dir / keyfile.FILE_NAME, kms)
    lifecycle = load_lifecycle(config)
    usage = Usage(proxy, usage_settings)
    observer, metrics = metric_ports.proxy_metrics(proxy, metrics_settings)
    api = ClientRequests(build_endpoint(proxy, users, load_s3_domains(config),
                                        layout.secret, load_token_life(config),
                                        lifecycle.day_seconds, keystone,
                                        expiry.allow_open_expired, log_roll, usage,
                                        metrics),
                         api_error_body, observers=[usage.observe, observer])
    servers.append(_QuietServer(uvicorn_config(api, host, port, limits=limits,
                                               lifespan="off")))
    def stop_all() -> None:
        for s in servers:
            s.should_exit = True

    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop_all)
    tasks = [asyncio.create_task(s.serve([sock])) for s, sock in zip(servers, sockets,
                                                                       strict=True)]
    while not all(s.started for s in servers):
        if any(t.done() for t in tasks):
            stop_all()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise CommandError("could not start")
        await asyncio.sleep(0.05)
    tune_for_serving()
    print(welcome(data_dir, host, port, users, config, len(layout.node_ports),
                  layout.replicas), flush=True)
    # each node's replicator, auditor and updater, as in a cluster (a slow auditor)
    background = [asyncio.create_task(make_daemon(kind, c, client).run_forever(interval),
                                      context=_with_role(daemon_role(kind, c)))
                  for c in node_configs for kind, interval in INTERVALS.items()]
    # one expirer for all (it uses the proxy), and one lifecycle worker; their last
    # passes are recorded with the first node's (its /metrics shows them)
    expirer = Expirer(proxy, delay_reaping=expiry.delay_reaping)
    worker = LifecycleWorker(proxy, lifecycle.day_seconds, lifecycle.actions_per_second)
    expirer.pass_dir = worker.pass_dir = node_configs[0].devices
    background.append(asyncio.create_task(expirer.run_forever(expiry.interval),
                                          context=_with_role("expirer")))
    background.append(asyncio.create_task(worker.run_forever(),
                                          context=_with_role("lifecycle")))
    background.append(asyncio.create_task(usage.run_forever(),   # usage metering
                                          context=_with_role("usage")))
    await asyncio.gather(*tasks)
    for task in background:
        task.cancel()
    await asyncio.gather(*background, return_exceptions=True)
    await usage.close()          # the transfers counted since the last flush
    await proxy.close()
    await proxy_client.close()
    await client.close()
    if keystone is not None:
        await keystone.close()
