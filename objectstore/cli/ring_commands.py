"""`objectstore ring ...`: create, change, rebalance and inspect rings."""

from __future__ import annotations

import argparse
import copy
import itertools
import json
import math
from pathlib import Path
from typing import Any

from objectstore.cli import ring_push
from objectstore.ring import RingBuilder, RingError, policies
from objectstore.ring.files import load_builder, load_ring, save_builder, save_ring
from objectstore.ring.hashing import PathHasher
from objectstore.ring.metrics import device_balance, wanted_by_weight
from objectstore.ring.plan import Plan

EXPECTED_ERRORS = (RingError, OSError)
HANDOFFS_SHOWN = 3


def register(commands: Any) -> None:
    ring = commands.add_parser("ring", help="build and inspect rings",
                               description="Build and inspect rings.")
    sub = ring.add_subparsers(dest="ring_command", metavar="RING_COMMAND", required=True)

    p = sub.add_parser("create", help="start a new builder file")
    p.add_argument("builder", metavar="BUILDER")
    p.add_argument("--part-power", type=int, required=True, metavar="P",
                   help="2**P partitions (0..24)")
    p.add_argument("--replicas", type=int, required=True, metavar="R")
    p.add_argument("--min-part-hours", type=float, default=1.0, metavar="H",
                   help="hours before a moved partition may move again (default 1)")
    p.add_argument("--force", action="store_true", help="overwrite an existing builder")
    p.set_defaults(run=cmd_create)

    p = sub.add_parser("add", help="add a device; prints its id")
    p.add_argument("builder", metavar="BUILDER")
    p.add_argument("--region", type=int, default=1, metavar="N")
    p.add_argument("--zone", type=int, required=True, metavar="N")
    p.add_argument("--host", required=True, metavar="H")
    p.add_argument("--port", type=int, required=True, metavar="N")
    p.add_argument("--device", required=True, metavar="NAME")
    p.add_argument("--weight", type=_number, required=True, metavar="W")
    p.set_defaults(run=cmd_add)

    p = sub.add_parser("remove", help="remove a device (its data moves at rebalance)")
    p.add_argument("builder", metavar="BUILDER")
    p.add_argument("dev_id", type=int, metavar="ID")
    p.set_defaults(run=cmd_remove)

    p = sub.add_parser("set-weight", help="change a device's weight (0 drains it)")
    p.add_argument("builder", metavar="BUILDER")
    p.add_argument("dev_id", type=int, metavar="ID")
    p.add_argument("weight", type=_number, metavar="W")
    p.set_defaults(run=cmd_set_weight)

    p = sub.add_parser("rebalance", help="reassign partitions and write the ring file")
    p.add_argument("builder", metavar="BUILDER")
    p.add_argument("--seed", type=int, default=0, metavar="N")
    p.add_argument("--ring", metavar="RINGFILE",
                   help="ring file to write (default: BUILDER with suffix .ring)")
    p.set_defaults(run=cmd_rebalance)

    p = sub.add_parser("add-policy", help="add a storage policy (fewer replicas on the "
                       "same devices) and write the ring file")
    p.add_argument("builder", metavar="BUILDER")
    p.add_argument("name", metavar="NAME", help="what X-Storage-Policy names it by")
    p.add_argument("--replicas", type=int, required=True, metavar="K",
                   help="replicas its objects keep: 1 to the ring's count, on the first K "
                   "primaries of each partition")
    p.add_argument("--ring", metavar="RINGFILE",
                   help="ring file to write (default: BUILDER with suffix .ring)")
    p.set_defaults(run=cmd_add_policy)

    ring_push.register(sub)

    p = sub.add_parser("pretend-min-part-hours-passed",
                       help="let every partition move at the next rebalance")
    p.add_argument("builder", metavar="BUILDER")
    p.set_defaults(run=cmd_pretend)

    p = sub.add_parser("show", help="devices, their share of partitions, balance, dispersion")
    p.add_argument("builder", metavar="BUILDER")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_show)

    p = sub.add_parser("assignments", help="devices of every partition, from a ring file")
    p.add_argument("ring", metavar="RINGFILE")
    p.add_argument("--json", action="store_true", help="JSON output (the only format)")
    p.set_defaults(run=cmd_assignments)

    p = sub.add_parser("lookup", help="partition, primaries and handoffs of a name")
    p.add_argument("ring", metavar="RINGFILE")
    p.add_argument("account", metavar="ACCOUNT")
    p.add_argument("container", nargs="?", metavar="CONTAINER")
    p.add_argument("object", nargs="?", metavar="OBJECT")
    p.add_argument("--hash-prefix", default="", help="the cluster's secret hash prefix")
    p.add_argument("--hash-suffix", default="", help="the cluster's secret hash suffix")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_lookup)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0: {text!r}")
    return value


