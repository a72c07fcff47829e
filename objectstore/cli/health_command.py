"""`objectstore healthcheck [URL]`: exit 0 if a server answers its health check, for
container health checks (slim images have no curl)."""

from __future__ import annotations

import argparse
import os
import urllib.request
from typing import Any

DEFAULT_URL = "http://127.0.0.1:8080/healthcheck"


def register(commands: Any) -> None:
    p = commands.add_parser("healthcheck", help="exit 0 if a proxy or node is healthy")
    p.add_argument("url", nargs="?", metavar="URL",
                   default=os.environ.get("OBJECTSTORE_HEALTH_URL", DEFAULT_URL),
                   help=f"default $OBJECTSTORE_HEALTH_URL or {DEFAULT_URL}")
    p.add_argument("--timeout", type=float, default=3.0, metavar="S")
    p.set_defaults(run=cmd_healthcheck)


def cmd_healthcheck(args: argparse.Namespace) -> int:
    try:
        with urllib.request.urlopen(args.url, timeout=args.timeout) as resp:
            healthy = resp.status == 200
    except OSError as exc:          # refused, timed out, or an HTTP error status
        print(f"unhealthy: {args.url}: {exc}")
        return 1
    return 0 if healthy else 1
