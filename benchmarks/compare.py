#!/usr/bin/env python3
"""objectstore against OpenStack Swift (cluster vs cluster) and moto (embedded vs
embedded), side by side in one run, through the S3 API.

    python benchmarks/compare.py [--repeat 3] [--duration 8] [--list-objects 100000]
        [--multipart 1GiB] [--large 256MiB] [--only objectstore,swift,embedded,moto,single]
        [--bucket-policy 20] [--sse] [--json benchmarks/results/compare.json]

One after the other on this machine:
- objectstore as a cluster of processes (`cluster init`: proxy + 3 nodes, 3 replicas,
  fsync on) with each node's replicator, auditor and updater running;
- OpenStack Swift with its S3 layer (../shared/anchors/swift/start.sh --servers-only,
  stop.sh afterwards);
- `objectstore serve` (embedded: 3 nodes, 3 replicas) and moto's server
  (../shared/anchors/moto.sh);
- `objectstore serve --nodes 1 --replicas 1` ("single": one copy, a test server's
  setting), compared with moto too.
Each is driven by ../shared/tools/s3load.py (boto3 presigns, wrk and curl send; the
server's CPU seconds per operation read from /proc for the server's processes):
4 KiB PUT/GET/HEAD/DELETE at 32 connections, 1 MiB PUT/GET at 8, one large object PUT
and GET on a single stream, ListObjectsV2 pages of 1,000 from a bucket of
--list-objects objects; and a multipart upload of --multipart with 8 parts in flight
(boto3's transfer manager, the same for every system). Medians of --repeat runs; one
table with ratios objectstore/Swift and embedded/moto; JSON with every figure.
`--bucket-policy N` gives objectstore's bench bucket a policy of N statements first
(none of which names the requester: what every request then costs is evaluating it).
`--sse` adds 1 MiB and --large PUT/GET into a bucket whose default encryption is SSE-S3
(groups `1MiB-sse-s3`, `large-sse-s3`: the cost of encryption beside `1MiB`, `large`).
Never asserts.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.sizes import parse_size
from tests.launch import COMMAND, launch
from tests.servers import wait_healthy

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
S3LOAD = SHARED / "tools" / "s3load.py"
ANCHORS = Path(os.environ.get("ANCHORS_ROOT", Path.home() / ".cache" / "objectstore-anchors"))
MiB = 1 << 20


def s3load(endpoint: str, pids: list[int], work: Path, args: argparse.Namespace,
           *extra: str) -> dict[str, Any]:
    out = work / f"s3load-{time.monotonic_ns()}.json"
    cmd = [sys.executable, str(S3LOAD), "--endpoint", endpoint, "--access-key", "test:tester",
           "--secret-key", "testing", "--bucket", "compare", "--repeat", str(args.repeat),
           "--json", str(out), "--server-pids", ",".join(map(str, pids)), *extra]
    subprocess.run(cmd, check=False, stdout=sys.stderr)
    return dict(json.loads(out.read_text()).get("ops", {})) if out.exists() else {}


def multipart(endpoint: str, size: int, repeat: int) -> dict[str, Any]:
    """MB/s of a multipart upload of `size` bytes, 8 parts in flight."""
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1",
                      config=Config(max_pool_connections=16))
    part = max(8 * MiB, size // 64)
    config = TransferConfig(multipart_threshold=part, multipart_chunksize=part,
                            max_concurrency=8)
    block = os.urandom(MiB)
    runs = []
    for i in range(repeat):
        body = io.BytesIO(block * (size // MiB))
        began = time.monotonic()
        s3.upload_fileobj(body, "compare", f"multipart-{i}", Config=config)
        runs.append(size / 1e6 / (time.monotonic() - began))
    s3.close()
    return {"MB_per_s": {"median": statistics.median(runs), "runs": runs}}


def policy_of(statements: int) -> str:
    """A policy of `statements` Allows for other accounts, on prefixes, with conditions:
    evaluated on every request, matching none of the bench's."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": f"s{i}", "Effect": "Allow",
         "Principal": {"AWS": f"arn:aws:iam::partner{i}:root"},
         "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": f"arn:aws:s3:::compare/shared-{i}/*",
         "Condition": {"IpAddress": {"aws:SourceIp": f"10.{i}.0.0/16"}}}
        for i in range(statements)]})


