"""The node client's tally of its requests (the proxy's metrics): by method and outcome."""

from __future__ import annotations

import asyncio

import aiohttp

from objectstore.node.client import RequestTally


def test_answers_and_failures_are_told_apart() -> None:
    tally = RequestTally()
    tally.answered("PUT", 201)
    tally.answered("PUT", 201)
    tally.answered("HEAD", 404)
    tally.answered("GET", 999)          # no real status, still a label of its own
    tally.failed("GET", aiohttp.SocketTimeoutError())
    tally.failed("GET", TimeoutError())
    tally.failed("PUT", aiohttp.ClientOSError(104, "reset"))
    tally.failed("DELETE", asyncio.CancelledError())
    assert tally.counts == {("PUT", "201"): 2, ("HEAD", "404"): 1, ("GET", "999"): 1,
                            ("GET", "timeout"): 2, ("PUT", "error"): 1,
                            ("DELETE", "cancelled"): 1}
