"""Talking to several nodes at once: one fan-out for every request the proxy makes to
replicas (`FanOut.call`, driven by a Strategy of proxy/strategy.py). Streamed uploads,
which feed one body to many nodes, are in proxy/uploads.py.

The fan-out asks the candidates in order (primaries, then handoffs), skipping nodes
the error limiter holds back unless a quorum needs them, and answers once its strategy
is settled: a quorum agreed, plus a short grace for the rest. Requests still out then
are left to finish in the background (bounded per node), so their real timeouts still
teach the limiter and their bodies are released; nothing waits for a frozen node.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Callable, Coroutine, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from objectstore.node import wire
from objectstore.node.client import NodeClient, Target
from objectstore.node.wire import NODE_ERRORS as NODE_ERRORS  # defined there, used from here
from objectstore.proxy.limiter import ErrorLimiter, Node, real_failure
from objectstore.proxy.quorum import Answer
from objectstore.proxy.strategy import Finish, Strategy, grace, plan, retried
from objectstore.timestamps import Timestamp


def answer_from(status: int, headers: Mapping[str, str], node: int) -> Answer:
    stamp = headers.get(wire.BACKEND_TIMESTAMP)
    try:
        return Answer(status, Timestamp.parse(stamp) if stamp else None, node)
    except ValueError:
        return Answer(status, None, node)


class Releasable(Protocol):
    def release(self) -> None: ...


@dataclass
class Reply:
    """One node's answer in a fan-out (status 0: none), with what the request kept."""

    answer: Answer
    headers: dict[str, str] = field(default_factory=dict)
    kept: Releasable | None = None      # an unread response or a started upload
    target: Target | None = None
    slot: int = -1

    def release(self) -> None:
        if self.kept is not None:
            self.kept.release()
            self.kept = None


Request = Callable[[int, Target], Coroutine[Any, Any, Reply]]


@dataclass(frozen=True)
class Timing:
    connect_timeout: float = 2.0
    read_timeout: float = 10.0
    grace_min: float = 0.05     # the post-quorum grace: a few times the healthy latency,
    grace_max: float = 0.5      # within these bounds
    left_per_node: int = 16     # requests left running in the background, per node


def node_of(target: Target) -> Node:
    return (target.host, target.port)


class Candidates:
    """The candidates in order, those not error-limited first; limited ones are kept
    back as last resorts. With `primaries`, a limited one among the first `primaries`
    comes (when allowed) before the candidates after them: for a read, a handoff that
    knows nothing is worth less than a primary, even a limited one."""

    def __init__(self, targets: Iterable[Target], limiter: ErrorLimiter,
                 primaries: int = 0) -> None:
        self._rest: Iterator[Target] = iter(targets)
        self._seen = 0
        self._primaries = primaries
        self._fresh: deque[tuple[bool, Target]] = deque()
        self._limited: deque[tuple[bool, Target]] = deque()
        self._limiter = limiter
        self.took_limited = False       # the last take() gave an error-limited node

    def _fill(self) -> bool:
        for target in self._rest:
            entry = (self._seen < self._primaries, target)
            self._seen += 1
            if self._limiter.limited(node_of(target)):
                self._limited.append(entry)
            else:
                self._fresh.append(entry)
                return True
        return False

    def has_fresh(self) -> bool:
        return bool(self._fresh) or self._fill()

    def exhausted(self) -> bool:
        return not self.has_fresh() and not self._limited

    def take(self, allow_limited: bool) -> Target | None:
        fresh = self.has_fresh()
        self.took_limited = False
        if (allow_limited and self._limited and self._limited[0][0]
                and not (fresh and self._fresh[0][0])):
            self.took_limited = True
            return self._limited.popleft()[1]       # a limited primary before a handoff
        if fresh:
            return self._fresh.popleft()[1]
        if allow_limited and self._limited:
            self.took_limited = True
            return self._limited.popleft()[1]
        return None


class Arrivals:
    """The tasks of one fan-out as they finish, and one future to wake the waiter: a
    done callback per task, added once. (asyncio.wait, called once per answer, adds and
    removes a callback on every task still out each time: a third of a fan-out's cost.)"""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._done: deque[asyncio.Task[Reply]] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def watch(self, task: asyncio.Task[Reply]) -> None:
        task.add_done_callback(self._arrived)

    def _arrived(self, task: asyncio.Task[Reply]) -> None:
        self._done.append(task)
        self._wake()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def next(self, timeout: float | None) -> list[asyncio.Task[Reply]]:
        """The tasks finished since the last call; none if `timeout` passed first."""
        if not self._done:
            self._waiter = self._loop.create_future()
            timer = None if timeout is None else self._loop.call_later(timeout, self._wake)
            try:
                await self._waiter
            finally:
                self._waiter = None
                if timer is not None:
                    timer.cancel()
        finished = list(self._done)
        self._done.clear()
        return finished


