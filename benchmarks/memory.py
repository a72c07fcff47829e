#!/usr/bin/env python3
"""Peak memory of the proxy and the nodes while many large uploads stream at once.

    python benchmarks/memory.py [--uploads 64] [--size 64MiB]

Starts a cluster of processes (proxy + 3 nodes, 3 replicas), sends --uploads PUTs of
--size each at the same time (S3, presigned, bodies streamed from one 1 MiB block so the
client holds no object either), samples every server process's RSS from /proc every
0.2 s, and prints the peaks next to the RSS at rest. The proxy and nodes hold a few
chunks per upload whatever the object size, so the size only sets how long the peak
lasts (64 x 1 GiB needs ~200 GB of disk for its three replicas). Never asserts.
"""

from __future__ import annotations

import argparse
import http.client
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.procs import rss_mb
from benchmarks.sizes import parse_size
from tests.launch import launch

MiB = 1 << 20


def upload(url: str, size: int, block: bytes, results: list[int]) -> None:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    try:
        conn.putrequest("PUT", f"{parts.path}?{parts.query}", skip_accept_encoding=True)
        conn.putheader("Content-Length", str(size))
        conn.endheaders()
        left = size
        while left > 0:
            conn.send(block[:min(left, len(block))])
            left -= len(block)
        results.append(conn.getresponse().status)
    except OSError:
        results.append(0)
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--uploads", type=int, default=64)
    parser.add_argument("--size", default="64MiB")
    args = parser.parse_args()
    size = parse_size(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        cluster = launch(Path(tmp) / "cluster", part_power=10)
        try:
            endpoint = f"http://127.0.0.1:{cluster.proxy_port}"
            s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test:tester",
                              aws_secret_access_key="testing", region_name="us-east-1")
            s3.create_bucket(Bucket="memory")
            urls = [s3.generate_presigned_url("put_object", Params={
                "Bucket": "memory", "Key": f"big-{i}"}, ExpiresIn=3600)
                for i in range(args.uploads)]
            pids = {name: p.pid for name, p in cluster.procs.items()}
            at_rest = {name: rss_mb(pid) for name, pid in pids.items()}
            peak = dict(at_rest)
            results: list[int] = []
            block = os.urandom(MiB)
            threads = [threading.Thread(target=upload, args=(u, size, block, results))
                       for u in urls]
            began = time.monotonic()
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):
                for name, pid in pids.items():
                    peak[name] = max(peak[name], rss_mb(pid))
                time.sleep(0.2)
            elapsed = time.monotonic() - began
        finally:
            cluster.stop_all()
    ok = sum(1 for r in results if r == 200)
    print(f"{args.uploads} concurrent uploads of {size / MiB:.0f} MiB: {ok} succeeded, "
          f"{elapsed:.1f} s, {args.uploads * size / MiB / elapsed:.0f} MiB/s")
    print(f"  {'process':10} {'RSS at rest':>12} {'peak RSS':>10}")
    for name in sorted(pids):
        print(f"  {name:10} {at_rest[name]:9.1f} MiB {peak[name]:6.1f} MiB")


if __name__ == "__main__":
    main()
