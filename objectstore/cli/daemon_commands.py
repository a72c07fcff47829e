"""`objectstore replicate|audit|update --config NODE.toml [--once]`: a node's background
work, as long-running daemons or one pass by hand (with a progress bar on a terminal
and a summary). `objectstore serve` runs the same daemons as tasks."""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, Protocol

from objectstore.cli import config_keys, eventloop, server_options
from objectstore.cli.configs import load_node_config
from objectstore.cli.errors import CommandError
from objectstore.cli.expirer_settings import DELAY_REAPING, load_expirer
from objectstore.cli.lifecycle_settings import load_lifecycle
from objectstore.daemons.auditor import Auditor
from objectstore.daemons.expirer import Expirer
from objectstore.daemons.lifecycle import LifecycleWorker
from objectstore.daemons.object_replicator import ObjectReplicator
from objectstore.daemons.updater import Updater
from objectstore.node.client import NodeClient
from objectstore.node.config import NodeConfig
from objectstore.node.suffixes import RECLAIM_AGE
from objectstore.proxy.core import Proxy
from objectstore.request_id import current_role
from objectstore.ring import PathHasher
from objectstore.ring.files import RingFile


class Stats(Protocol):
    def summary(self) -> str: ...


class Daemon(Protocol):
    def run_once(self, progress: Callable[[int, int], None] | None = None
                 ) -> Coroutine[Any, Any, Stats]: ...

    def run_forever(self, interval: float = ...) -> Coroutine[Any, Any, None]: ...


INTERVALS = {"replicate": 30.0, "audit": 60.0, "update": 10.0}
# Swift's defaults: the auditor is background work and must not compete with clients.
AUDIT_BYTES_PER_SECOND = 10e6
AUDIT_FILES_PER_SECOND = 20.0


def make_daemon(kind: str, config: NodeConfig, client: NodeClient,
                args: argparse.Namespace | None = None) -> Daemon:
    """One of a node's daemons; each of its passes is recorded in the node's devices
    directory (node/last_pass: the node's /metrics reads it)."""
    daemon: Updater | Auditor | ObjectReplicator
    if kind == "update":
        daemon = Updater(config, client)
    elif kind == "audit":
        daemon = Auditor(config, bytes_per_second=getattr(args, "bytes_per_second",
                                                          AUDIT_BYTES_PER_SECOND),
                         files_per_second=getattr(args, "files_per_second",
                                                  AUDIT_FILES_PER_SECOND))
    else:
        if config.ring is None or not config.ring.exists():
            raise CommandError(f"the replicator needs the ring file ({config.ring})")
        ring = RingFile(config.ring, PathHasher(config.hash_prefix, config.hash_suffix))
        daemon = ObjectReplicator(config, ring, client,
                                  reclaim_age=getattr(args, "reclaim_age", RECLAIM_AGE),
                                  files_per_second=getattr(args, "files_per_second", 0.0))
    daemon.pass_dir = config.devices
    return daemon


DAEMON_NAMES = {"replicate": "replicator", "audit": "auditor", "update": "updater"}


def daemon_role(kind: str, config: NodeConfig) -> str:
    """How a daemon names itself in log lines: what it is, and for which node."""
    return f"{DAEMON_NAMES[kind]}@{config.host}:{config.port}"


def make_expirer(config: NodeConfig, client: NodeClient,
                 delay_reaping: float = DELAY_REAPING) -> Expirer:
    """This node's expirer: the proxy core over the cluster's ring, and this node's
    share of the queue (its place among the ring's nodes), so each entry has one
    expirer in a cluster whose every node runs `objectstore daemons`."""
    if config.ring is None or not config.ring.exists():
        raise CommandError(f"the expirer needs the ring file ({config.ring})")
    ring = RingFile(config.ring, PathHasher(config.hash_prefix, config.hash_suffix))
    nodes = sorted({(d.host, d.port) for d in ring.current().devices})
    me = (config.host, config.port)
    share = (nodes.index(me), len(nodes)) if me in nodes else (0, 1)
    expirer = Expirer(Proxy(ring, client), share, delay_reaping=delay_reaping)
    expirer.pass_dir = config.devices
    return expirer


