"""`objectstore serve`: the embedded default, everything in one command."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from objectstore.cli import config_keys, eventloop, server_options


def register(commands: Any) -> None:
    p = commands.add_parser("serve", help="run a proxy and local storage nodes",
                            description="Run the proxy (S3 and Swift APIs), N local "
                                        "storage nodes and their daemons in one process, "
                                        "on one data directory.")
    p.add_argument("--data-dir", default="./data", type=Path, metavar="DIR")
    p.add_argument("--host", default="127.0.0.1", metavar="H")
    p.add_argument("--port", default=8080, type=int, metavar="P")
    p.add_argument("--nodes", default=3, type=int, metavar="N")
    p.add_argument("--replicas", default=3, type=int, metavar="R")
    p.add_argument("--config", type=Path, metavar="FILE",
                   help="TOML config: users and settings (docs/configuration.md)")
    server_options.add_server_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from objectstore.cli.embedded import serve
    server_options.setup_logging(args, "proxy")
    config_keys.warn_unknown(args.config, serve=True)
    eventloop.run(serve(args.data_dir, args.host, args.port, args.nodes, args.replicas,
                        args.config, server_options.head_limits(args)))
    return 0