def give_policy(endpoint: str, statements: int) -> None:
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1")
    s3.create_bucket(Bucket="compare")
    s3.put_bucket_policy(Bucket="compare", Policy=policy_of(statements))
    s3.close()


def encrypted_bucket(endpoint: str) -> str:
    """A bucket whose default encryption is SSE-S3: s3load's presigned PUTs into it are
    encrypted at rest, its GETs decrypted, with nothing else changed."""
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1")
    s3.create_bucket(Bucket="compare-sse")
    s3.put_bucket_encryption(Bucket="compare-sse", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.close()
    return "compare-sse"


def measure(endpoint: str, pids: Callable[[], list[int]], work: Path,
            args: argparse.Namespace, ours: bool = True) -> dict[str, Any]:
    res: dict[str, Any] = {}
    if ours and args.bucket_policy:
        give_policy(endpoint, args.bucket_policy)
    if ours and args.sse:
        sealed = encrypted_bucket(endpoint)
        res["1MiB-sse-s3"] = s3load(endpoint, pids(), work, args, "--bucket", sealed,
                                    "--size", "1MiB", "--objects", "200",
                                    "--concurrency", "8", "--duration", str(args.duration),
                                    "--ops", "put,get")
        res["large-sse-s3"] = s3load(endpoint, pids(), work, args, "--bucket", sealed,
                                     "--large", args.large)
    res["4KiB"] = s3load(endpoint, pids(), work, args, "--size", "4KiB", "--objects", "2000",
                         "--concurrency", "32", "--duration", str(args.duration),
                         "--ops", "put,get,head,delete")
    res["1MiB"] = s3load(endpoint, pids(), work, args, "--size", "1MiB", "--objects", "200",
                         "--concurrency", "8", "--duration", str(args.duration),
                         "--ops", "put,get")
    res["large"] = s3load(endpoint, pids(), work, args, "--large", args.large)
    if args.list_objects:
        res["list"] = s3load(endpoint, pids(), work, args, "--size", "1KiB", "--objects",
                             str(args.list_objects), "--concurrency", "32", "--duration",
                             str(args.duration), "--ops", "list", "--prefill-timeout",
                             "3600")
    if args.multipart:
        res["multipart"] = {"multipart": multipart(endpoint, parse_size(args.multipart),
                                                   args.repeat)}
    return res


def pids_of(pid_files: list[Path]) -> list[int]:
    out = []
    for f in pid_files:
        with contextlib.suppress(OSError, ValueError):
            out.append(int(f.read_text().strip()))
    return out


def run_objectstore(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    cluster = launch(work / "cluster", part_power=10)
    try:
        cluster.start_daemons(3)
        return measure(f"http://127.0.0.1:{cluster.proxy_port}",
                       lambda: [p.pid for p in cluster.procs.values()], work, args)
    finally:
        cluster.stop_all()


def run_swift(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    anchor = SHARED / "anchors" / "swift"
    subprocess.run([str(anchor / "start.sh"), "--servers-only"], check=True,
                   stdout=sys.stderr)
    try:
        return measure("http://127.0.0.1:8080",
                       lambda: pids_of(sorted((ANCHORS / "swift-run").glob("*.pid"))),
                       work, args, ours=False)
    finally:
        subprocess.run([str(anchor / "stop.sh")], check=False, stdout=sys.stderr)


def run_embedded(work: Path, args: argparse.Namespace, *layout: str) -> dict[str, Any]:
    port = 18390
    log = open(work / "serve.log", "ab")  # noqa: SIM115 -- closed below
    proc = subprocess.Popen([*COMMAND, "serve", "--data-dir", str(work / "serve"), "--port",
                             str(port), *layout], stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(port, proc)
        return measure(f"http://127.0.0.1:{port}", lambda: [proc.pid], work, args)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def run_moto(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    script = SHARED / "anchors" / "moto.sh"
    subprocess.run([str(script), "start", "5000"], check=True, stdout=sys.stderr)
    try:
        return measure("http://127.0.0.1:5000",
                       lambda: pids_of([ANCHORS / "moto-run" / "moto.pid"]), work, args,
                       ours=False)
    finally:
        subprocess.run([str(script), "stop"], check=False, stdout=sys.stderr)


def run_single(work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """`objectstore serve --nodes 1 --replicas 1`: one copy, as a test server."""
    return run_embedded(work, args, "--nodes", "1", "--replicas", "1")


RUNNERS = {"objectstore": run_objectstore, "swift": run_swift, "embedded": run_embedded,
           "moto": run_moto, "single": run_single}
METRICS = (("ops_per_s", "ops/s"), ("MB_per_s", "MB/s"), ("p50_ms", "p50 ms"),
           ("p99_ms", "p99 ms"), ("server_cpu_us_per_op", "srv CPU us/op"))


def _value(results: dict[str, Any], system: str, group: str, op: str, key: str
           ) -> float | None:
    entry = results.get(system, {}).get(group, {}).get(op, {})
    if key in entry and isinstance(entry[key], dict):
        return float(entry[key]["median"])
    runs = entry.get("runs") or []
    vals = [r[key] for r in runs if isinstance(r, dict) and key in r]
    return float(statistics.median(vals)) if vals else None


def table(results: dict[str, Any]) -> str:
    lines = [f"  {'':30} {'objectstore':>12} {'swift':>10} {'ratio':>6}   "
             f"{'embedded':>10} {'moto':>10} {'ratio':>6}   {'single':>10} {'ratio':>6}"]
    groups = sorted({(g, op) for sys_res in results.values() for g, ops in sys_res.items()
                     for op in ops})
    for group, op in groups:
        for key, label in METRICS:
            vals = [_value(results, s, group, op, key) for s in RUNNERS]
            if all(v is None for v in vals):
                continue
            a, b, c, d, e = vals

            def cell(v: float | None, width: int) -> str:
                return f"{v:{width}.1f}" if v is not None else f"{'-':>{width}}"

            def ratio(x: float | None, y: float | None) -> str:
                return f"{x / y:6.2f}" if x is not None and y else f"{'-':>6}"
            lines.append(f"  {group + ' ' + op + ' ' + label:30} {cell(a, 12)} {cell(b, 10)} "
                         f"{ratio(a, b)}   {cell(c, 10)} {cell(d, 10)} {ratio(c, d)}   "
                         f"{cell(e, 10)} {ratio(e, d)}")
        errors = [results.get(s, {}).get(group, {}).get(op, {}).get("errors") for s in RUNNERS]
        if any(errors):
            lines.append(f"  {'':30} errors {errors}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--large", default="256MiB")
    parser.add_argument("--list-objects", type=int, default=100_000)
    parser.add_argument("--multipart", default="1GiB")
    parser.add_argument("--only", default=",".join(RUNNERS),
                        help="systems to run, of: " + ", ".join(RUNNERS))
    parser.add_argument("--bucket-policy", type=int, default=0, metavar="N",
                        help="objectstore's bench bucket gets a policy of N statements")
    parser.add_argument("--sse", action="store_true",
                        help="also 1 MiB and --large PUT/GET into an SSE-S3 bucket "
                             "(objectstore's systems only)")
    parser.add_argument("--json", default="benchmarks/results/compare.json")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only.split(","):
            work = Path(tmp) / name
            work.mkdir()
            print(f"--- {name}", file=sys.stderr, flush=True)
            results[name] = RUNNERS[name](work, args)
    print(f"\nS3 API, medians of {args.repeat}; ratios objectstore/Swift, embedded/moto")
    print(table(results))
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1))
    print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
