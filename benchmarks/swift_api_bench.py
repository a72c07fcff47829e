#!/usr/bin/env python3
"""Swift API throughput, objectstore against OpenStack Swift, side by side.

    python benchmarks/swift_api_bench.py [--swift-url URL] [--repeat N] [--duration S]
        [--concurrency C] [--large-mib M] [--json FILE]

objectstore runs as a cluster of separate processes (`cluster init`: proxy + 3 nodes,
3 replicas) made fresh for the run; OpenStack Swift is the reference cluster of
../shared/anchors/swift (start it first: `start.sh --servers-only`; it listens on
127.0.0.1:8080 with user test:tester / testing). Both get the same client: an asyncio
load generator (aiohttp) with C concurrent connections, which costs client CPU on the
same 2 cores, the same for both, so compare the ratios.

Workloads: 4 KiB PUT, GET, HEAD for `--duration` seconds each (cycling over 500
names), then one `--large-mib` MiB PUT and GET on a single stream. Medians of
`--repeat` runs; the server CPU per operation is read from /proc for the server
processes. Prints a table with ratios objectstore/Swift and writes JSON. Never asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.launch import launch

SMALL = 4096
NAMES = 500
ANCHOR_RUN = Path(os.environ.get("SWIFT_RUN", Path.home() / ".cache" /
                                 "objectstore-anchors" / "swift-run"))
CLOCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK
        except (OSError, IndexError, ValueError):
            pass
    return total


async def login(session: aiohttp.ClientSession, auth_url: str) -> tuple[str, str]:
    async with session.get(auth_url, headers={"X-Auth-User": "test:tester",
                                              "X-Auth-Key": "testing"}) as r:
        r.raise_for_status()
        return r.headers["X-Storage-Url"], r.headers["X-Auth-Token"]


async def timed_load(session: aiohttp.ClientSession, method: str, base: str, token: str,
                     concurrency: int, duration: float, body: bytes | None) -> dict[str, Any]:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + duration
    counter = iter(range(10**12))

    async def worker() -> None:
        nonlocal errors
        while time.monotonic() < stop:
            name = f"o{next(counter) % NAMES}"
            t0 = time.perf_counter()
            try:
                async with session.request(method, f"{base}/{name}", data=body,
                                           headers={"X-Auth-Token": token}) as r:
                    await r.read()
                    if r.status >= 300:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - t0)

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - started
    latencies.sort()
    return {"ops": len(latencies), "ops_s": len(latencies) / elapsed, "errors": errors,
            "p50_ms": 1000 * latencies[len(latencies) // 2],
            "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)]}


async def prefill(session: aiohttp.ClientSession, base: str, token: str, body: bytes,
                  concurrency: int) -> None:
    """Write every name once (not measured), so GET and HEAD always find them."""
    names = iter(range(NAMES))

    async def worker() -> None:
        for i in names:
            async with session.put(f"{base}/o{i}", data=body,
                                   headers={"X-Auth-Token": token}) as r:
                await r.read()

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def large(session: aiohttp.ClientSession, base: str, token: str, mib: int
                ) -> dict[str, float]:
    block = os.urandom(1 << 20)

    async def gen() -> Any:
        for _ in range(mib):
            yield block

    t0 = time.perf_counter()
    async with session.put(f"{base}/large", data=gen(), headers={
            "X-Auth-Token": token, "Content-Length": str(mib << 20)}) as r:
        await r.read()
        put_ok = r.status < 300
    put_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    got = 0
    async with session.get(f"{base}/large", headers={"X-Auth-Token": token}) as r:
        async for chunk in r.content.iter_chunked(1 << 20):
            got += len(chunk)
    get_s = time.perf_counter() - t0
    return {"put_mb_s": mib * 1.048576 / put_s if put_ok else 0.0,
            "get_mb_s": got / 1e6 / get_s if got == mib << 20 else 0.0}


async def run_once(auth_url: str, pids: list[int], args: argparse.Namespace
                   ) -> dict[str, Any]:
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=600)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        url, token = await login(session, auth_url)
        container = f"{url}/bench{int(time.time() * 1000)}"
        async with session.put(container, headers={"X-Auth-Token": token}) as r:
            r.raise_for_status()
        out: dict[str, Any] = {}
        body = os.urandom(SMALL)
        await prefill(session, container, token, body, args.concurrency)
        for op, method, payload in (("put_4k", "PUT", body), ("get_4k", "GET", None),
                                    ("head_4k", "HEAD", None)):
            cpu0 = cpu_seconds(pids)
            res = await timed_load(session, method, container, token, args.concurrency,
                                   args.duration, payload)
            res["server_cpu_ms_per_op"] = 1000 * (cpu_seconds(pids) - cpu0) / max(res["ops"], 1)
            out[op] = res
        out["large"] = await large(session, container, token, args.large_mib)
        return out


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for op in runs[0]:
        out[op] = {k: statistics.median(r[op][k] for r in runs) for k in runs[0][op]}
    return out


def anchor_pids() -> list[int]:
    pids = []
    for f in ANCHOR_RUN.glob("*.pid"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            pids.append(int(f.read_text().split()[0]))
    return pids


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--swift-url", default="http://127.0.0.1:8080/auth/v1.0")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--large-mib", type=int, default=256)
    parser.add_argument("--json", default="benchmarks/results/swift_api_bench.json")
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        cluster = launch(Path(tmp) / "cluster", part_power=10)
        try:
            pids = [p.pid for p in cluster.procs.values()]
            auth = f"http://127.0.0.1:{cluster.proxy_port}/auth/v1.0"
            results["objectstore"] = median_run(
                [asyncio.run(run_once(auth, pids, args)) for _ in range(args.repeat)])
        finally:
            cluster.stop_all()
    results["swift"] = median_run(
        [asyncio.run(run_once(args.swift_url, anchor_pids(), args)) for _ in range(args.repeat)])
    ours, theirs = results["objectstore"], results["swift"]
    print(f"\nSwift API, 3 replicas, {args.concurrency} connections, medians of {args.repeat}")
    print(f"  {'':28} {'objectstore':>12} {'swift':>12} {'ratio':>7}")
    for op in ("put_4k", "get_4k", "head_4k"):
        for key, label in (("ops_s", "ops/s"), ("p50_ms", "p50 ms"), ("p99_ms", "p99 ms"),
                           ("server_cpu_ms_per_op", "server CPU ms/op"),
                           ("errors", "errors")):
            a, b = ours[op][key], theirs[op][key]
            ratio = f"{a / b:.2f}" if b else "-"
            print(f"  {op + ' ' + label:28} {a:12.2f} {b:12.2f} {ratio:>7}")
    for key in ("put_mb_s", "get_mb_s"):
        a, b = ours["large"][key], theirs["large"][key]
        ratio = f"{a / b:.2f}" if b else "-"
        print(f"  {f'{args.large_mib} MiB ' + key.replace('_mb_s', ' MB/s'):28} "
              f"{a:12.1f} {b:12.1f} {ratio:>7}")
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(results, indent=1))
    print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
