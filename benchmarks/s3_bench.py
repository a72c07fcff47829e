#!/usr/bin/env python3
"""S3 API throughput, objectstore against OpenStack Swift's S3 layer, side by side.

    python benchmarks/s3_bench.py [--repeat N] [--duration S] [--large 256MiB]
        [--swift-endpoint URL] [--json FILE]

objectstore runs as a fresh cluster of separate processes (proxy + 3 nodes, 3 replicas);
OpenStack Swift is ../shared/anchors/swift (start it first with `start.sh
--servers-only`; its S3 layer is on 127.0.0.1:8080, keys test:tester / testing). Both
are driven by ../shared/tools/s3load.py (boto3 presigns, wrk and curl send: the client
costs little CPU; `apt-get install wrk curl`). Workloads: 4 KiB PUT, GET, HEAD at 32
connections, then one large object PUT and GET on a single stream. Medians of --repeat
runs, ratios objectstore/Swift. Never asserts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.launch import launch

S3LOAD = Path(__file__).resolve().parent.parent.parent / "shared" / "tools" / "s3load.py"


def s3load(endpoint: str, workdir: Path, args: argparse.Namespace, *extra: str
           ) -> dict[str, Any]:
    out = workdir / f"s3load-{len(list(workdir.glob('*.json')))}.json"
    cmd = [sys.executable, str(S3LOAD), "--endpoint", endpoint, "--access-key", "test:tester",
           "--secret-key", "testing", "--bucket", "s3bench", "--repeat", str(args.repeat),
           "--json", str(out), *extra]
    subprocess.run(cmd, check=False, stdout=sys.stderr)
    return dict(json.loads(out.read_text())["ops"])


def measure(endpoint: str, workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    small = s3load(endpoint, workdir, args, "--size", "4KiB", "--objects", "1000",
                   "--concurrency", "32", "--duration", str(args.duration),
                   "--ops", "put,get,head")
    large = s3load(endpoint, workdir, args, "--large", args.large)
    return {"small": small, "large": large}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--large", default="256MiB")
    parser.add_argument("--swift-endpoint", default="http://127.0.0.1:8080")
    parser.add_argument("--json", default="benchmarks/results/s3_bench.json")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        cluster = launch(work / "cluster", part_power=10)
        try:
            results["objectstore"] = measure(f"http://127.0.0.1:{cluster.proxy_port}",
                                             work, args)
        finally:
            cluster.stop_all()
        results["swift"] = measure(args.swift_endpoint, work, args)
    print(f"\nS3 API, 3 replicas, medians of {args.repeat}")
    print(f"  {'':24} {'objectstore':>12} {'swift s3api':>12} {'ratio':>7}")
    for group in ("small", "large"):
        ours, theirs = results["objectstore"][group], results["swift"][group]
        for op in sorted(ours):
            for key, label in (("ops_per_s", "ops/s"), ("MB_per_s", "MB/s"),
                               ("p50_ms", "p50 ms"), ("p99_ms", "p99 ms")):
                if key not in ours[op] or key not in theirs.get(op, {}):
                    continue
                if group == "small" and key == "MB_per_s":
                    continue
                a, b = ours[op][key]["median"], theirs[op][key]["median"]
                name = f"{'4 KiB' if group == 'small' else args.large} {op} {label}"
                print(f"  {name:24} {a:12.2f} {b:12.2f} {a / b if b else 0:7.2f}")
            print(f"  {'':24} errors {ours[op].get('errors')} / {theirs.get(op, {}).get('errors')}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1))
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
