#!/usr/bin/env python3
"""What metrics and usage metering add to every client request, in-process.

    python benchmarks/observer_cost.py [--requests 50000] [--repeat 5]

The proxy port's outer layer (serving.request_layer.ClientRequests) around an app that
answers a 4 KiB body at once, measured bare and then as `serve` and `proxy` run it:
the API noting its operation (request_id.note_operation, the S3 operation name of a
presigned GET), and the usage meter and the metrics' request figures told of each
finished request. Also the node client's tally (the metrics' count of node requests),
per node request. Medians of --repeat runs, in microseconds; the 4 KiB paths' server
CPU per request (benchmarks/compare.py, hundreds of microseconds) is what to hold them
against: end-to-end runs on this shared machine swing more than these figures.
Nothing here asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from objectstore.metrics.requests import RequestFigures
from objectstore.node.client import RequestTally
from objectstore.request_id import note_account, note_operation
from objectstore.s3compat.access_log_records import operation
from objectstore.serving.request_layer import ClientRequests
from objectstore.usage.meter import Meter

PRESIGNED = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": "c",
             "X-Amz-Date": "d", "X-Amz-Expires": "60", "X-Amz-SignedHeaders": "host",
             "X-Amz-Signature": "s"}
BODY = b"x" * 4096


async def answering_app(scope: Any, receive: Any, send: Any) -> None:
    if scope["noted"]:
        note_operation("s3", operation("GET", "key", PRESIGNED), "bench")
    note_account("AUTH_test")
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": BODY})


async def _receive() -> Any:
    return {"type": "http.request", "body": b""}


async def _send(message: Any) -> None:
    pass


async def per_request(layer: ClientRequests, noted: bool, n: int) -> float:
    scope = {"type": "http", "method": "GET", "path": "/bench/key", "headers": [],
             "query_string": b"", "noted": noted}
    began = time.perf_counter()
    for _ in range(n):
        await layer(scope, _receive, _send)
    return (time.perf_counter() - began) / n * 1e6


def tally_cost(n: int) -> float:
    tally = RequestTally()
    began = time.perf_counter()
    for _ in range(n):
        tally.answered("GET", 200)
    return (time.perf_counter() - began) / n * 1e6


async def main(requests: int, repeat: int) -> None:
    bare = ClientRequests(answering_app)
    observed = ClientRequests(answering_app,
                              observers=[Meter().observe, RequestFigures()])
    runs = [(await per_request(bare, False, requests),
             await per_request(observed, True, requests)) for _ in range(repeat)]
    plain = statistics.median(a for a, _ in runs)
    full = statistics.median(b for _, b in runs)
    tally = statistics.median(tally_cost(requests) for _ in range(repeat))
    print(f"client request layer, bare:                            {plain:6.2f} us")
    print(f"  with note_operation + usage meter + metrics figures: {full:6.2f} us "
          f"(+{full - plain:.2f} us a request)")
    print(f"node client tally, per node request:                   {tally:6.2f} us")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    logging.disable(logging.CRITICAL)       # the access log's formatting is not measured
    asyncio.run(main(options.requests, options.repeat))
