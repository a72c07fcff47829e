"""The fan-out's I/O loop with request functions standing in for nodes (a frozen node
is a request that never answers): what it waits for, what it leaves running, whom it
asks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from objectstore.node.client import NodeClient, Target
from objectstore.proxy.fanout import FanOut, Reply, Timing
from objectstore.proxy.limiter import ErrorLimiter
from objectstore.proxy.quorum import Answer
from objectstore.proxy.strategy import Strategy

NODES = [Target("127.0.0.1", 7000 + i, f"d{i}") for i in range(4)]
WRITE = Strategy(quorum=2, width=3)
READ = Strategy(quorum=2, width=2, success=frozenset({200, 404}), retry_failures=True,
                widen_to=3, agree=True, hedge=True)


def fanout(limiter: ErrorLimiter | None = None) -> FanOut:
    return FanOut(NodeClient(b"s"), Timing(connect_timeout=2.0, read_timeout=10.0,
                                           grace_min=0.01, grace_max=0.2), limiter)


def nodes(frozen: set[int], asked: list[int], status: int = 201
          ) -> Callable[[int, Target], Awaitable[Reply]]:
    async def request(slot: int, target: Target) -> Reply:
        asked.append(target.port - 7000)
        if target.port - 7000 in frozen:
            await asyncio.sleep(3600)
        return Reply(Answer(status))
    return request


def run(coro: Awaitable[object]) -> object:
    return asyncio.run(coro)     # type: ignore[arg-type]


def test_a_frozen_replica_gets_only_the_grace_and_is_left_running() -> None:
    async def go() -> None:
        f = fanout()
        began = time.monotonic()
        replies = await f.call(NODES[:3], nodes({1}, []), WRITE)
        assert time.monotonic() - began < 2.0, "answered without the frozen node"
        assert [r.answer.status for r in replies] == [201, 0, 201]
        assert f.left_running() == 1
        await f.close()
        assert f.left_running() == 0
    run(go())


def test_a_read_does_not_wait_for_a_frozen_node_when_its_peers_agree() -> None:
    async def go() -> None:
        f = fanout()
        asked: list[int] = []
        began = time.monotonic()
        replies = await f.call(NODES[:3], nodes({0}, asked, 200), READ, primaries=3)
        assert time.monotonic() - began < 2.0
        assert sorted(asked) == [0, 1, 2], "the slow one's peer was asked meanwhile"
        assert sorted(r.answer.status for r in replies) == [0, 200, 200]
        await f.close()
    run(go())


def test_limited_nodes_are_skipped_unless_a_quorum_needs_them() -> None:
    async def go() -> None:
        limiter = ErrorLimiter(threshold=1)
        limiter.failed(("127.0.0.1", 7001))
        f = fanout(limiter)
        asked: list[int] = []
        await f.call(NODES, nodes(set(), asked), WRITE)
        assert asked == [0, 2, 3], "a handoff took the limited node's slot"
        asked.clear()
        await f.call(NODES[:3], nodes(set(), asked), WRITE)
        assert asked == [0, 2], "no handoff: two replicas, and the limited node is spared"
        for port in (7000, 7002):
            limiter.failed(("127.0.0.1", port))
        asked.clear()
        replies = await f.call(NODES[:3], nodes(set(), asked), WRITE)
        assert len(asked) == 2 and sum(r.answer.status == 201 for r in replies) == 2, (
            "all limited: still tried, a quorum is not given up on a guess")
        await f.close()
    run(go())


def test_a_callers_budget_running_out_is_not_held_against_the_node() -> None:
    async def go() -> None:
        limiter = ErrorLimiter(threshold=1)
        f = fanout(limiter)
        budget = Strategy(quorum=1, width=1, budget=0.01)
        replies = await f.call(NODES[:1], nodes({0}, []), budget)
        assert replies[0].answer.status == 0
        assert not limiter.limited(("127.0.0.1", 7000))
        await f.close()
    run(go())


def test_refused_connections_limit_a_node() -> None:
    async def go() -> None:
        limiter = ErrorLimiter(threshold=2)
        f = fanout(limiter)
        dead = Target("127.0.0.1", 1, "d")       # nothing listens on port 1
        request = f.exchange("HEAD", lambda t: "/x")
        for _ in range(2):
            replies = await f.call([dead], request, Strategy(quorum=1, width=1))
            assert replies[0].answer.status == 0
        assert limiter.limited(("127.0.0.1", 1))
        await f.client.close()
    run(go())


def test_left_requests_are_bounded_per_node() -> None:
    async def go() -> None:
        f = FanOut(NodeClient(b"s"), Timing(grace_min=0.0, grace_max=0.0, left_per_node=2))
        for _ in range(4):
            await f.call(NODES[:3], nodes({2}, []), WRITE)
        for _ in range(3):
            await asyncio.sleep(0)          # the cancelled ones finish
        assert f.left_running() == 2, "the extra ones were cancelled"
        await f.close()
    run(go())


def test_a_hedged_read_asks_the_next_node_after_a_few_typical_answers_not_a_timeout() -> None:
    """A listing asks one replica; when it is frozen (and not limited yet) the next is
    asked once the first has taken a few times what answers take lately -- not the
    connect timeout."""
    listing = Strategy(quorum=1, width=1, success=frozenset({200}), retry_failures=True,
                       hedge=True)

    async def go() -> None:
        f = fanout()
        for _ in range(5):          # answers come at once, lately
            await f.call(NODES[1:3], nodes(set(), [], 200), listing)
        asked: list[int] = []
        began = time.monotonic()
        replies = await f.call(NODES[:3], nodes({0}, asked, 200), listing)
        waited = time.monotonic() - began
        assert asked == [0, 1]
        assert [r.answer.status for r in replies] == [0, 200]
        assert waited < 1.0, f"waited {waited:.2f} s: the connect timeout, not the grace"
        await f.close()
    run(go())


def test_before_any_answer_was_seen_a_hedge_waits_the_connect_timeout() -> None:
    f = fanout()
    assert f.hedge_wait(None) == 2.0
    assert f.hedge_wait(0.001) == 0.01          # a few times an answer, at least the min
    assert f.hedge_wait(5.0) == 0.2             # at most the max


def test_a_fanout_without_its_quorum_is_counted_a_refusal_is_not() -> None:
    async def go() -> None:
        f = fanout()
        await f.call(NODES[:3], nodes(set(), []), WRITE)
        assert f.counts.quorum_failures == 0
        await f.call(NODES[:3], nodes(set(), [], status=503), WRITE)
        assert f.counts.quorum_failures == 1
        # a quorum agreeing on a client error is an answer, not a failure
        await f.call(NODES[:3], nodes(set(), [], status=409), WRITE)
        assert f.counts.quorum_failures == 1
        # nor is anything of a call that wants no quorum
        await f.call(NODES[:3], nodes(set(), [], status=503),
                     Strategy(quorum=0, width=3))
        assert f.counts.quorum_failures == 1
        await f.close()
    run(go())
