"""The `objectstore` console command: one argparse tree, one subpackage per command group."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from objectstore.cli import (
    cluster_commands,
    daemon_commands,
    health_command,
    ring_commands,
    serve_command,
    status_command,
)
from objectstore.cli.errors import CommandError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="objectstore",
        description="An object store speaking the S3 and OpenStack Swift APIs.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    ring_commands.register(commands)
    serve_command.register(commands)
    cluster_commands.register(commands)
    daemon_commands.register(commands)
    health_command.register(commands)
    status_command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (*ring_commands.EXPECTED_ERRORS, CommandError) as exc:
        print(f"objectstore {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
