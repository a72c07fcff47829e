"""`objectstore keys rotate FILE` and `objectstore keys list FILE`: the key file of
encryption at rest (crypto/keyfile.py). Rotating adds a key and makes it the one new
objects are sealed with; objects sealed before stay readable under theirs. A cluster's
proxies each read their own copy: copy the new file to all of them (each sees it within
a few seconds, without a restart) -- before any writes with it, or a proxy without
the new key cannot read what another sealed with it until it has the file."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from objectstore.cli.errors import CommandError
from objectstore.crypto import keyfile


def register(commands: Any) -> None:
    p = commands.add_parser("keys", help="the key file of encryption at rest")
    sub = p.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    rotate = sub.add_parser("rotate", help="add a key and make it active (makes the "
                            "file if it is missing)")
    rotate.add_argument("file", type=Path, metavar="FILE",
                        help="e.g. <data-dir>/encryption-keys.json, or a cluster dir's")
    rotate.set_defaults(run=cmd_rotate)
    listing = sub.add_parser("list", help="the key ids, and which is active")
    listing.add_argument("file", type=Path, metavar="FILE")
    listing.set_defaults(run=cmd_list)


def cmd_rotate(args: argparse.Namespace) -> int:
    try:
        if not args.file.exists():
            keyfile.create(args.file)
            print(f"{args.file}: made, active key k1")
            return 0
        new_id = keyfile.rotate(args.file)
    except keyfile.KeyFileError as exc:
        raise CommandError(str(exc)) from None
    print(f"{args.file}: active key {new_id} (copy the file to every proxy)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    try:
        keys = keyfile.load(args.file)
    except keyfile.KeyFileError as exc:
        raise CommandError(str(exc)) from None
    for key_id in keys.keys:
        print(f"{key_id}{'  (active)' if key_id == keys.active else ''}")
    return 0