def register(commands: Any) -> None:
    helps = {"replicate": "push missing or older replicas to where the ring wants them",
             "audit": "check every stored object and database, quarantine damaged ones",
             "update": "send queued container updates"}
    for kind, text in helps.items():
        p = commands.add_parser(kind, help=text, description=text)
        p.add_argument("--config", type=Path, required=True, metavar="FILE",
                       help="the node's config (from `cluster init`)")
        p.add_argument("--once", action="store_true", help="one pass, then a summary")
        p.add_argument("--interval", type=float, default=INTERVALS[kind], metavar="S",
                       help="seconds between passes when running as a daemon")
        if kind == "audit":
            p.add_argument("--bytes-per-second", type=float, default=AUDIT_BYTES_PER_SECOND,
                           metavar="N", help="read at most this fast (0: unlimited)")
            p.add_argument("--files-per-second", type=float, default=AUDIT_FILES_PER_SECOND,
                           metavar="N", help="check at most this many files a second "
                           "(0: unlimited)")
        if kind == "replicate":
            p.add_argument("--files-per-second", type=float, default=0.0, metavar="N",
                           help="pushes per second at most (0: unlimited)")
            p.add_argument("--reclaim-age", type=float, default=RECLAIM_AGE, metavar="S",
                           help="tombstones older than this are removed (default a week)")
        server_options.add_log_options(p)
        p.set_defaults(run=run_daemon, kind=kind)
    text = ("run a node's replicator, auditor, updater and its share of the object "
            "expirer and of the S3 lifecycle worker together, with their defaults")
    p = commands.add_parser("daemons", help=text, description=text)
    p.add_argument("--config", type=Path, required=True, metavar="FILE",
                   help="the node's config (from `cluster init`)")
    server_options.add_log_options(p)
    p.set_defaults(run=run_all_daemons)


def _progress_bar(label: str) -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        sys.stderr.write(f"\r{label} [{'#' * filled}{' ' * (width - filled)}] "
                         f"{done}/{total}")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    return show


def run_daemon(args: argparse.Namespace) -> int:
    config = load_node_config(args.config)
    server_options.setup_logging(args, daemon_role(args.kind, config))
    config_keys.warn_unknown(args.config)

    async def main() -> None:
        client = NodeClient(config.secret, config.connect_timeout, config.read_timeout)
        try:
            daemon = make_daemon(args.kind, config, client, args)
            if args.once:
                stats = await daemon.run_once(_progress_bar(args.kind))
                print(f"{args.kind}: {stats.summary()}", flush=True)
            else:
                await daemon.run_forever(args.interval)
        finally:
            await client.close()

    eventloop.run(main())
    return 0


def run_all_daemons(args: argparse.Namespace) -> int:
    """One process for all of a node's background work (a container per node's)."""
    config = load_node_config(args.config)
    server_options.setup_logging(args, f"daemons@{config.host}:{config.port}")
    config_keys.warn_unknown(args.config)

    async def main() -> None:
        client = NodeClient(config.secret, config.connect_timeout, config.read_timeout)
        expiry = load_expirer(args.config)
        expirer = make_expirer(config, client, expiry.delay_reaping)
        settings = load_lifecycle(args.config)
        worker = LifecycleWorker(expirer.proxy, settings.day_seconds,
                                 settings.actions_per_second, share=expirer.share)
        worker.pass_dir = config.devices
        try:
            await asyncio.gather(*(
                asyncio.create_task(make_daemon(kind, config, client).run_forever(interval),
                                    context=_with_role(daemon_role(kind, config)))
                for kind, interval in INTERVALS.items()),
                asyncio.create_task(expirer.run_forever(expiry.interval),
                                    context=_with_role(f"expirer@{config.host}:{config.port}")),
                asyncio.create_task(worker.run_forever(),
                                    context=_with_role(f"lifecycle@{config.host}:{config.port}")))
        finally:
            await expirer.proxy.close()
            await client.close()

    eventloop.run(main())
    return 0


def _with_role(role: str) -> contextvars.Context:
    """A context for a daemon's task, so its log lines say which daemon wrote them."""
    context = contextvars.copy_context()
    context.run(current_role.set, role)
    return context