def default_ring_path(builder_path: str) -> Path:
    path = Path(builder_path)
    return path.with_suffix(".ring") if path.suffix == ".builder" else Path(f"{path}.ring")


def cmd_create(args: argparse.Namespace) -> int:
    if Path(args.builder).exists() and not args.force:
        raise RingError(f"{args.builder} already exists (use --force to overwrite)")
    builder = RingBuilder(args.part_power, args.replicas, args.min_part_hours)
    save_builder(builder, args.builder)
    print(f"created {args.builder}: {builder.parts} partitions, {builder.replicas} replicas, "
          f"min_part_hours {builder.min_part_hours:g}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    builder = load_builder(args.builder)
    dev_id = builder.add_device(args.region, args.zone, args.host, args.port, args.device,
                                args.weight)
    save_builder(builder, args.builder)
    print(dev_id)
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    builder = load_builder(args.builder)
    dev = builder.remove_device(args.dev_id)
    save_builder(builder, args.builder)
    print(f"removed device {dev.id} ({dev.host}:{dev.port}/{dev.device}); "
          "its partitions move at the next rebalance")
    return 0


def cmd_set_weight(args: argparse.Namespace) -> int:
    builder = load_builder(args.builder)
    builder.set_weight(args.dev_id, args.weight)
    save_builder(builder, args.builder)
    print(f"device {args.dev_id} weight {args.weight:g}")
    return 0


def cmd_rebalance(args: argparse.Namespace) -> int:
    builder = load_builder(args.builder)
    # partitions min_part_hours holds back: what would move without them, to say so
    trial = copy.deepcopy(builder) if builder.held_back() else None
    report = builder.rebalance(seed=args.seed)
    ring_path = Path(args.ring) if args.ring else default_ring_path(args.builder)
    checksum = save_ring(builder.ring_data(), ring_path)
    save_builder(builder, args.builder)
    total = builder.parts * builder.replicas
    print(f"moved {report.moved} of {total} partition replicas "
          f"({100.0 * report.moved / total:.2f}%)")
    print(f"balance {report.balance:.2f}%  dispersion {report.dispersion:.2f}%")
    if report.deferred:
        print(f"{report.deferred} partitions still need moving once min_part_hours "
              "have passed; rebalance again then")
    elif trial is not None:
        trial.pretend_min_part_hours_passed()
        could = trial.rebalance(seed=args.seed).moved
        if could > report.moved:
            print(f"{could - report.moved} more partition replicas would move but moved "
                  f"within the last min_part_hours ({builder.min_part_hours:g} h): "
                  "rebalance again after that, or run `ring pretend-min-part-hours-passed` "
                  "first")
    print(f"wrote {ring_path} (version {report.version}, checksum {checksum})")
    return 0


def cmd_add_policy(args: argparse.Namespace) -> int:
    builder = load_builder(args.builder)
    builder.policies = policies.added(builder.policies, args.name, args.replicas,
                                      builder.replicas)
    builder.version += 1
    written = ""
    if builder.rows is not None:        # a ring exists: the new policy goes out with it
        ring_path = Path(args.ring) if args.ring else default_ring_path(args.builder)
        checksum = save_ring(builder.ring_data(), ring_path)
        written = f"; wrote {ring_path} (version {builder.version}, checksum {checksum})"
    save_builder(builder, args.builder)
    added = builder.policies[-1]
    print(f"policy {added.index} {added.name!r}: {added.replicas} replicas{written}")
    return 0


def cmd_pretend(args: argparse.Namespace) -> int:
    builder = load_builder(args.builder)
    builder.pretend_min_part_hours_passed()
    save_builder(builder, args.builder)
    print("every partition may move at the next rebalance")
    return 0


def show_document(builder: RingBuilder) -> dict[str, Any]:
    """What `ring show --json` prints."""
    held = builder.replicas_held()
    devices = list(builder.devices_sorted())
    wanted = wanted_by_weight(devices, builder.replicas, builder.parts)
    try:
        plan: Plan | None = builder.plan()
    except RingError:                    # too few devices to place anything yet
        plan = None
    rows = []
    for dev in devices:
        parts = held.get(dev.id, 0)
        rows.append(dev.to_dict() | {
            "parts": parts,
            "parts_wanted": round(wanted[dev.id], 2),
            "parts_target": plan.device_quota(dev.id) if plan else None,
            "balance": round(device_balance(wanted[dev.id], parts), 2),
        })
    return {
        "part_power": builder.part_power,
        "replicas": builder.replicas,
        "min_part_hours": builder.min_part_hours,
        "version": builder.version,
        "policies": [p.to_dict() for p in builder.policies],
        "devices": rows,
        "balance": round(builder.balance(), 4),
        "dispersion": round(builder.dispersion(), 4),
    }


def cmd_show(args: argparse.Namespace) -> int:
    builder = load_builder(args.builder)
    doc = show_document(builder)
    if args.json:
        print(json.dumps(doc, indent=1))
        return 0
    print(f"{args.builder}: {builder.parts} partitions, {builder.replicas} replicas, "
          f"{len(doc['devices'])} devices, min_part_hours {builder.min_part_hours:g}, "
          f"version {builder.version}"
          + ("" if builder.rows is not None else " (never rebalanced)"))
    print(f"balance {doc['balance']:.2f}%  dispersion {doc['dispersion']:.2f}%")
    print("policies: " + ", ".join(f"{p.index} {p.name} ({p.replicas} replicas)"
                                   for p in builder.policies))
    header = ("id", "region", "zone", "host", "port", "device", "weight", "parts",
              "wanted", "target", "balance%")
    table = [header] + [
        (str(d["id"]), str(d["region"]), str(d["zone"]), d["host"], str(d["port"]),
         d["device"], f"{d['weight']:g}", str(d["parts"]), f"{d['parts_wanted']:.2f}",
         "-" if d["parts_target"] is None else str(d["parts_target"]), f"{d['balance']:+.2f}")
        for d in doc["devices"]]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    for row in table:
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)))
    print("wanted: share by weight alone; target: share once every partition's replicas "
          "are spread over\ndistinct regions, zones and hosts (dispersion comes first)")
    return 0


def cmd_assignments(args: argparse.Namespace) -> int:
    ring = load_ring(args.ring)
    doc = {"part_power": ring.part_power, "replicas": ring.replicas,
           "assignments": [list(ids) for ids in zip(*ring.rows)]}
    print(json.dumps(doc, separators=(",", ":")))
    return 0


def cmd_lookup(args: argparse.Namespace) -> int:
    ring = load_ring(args.ring, PathHasher(args.hash_prefix, args.hash_suffix))
    part, primaries = ring.get_nodes(args.account, args.container, args.object)
    handoffs = list(itertools.islice(ring.handoffs(part), HANDOFFS_SHOWN))
    if args.json:
        print(json.dumps({
            "partition": part,
            "primaries": [d.to_dict() for d in primaries],
            "handoffs": [d.to_dict() for d in handoffs],
        }, indent=1))
        return 0
    name = "/".join(x for x in (args.account, args.container, args.object) if x is not None)
    print(f"/{name}: partition {part} (ring version {ring.version})")
    for label, devs in (("primary", primaries), ("handoff", handoffs)):
        for d in devs:
            print(f"  {label}  id {d.id}  region {d.region} zone {d.zone}  "
                  f"{d.host}:{d.port}/{d.device}")
    return 0
