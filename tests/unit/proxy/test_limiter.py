"""The error limiter, on an injected clock (no sleeps)."""

from __future__ import annotations

import aiohttp

from objectstore.proxy.limiter import ErrorLimiter, real_failure

NODE = ("10.0.0.1", 6000)
OTHER = ("10.0.0.2", 6000)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limiter(clock: Clock) -> tuple[ErrorLimiter, list[str]]:
    said: list[str] = []
    return ErrorLimiter(3, window=60, suppression=30, clock=clock, report=said.append), said


def test_three_failures_within_the_window_limit_a_node_for_a_while() -> None:
    clock = Clock()
    lim, said = limiter(clock)
    for _ in range(2):
        lim.failed(NODE)
        assert not lim.limited(NODE)
    lim.failed(NODE)
    assert lim.limited(NODE) and not lim.limited(OTHER)
    assert said == ["node 10.0.0.1:6000 error-limited for 30 s (it timed out or refused)"]
    clock.now += 29.9
    assert lim.limited(NODE)
    clock.now += 0.2
    assert not lim.limited(NODE), "tried again once the suppression ended"
    assert lim.limited_nodes() == []


def test_failures_spread_beyond_the_window_do_not_limit() -> None:
    clock = Clock()
    lim, _ = limiter(clock)
    for _ in range(5):
        lim.failed(NODE)
        clock.now += 31         # two within any 60 s
    assert not lim.limited(NODE)


def test_an_answer_clears_the_failures() -> None:
    clock = Clock()
    lim, said = limiter(clock)
    lim.failed(NODE)
    lim.failed(NODE)
    lim.succeeded(NODE)
    lim.failed(NODE)
    assert not lim.limited(NODE)
    assert said == [], "a node that was never limited is not announced"


def test_after_the_suppression_one_failure_limits_again_one_answer_clears() -> None:
    clock = Clock()
    lim, said = limiter(clock)
    for _ in range(3):
        lim.failed(NODE)
    clock.now += 31
    assert not lim.limited(NODE)          # on probation
    lim.failed(NODE)
    assert lim.limited(NODE), "still failing: limited again at once"
    clock.now += 31
    assert not lim.limited(NODE)
    lim.succeeded(NODE)
    assert said[-1] == "node 10.0.0.1:6000 answers again"
    lim.failed(NODE)
    assert not lim.limited(NODE), "cleared: it takes three failures again"


def test_stragglers_failing_while_limited_do_not_extend_the_limit() -> None:
    clock = Clock()
    lim, _ = limiter(clock)
    for _ in range(3):
        lim.failed(NODE)
    clock.now += 20
    lim.failed(NODE)                     # a request sent before it was limited
    clock.now += 11
    assert not lim.limited(NODE)


def test_only_real_failures_count() -> None:
    conn = aiohttp.client_reqrep.ConnectionKey("h", 1, False, True, None, None, None)
    refused = aiohttp.ClientConnectorError(conn, OSError(111, "Connection refused"))
    assert real_failure(refused, 0.001, 2.0, 10.0)
    assert real_failure(aiohttp.ConnectionTimeoutError(), 2.0, 2.0, 10.0)
    assert real_failure(aiohttp.SocketTimeoutError(), 10.0, 2.0, 10.0)
    # a caller's own shorter budget, or a timer that did not run its full course
    assert not real_failure(TimeoutError(), 0.5, 2.0, 10.0)
    assert not real_failure(aiohttp.SocketTimeoutError(), 0.5, 2.0, 10.0)
    assert not real_failure(aiohttp.ConnectionTimeoutError(), 0.4, 2.0, 10.0)
    # a dropped keep-alive connection says nothing of the node's health
    assert not real_failure(aiohttp.ServerDisconnectedError(), 0.01, 2.0, 10.0)
