"""The `objectstore` console command: one argparse tree, one subpackage per command group."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib import metadata

from objectstore import logs
from objectstore.cli import (
    cluster_commands,
    daemon_commands,
    health_command,
    keys_command,
    ring_commands,
    serve_command,
    status_command,
    usage_command,
    users_command,
)
from objectstore.cli.errors import CommandError
from objectstore.serving.servers import ListenError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="objectstore",
        description="An object store speaking the S3 and OpenStack Swift APIs.")
    parser.add_argument("--version", action="version", version=f"objectstore {version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    ring_commands.register(commands)
    serve_command.register(commands)
    cluster_commands.register(commands)
    daemon_commands.register(commands)
    health_command.register(commands)
    status_command.register(commands)
    keys_command.register(commands)
    users_command.register(commands)
    usage_command.register(commands)
    return parser


def version() -> str:
    try:
        return metadata.version("objectstore")
    except metadata.PackageNotFoundError:      # run from a source tree, not installed
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if hasattr(args, "log_format"):     # a server or daemon: logs from the start
        logs.setup(args.command, args.log_format, args.log_level)
    try:
        status = int(args.run(args) or 0)
        sys.stdout.flush()          # a closed pipe shows here rather than at exit
        return status
    except BrokenPipeError:
        return _reader_went_away()
    except (*ring_commands.EXPECTED_ERRORS, CommandError, ListenError) as exc:
        if hasattr(args, "log_format"):     # a server: its log says why it stopped
            logging.getLogger("objectstore").error("cannot run: %s", exc)
        else:
            print(f"objectstore {args.command}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _reader_went_away() -> int:
    """Output into a closed pipe (`objectstore status --json | head`): stop quietly, as
    a command killed by SIGPIPE would, and keep Python's exit-time flush quiet too."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 128 + 13


if __name__ == "__main__":
    sys.exit(main())
