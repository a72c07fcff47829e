#!/usr/bin/env python3
"""Memory stays bounded: the peak RSS of the proxy and of each node process while one
large object streams in and out through the Swift API.

    python benchmarks/proxy_memory.py [--gib G]      (default 5 GiB; needs 3 x G of disk)

Launches a fresh cluster of separate processes (proxy + 3 nodes, 3 replicas), PUTs one
G GiB object from a generator (the client never holds it), GETs it back counting bytes,
and samples VmRSS of every server process every 0.1 s. Prints peaks and MB/s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.procs import rss_mb
from tests.launch import launch


async def stream(auth: str, gib: int) -> dict[str, float]:
    block = os.urandom(1 << 20)
    size = gib << 30
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=3600)) as s:
        async with s.get(auth, headers={"X-Auth-User": "test:tester",
                                        "X-Auth-Key": "testing"}) as r:
            url, token = r.headers["X-Storage-Url"], r.headers["X-Auth-Token"]
        h = {"X-Auth-Token": token}
        async with s.put(f"{url}/big", headers=h) as r:
            r.raise_for_status()

        async def body() -> Any:
            for _ in range(size >> 20):
                yield block

        t0 = time.perf_counter()
        async with s.put(f"{url}/big/object", data=body(),
                         headers={**h, "Content-Length": str(size)}) as r:
            r.raise_for_status()
        put_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        got = 0
        async with s.get(f"{url}/big/object", headers=h) as r:
            async for chunk in r.content.iter_chunked(1 << 20):
                got += len(chunk)
        get_s = time.perf_counter() - t0
        assert got == size, f"read {got} of {size} bytes"
        return {"put_mb_s": size / 1e6 / put_s, "get_mb_s": size / 1e6 / get_s}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gib", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cluster = launch(Path(tmp) / "cluster", part_power=8)
        peaks = {name: 0.0 for name in cluster.procs}
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                for name, proc in cluster.procs.items():
                    peaks[name] = max(peaks[name], rss_mb(proc.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            rates = asyncio.run(stream(f"http://127.0.0.1:{cluster.proxy_port}/auth/v1.0",
                                       args.gib))
        finally:
            done.set()
            sampler.join()
            cluster.stop_all()
    print(f"{args.gib} GiB object: PUT {rates['put_mb_s']:.0f} MB/s, "
          f"GET {rates['get_mb_s']:.0f} MB/s")
    for name, peak in sorted(peaks.items()):
        print(f"  peak RSS {name:6} {peak:7.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
