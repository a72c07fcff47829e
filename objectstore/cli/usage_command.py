"""`objectstore usage [--account A] [--since 7d|ISO] [--until ...] [--json]`: what
accounts store and transfer (the admin API's `usage`; docs/usage.md). A reseller
admin sees every account, or the one named; any other user its own.

The table shows per account what the latest sample found (per bucket too) and the
window's transfers summed per class; `--json` prints the API's answer as it is."""

from __future__ import annotations

import argparse
import json
from typing import Any
from urllib.parse import urlencode

from objectstore.cli.admin_client import AdminClient, add_connection_options

CLASSES = ("read", "write", "list", "delete", "other")


def register(commands: Any) -> None:
    p = commands.add_parser("usage", help="bytes and objects stored, requests and bytes "
                            "transferred, per account and bucket (admin API)")
    p.add_argument("--account", metavar="A", help="this account only (a reseller admin's "
                   "default: every account; anyone else's: their own)")
    p.add_argument("--since", metavar="T", help="from: an ISO 8601 UTC time "
                   "(2026-12-06T00:00:00Z) or a span before now (7d, 24h, 90m); "
                   "default 24h")
    p.add_argument("--until", metavar="T", help="to (same forms; default now)")
    p.add_argument("--json", action="store_true", help="the admin API's JSON answer")
    add_connection_options(p)
    p.set_defaults(run=cmd_usage)


def cmd_usage(args: argparse.Namespace) -> int:
    query = {k: v for k, v in (("account", args.account), ("since", args.since),
                               ("until", args.until)) if v}
    doc = AdminClient.of(args).call("GET", "usage" + (f"?{urlencode(query)}"
                                                      if query else ""))
    print(json.dumps(doc, indent=1) if args.json else table(doc))
    return 0


def table(doc: dict[str, Any]) -> str:
    """The report as text: a block per account."""
    lines = [f"usage from {doc['since']} to {doc['until']}"]
    if not doc["accounts"]:
        lines.append("(no account has usage in this window)")
    for name, usage in doc["accounts"].items():
        lines += ["", *account_lines(name, usage)]
    return "\n".join(lines)


def account_lines(name: str, usage: dict[str, Any]) -> list[str]:
    stored = usage["stored"]
    if stored is None:
        lines = [f"account {name}: stored: no sample taken yet"]
    else:
        lines = [f"account {name}: {stored['bytes']:,} bytes in {stored['objects']:,} "
                 f"objects (sampled {stored['time']})"]
        if stored["buckets"]:
            lines.append(f"  {'bucket':32} {'bytes':>16} {'objects':>12}")
            lines += [f"  {bucket:32} {b['bytes']:>16,} {b['objects']:>12,}"
                      for bucket, b in sorted(stored["buckets"].items())]
    sums = {kind: [0, 0, 0] for kind in CLASSES}
    for row in usage["transfer"]:
        total = sums.setdefault(row["class"], [0, 0, 0])
        for i, field in enumerate(("requests", "bytes_in", "bytes_out")):
            total[i] += row[field]
    lines.append(f"  {'transfers':32} {'requests':>12} {'bytes in':>16} {'bytes out':>16}")
    lines += [f"  {kind:32} {r:>12,} {bi:>16,} {bo:>16,}"
              for kind, (r, bi, bo) in sums.items()]
    return lines