@dataclass
class FanOutCounts:
    """What the fan-outs of one proxy went through (plain ints, read by the metrics):
    handoff devices turned to (a primary failed, was full or error-limited, or a read
    asked beyond the primaries), and fan-outs that ended without their quorum."""

    handoffs: int = 0
    quorum_failures: int = 0


class FanOut:
    """The one way the proxy asks several nodes; owns the error limiter and the
    requests left running after an answer."""

    def __init__(self, client: NodeClient, timing: Timing | None = None,
                 limiter: ErrorLimiter | None = None) -> None:
        self.client = client
        self.timing = timing or Timing()
        self.limiter = limiter or ErrorLimiter()
        self.counts = FanOutCounts()
        self._left: set[asyncio.Task[Any]] = set()
        self._left_per_node: dict[Node, int] = {}
        # how long a fan-out's first answer takes, lately (a moving average): what a
        # hedge waits for before a first answer (else the connect timeout)
        self._first_answer: float | None = None

    def exchange(self, method: str, path_of: Callable[[Target], str],
                 headers_of: Callable[[int], Mapping[str, str]] | None = None,
                 body: bytes | None = None) -> Request:
        """A plain request per node whose answer is read whole."""
        async def request(slot: int, target: Target) -> Reply:
            headers = headers_of(slot) if headers_of is not None else None
            resp = await self.client.request(method, target, path_of(target), headers, body)
            async with resp:
                await resp.read()
                got = {k.lower(): v for k, v in resp.headers.items()}
            return Reply(answer_from(resp.status, got, -1), got)
        return request

    async def call(self, candidates: Iterable[Target], request: Request,
                   s: Strategy, primaries: int = 0) -> list[Reply]:
        """Ask candidates as the strategy says; the replies in the order asked (each
        answer's `node` is its index there; status 0 for one still out). See
        Candidates for `primaries`."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        pool = Candidates(candidates, self.limiter, primaries)
        asked: list[Reply] = []
        since: list[float] = []         # when each was asked (a failure's elapsed time)
        done: list[Answer] = []
        running: dict[asyncio.Task[Reply], int] = {}
        arrivals = Arrivals(loop)
        free_slots: list[int] = []
        hedges = 0
        first_answer: float | None = None
        deadline = None if s.patience is None else began + s.patience
        while True:
            # (whether candidates are left is asked only when more were wanted and not
            # found: the handoffs are not even computed while the primaries answer)
            step = plan(s, done, len(running), hedges)
            started = 0
            if step.more:
                now = loop.time()
                for k in range(step.more):
                    target = pool.take(allow_limited=k < step.more_limited)
                    if target is None:
                        break
                    if pool.took_limited:
                        self._asking_limited(target, done)
                    slot = free_slots.pop(0) if free_slots else len(asked)
                    # the request itself is the task (no wrapper coroutine per node):
                    # its outcome is read, and held for or against the node, in _settle
                    task = loop.create_task(request(slot, target) if s.budget is None
                                            else _within(s.budget, request(slot, target)))
                    arrivals.watch(task)
                    running[task] = len(asked)
                    asked.append(Reply(Answer(0, None, len(asked)), target=target,
                                       slot=slot))
                    since.append(now)
                    started += 1
                if started < step.more:
                    step = plan(s, done, len(running), hedges, pool.exhausted())
            if step.finish is Finish.NOW or not running:
                break
            now = loop.time()
            if step.finish is Finish.GRACE:
                end = now + grace(now - began, self.timing.grace_min, self.timing.grace_max)
                deadline = end if deadline is None else min(deadline, end)
            timeout = None if deadline is None else max(0.0, deadline - now)
            if s.hedge and pool.has_fresh():
                wait = self.hedge_wait(first_answer)
                timeout = wait if timeout is None else min(timeout, wait)
            finished = await arrivals.next(timeout)
            if not finished:
                if deadline is not None and loop.time() >= deadline:
                    break
                hedges += 1
                continue
            for task in finished:
                index = running.pop(task)
                held = asked[index]
                assert held.target is not None
                reply = self._settle(task, held.target, since[index])
                reply.answer = Answer(reply.answer.status, reply.answer.timestamp, index)
                reply.target, reply.slot = held.target, held.slot
                asked[index] = reply
                done.append(reply.answer)
                if first_answer is None:
                    first_answer = loop.time() - began
                    self._learn(first_answer)
                if retried(s, reply.answer.status):
                    free_slots.append(reply.slot)
        for task, index in running.items():
            target = asked[index].target
            assert target is not None
            self.leave(task, node_of(target), self._teach(target, since[index]))
        if s.quorum and sum(1 for a in done if a.status in s.success) < s.quorum \
                and not _refused(done, s.quorum):
            self.counts.quorum_failures += 1
        return asked

    def hedge_wait(self, first_answer: float | None) -> float:
        """How long a hedged request waits before asking one more node: a few times
        this fan-out's first answer, or before any, a few times what first answers
        take lately. (Waiting the connect timeout instead cost a read 2 s whenever the
        one replica a listing asks first was frozen and not yet error-limited.)"""
        typical = first_answer if first_answer is not None else self._first_answer
        if typical is None:
            return self.timing.connect_timeout
        return grace(typical, self.timing.grace_min, self.timing.grace_max)

    def _learn(self, first_answer: float) -> None:
        seen = self._first_answer
        self._first_answer = first_answer if seen is None else 0.9 * seen + 0.1 * first_answer

    def _asking_limited(self, target: Target, done: list[Answer]) -> None:
        """Say so when an error-limited node is asked (a quorum is out of reach
        without it): what the others answered says why."""
        if self.limiter.report is not None:
            self.limiter.report(f"asking error-limited node {target.host}:{target.port}: "
                                f"no other candidate left (answers so far: "
                                f"{sorted(a.status for a in done)})")

    def _settle(self, task: asyncio.Task[Reply], target: Target, began: float) -> Reply:
        """A finished request's reply; an error of the node's is no answer (status 0)
        and, if it is a real failure, held against the node; any answer clears it."""
        exc = task.exception()
        if exc is None:
            self.limiter.succeeded(node_of(target))
            return task.result()
        if isinstance(exc, NODE_ERRORS):
            self.failed(target, exc, asyncio.get_running_loop().time() - began)
            return Reply(Answer(0))
        raise exc

    def failed(self, target: Target, exc: BaseException, elapsed: float) -> None:
        """Hold a real failure against the node (see limiter.real_failure)."""
        if real_failure(exc, elapsed, self.timing.connect_timeout, self.timing.read_timeout):
            self.limiter.failed(node_of(target))

    def _teach(self, target: Target, began: float) -> Callable[[asyncio.Task[Any]], None]:
        """What a request left running tells the limiter when it ends (see _settle)."""
        def outcome(task: asyncio.Task[Any]) -> None:
            if not task.cancelled():
                with contextlib.suppress(Exception):    # not a node's error: nobody to tell
                    self._settle(task, target, began)
        return outcome

    def leave(self, task: asyncio.Task[Any], node: Node,
              outcome: Callable[[asyncio.Task[Any]], None] | None = None) -> None:
        """Let a request nobody waits for any more finish in the background (its reply
        released, and `outcome` told), or cancel it if that node has too many left
        already."""
        counted = self._left_per_node.get(node, 0) < self.timing.left_per_node
        if counted:
            self._left_per_node[node] = self._left_per_node.get(node, 0) + 1
        else:
            task.cancel()
        self._left.add(task)

        def finished(t: asyncio.Task[Any]) -> None:
            self._left.discard(t)
            if outcome is not None:
                outcome(t)
            if counted:
                left = self._left_per_node.pop(node, 1) - 1
                if left:
                    self._left_per_node[node] = left
            if not t.cancelled() and t.exception() is None and isinstance(t.result(), Reply):
                t.result().release()
        task.add_done_callback(finished)

    def left_running(self) -> int:
        return len(self._left)

    async def close(self) -> None:
        """Cancel what is left running (at shutdown)."""
        for task in list(self._left):
            task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.gather(*self._left, return_exceptions=True)


def _refused(answers: list[Answer], quorum: int) -> bool:
    """A quorum agreed on one client error (not found, a conflict): an answer, not a
    failure to reach a quorum."""
    counts: dict[int, int] = {}
    for a in answers:
        if 400 <= a.status < 500:
            counts[a.status] = counts.get(a.status, 0) + 1
    return any(n >= quorum for n in counts.values())


async def _within(budget: float, request: Coroutine[Any, Any, Reply]) -> Reply:
    """A request under a caller's own time limit (its expiry, a TimeoutError, is no
    real failure of the node: limiter.real_failure)."""
    async with asyncio.timeout(budget):
        return await request


def per_slot(replies: list[Reply], slots: int) -> list[Reply]:
    """The reply that speaks for each slot: a success if one had it, else its last."""
    best: list[Reply | None] = [None] * slots
    for r in replies:
        if 0 <= r.slot < slots:
            held = best[r.slot]
            if held is None or not 200 <= held.answer.status < 300:
                best[r.slot] = r
    return [r if r is not None else Reply(Answer(0, None, -1), slot=i)
            for i, r in enumerate(best)]
