"""Options every server process and daemon shares: how it logs, and (servers) how long a
client may take to send a request's head. Defaults can come from the environment, for
containers."""

from __future__ import annotations

import argparse
import os

from objectstore import logs
from objectstore.serving.head_limits import HeadLimits


def add_log_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-format", choices=logs.FORMATS,
                   default=os.environ.get("OBJECTSTORE_LOG_FORMAT", "json"),
                   help="one JSON object per line on stderr (default), or text for a "
                   "terminal ($OBJECTSTORE_LOG_FORMAT)")
    p.add_argument("--log-level", choices=logs.LEVELS,
                   default=os.environ.get("OBJECTSTORE_LOG_LEVEL", "info"),
                   help="least severe level logged (default info; debug adds a line per "
                   "node request) ($OBJECTSTORE_LOG_LEVEL)")


def add_server_options(p: argparse.ArgumentParser) -> None:
    add_log_options(p)
    p.add_argument("--head-timeout", type=float, metavar="S",
                   default=float(os.environ.get("OBJECTSTORE_HEAD_TIMEOUT",
                                                HeadLimits.head_timeout)),
                   help="a request's line and headers must all arrive within S seconds, "
                   "else 408 and the connection is closed (default %(default)s)")


def setup_logging(args: argparse.Namespace, role: str) -> None:
    logs.setup(role, args.log_format, args.log_level)


def head_limits(args: argparse.Namespace) -> HeadLimits:
    return HeadLimits(head_timeout=args.head_timeout)
