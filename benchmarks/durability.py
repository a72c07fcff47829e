#!/usr/bin/env python3
"""Durability under faults, measured on a real cluster of processes.

    python benchmarks/durability.py [--size 200MiB] [--json FILE]

Starts `cluster init` (proxy + 3 nodes, 3 replicas) in a temporary directory, writes
objects of mixed sizes (1 KiB .. 1 MiB) up to --size with 8 writers and SIGKILLs a node
a third of the way; reads every acknowledged object back; restarts the node; flips one
byte in 5% of another node's object files; reads everything again; then runs one audit
pass and replication passes until every object has 3 good replicas on its primaries.

Prints: acknowledged writes, lost (must be 0), corrupted bytes served (must be 0),
corrupt files made / detected / quarantined / repaired, time to full repair, and the
auditor's throughput beside the raw read throughput of the same files in the same run
(page cache dropped before each, when run as root). Never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import random
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.sizes import parse_size
from objectstore.cli.configs import load_node_config
from objectstore.daemons.auditor import Auditor
from tests.cluster.test_durability import ACCOUNT, Swift
from tests.launch import launch
from tests.replicas import damage_some, primary_copies, run_pass


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def raw_read_mb_s(files: list[Path]) -> float:
    began, total = time.monotonic(), 0
    for path in files:
        with open(path, "rb", buffering=0) as f:
            while chunk := f.read(1 << 20):
                total += len(chunk)
    return total / 1e6 / max(time.monotonic() - began, 1e-9)


def write_all(swift: Swift, cluster: Any, target: int, rng: random.Random
              ) -> dict[str, str]:
    sizes, total = [], 0
    while total < target:
        sizes.append(int(2 ** rng.uniform(10, 20)))
        total += sizes[-1]
    acked: dict[str, str] = {}
    lock = threading.Lock()

    def write(i: int) -> None:
        body = os.urandom(sizes[i])
        try:
            ok = swift.put("c", f"o{i:06d}", body) == 201
        except requests.RequestException:
            return
        if ok:
            with lock:
                acked[f"o{i:06d}"] = hashlib.md5(body).hexdigest()

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(write, i) for i in range(len(sizes))]
        while len(acked) < len(sizes) // 3 and not all(f.done() for f in futures):
            time.sleep(0.05)
        cluster.kill("node0")
        for f in futures:
            f.result()
    print(f"wrote {len(acked)} of {len(sizes)} objects ({total / 1e6:.0f} MB), node0 "
          "killed a third of the way", file=sys.stderr)
    return acked


def read_all(swift: Swift, acked: dict[str, str]) -> tuple[int, int, int]:
    """(lost, corrupted bytes served, reads cut short) over every acknowledged object."""
    lost = corrupted = cut = 0
    for name, md5 in acked.items():
        try:
            status, body = swift.get("c", name)
        except requests.RequestException:
            cut += 1                                 # detected: never silently wrong
            status, body = swift.get("c", name)
        if status != 200:
            lost += 1
        elif hashlib.md5(body).hexdigest() != md5:
            corrupted += len(body)
    return lost, corrupted, cut


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="200MiB")
    parser.add_argument("--json", default="benchmarks/results/durability.json")
    args = parser.parse_args()
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        cluster = launch(Path(tmp) / "cluster")
        try:
            root = cluster.root
            swift = Swift(cluster.proxy_port)
            swift.put("c")
            acked = write_all(swift, cluster, parse_size(args.size), rng)
            lost, corrupted, cut = read_all(swift, acked)
            cluster.start("node0")

            damaged = damage_some(root / "node1", 0.05, rng)
            lost2, corrupted2, cut2 = read_all(swift, acked)

            audit_files = sorted((root / "node2").rglob("*.data"))
            dropped = drop_caches()
            raw = raw_read_mb_s(audit_files)
            drop_caches()
            stats = asyncio.run(Auditor(load_node_config(root / "node2.toml"), 0, 0)
                                .run_once())
            auditor_mb_s = stats.bytes / 1e6 / max(stats.finished - stats.started, 1e-9)
            for i in (0, 1):
                asyncio.run(Auditor(load_node_config(root / f"node{i}.toml"), 0, 0)
                            .run_once())
            quarantined = len(list((root / "node1").rglob("quarantined/objects/*/*.data")))

            repair_s, passes, bad = 0.0, 0, list(acked)
            while bad and passes < 5:        # time the passes, not our checking
                began = time.monotonic()
                run_pass(root, "replicate")
                repair_s += time.monotonic() - began
                passes += 1
                bad = [n for n, md5 in acked.items()
                       if primary_copies(root, ACCOUNT, "c", n) != [md5] * 3]
            hasher = load_node_config(root / "node0.toml").hasher()
            by_hash = {hasher.digest(ACCOUNT, "c", n).hex(): n for n in acked}
            repaired = sum(1 for p in damaged if p.parent.name in by_hash
                           and primary_copies(root, ACCOUNT, "c", by_hash[p.parent.name])
                           == [acked[by_hash[p.parent.name]]] * 3)
        finally:
            cluster.stop_all()
    results = {
        "acknowledged_writes": len(acked), "lost": lost + lost2,
        "corrupted_bytes_served": corrupted + corrupted2,
        "reads_cut_short_on_damage": cut + cut2,
        "corrupt_files_made": len(damaged), "corrupt_files_quarantined": quarantined,
        "corrupt_files_detected": quarantined, "corrupt_files_repaired": repaired,
        "objects_without_3_good_replicas_after_repair": len(bad),
        "replication_passes": passes, "time_to_full_repair_s": round(repair_s, 1),
        "auditor_mb_s": round(auditor_mb_s, 1), "raw_read_mb_s": round(raw, 1),
        "page_cache_dropped": dropped,
    }
    print(f"durability, {args.size}, 3 nodes / 3 replicas")
    for key, value in results.items():
        print(f"  {key:45} {value}")
    print(f"  {'auditor / raw read':45} {auditor_mb_s / max(raw, 1e-9):.2f}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
