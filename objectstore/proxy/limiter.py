"""Error limiting: a node that keeps failing is skipped by new requests for a while.

A frozen or unreachable node otherwise costs every request a timeout (or a hand-off
wait) before its peers' answers are used. After `threshold` real failures within
`window` seconds a node is *limited* for `suppression` seconds: the fan-out asks other
candidates first (a handoff takes its slot, as when it is down) and asks it only when a
quorum is out of reach without it. When the suppression ends the node is tried again,
on probation: one more failure limits it again, one answer clears it.

Only *real* failures count (`real_failure`): a refused connection, a connect timeout at
the full connect timeout, a read timeout at the full read timeout. A caller's own
shorter budget running out, or a request given up after a quorum answered, says nothing
about the node -- counting those limited healthy nodes whose first requests included
TCP connection set-up (hosts in a network namespace lab). The clock is injected so
tests need no sleeps.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import aiohttp

Node = tuple[str, int]      # host, port: errors belong to a node process, not a device


def real_failure(exc: BaseException, elapsed: float, connect_timeout: float,
                 read_timeout: float) -> bool:
    """Whether an error of a request made with the client's own timeouts says the node
    is not answering (rather than that someone gave up on it early)."""
    slack = 0.95        # timers fire a hair early on some loops
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return elapsed >= connect_timeout * slack
    if isinstance(exc, aiohttp.SocketTimeoutError):
        return elapsed >= read_timeout * slack
    if isinstance(exc, TimeoutError):
        return False        # a total budget: the caller's, not the node's
    return isinstance(exc, aiohttp.ClientConnectorError)     # refused, unreachable


@dataclass
class _Record:
    failures: deque[float] = field(default_factory=deque)
    until: float = 0.0          # limited until then
    probation: bool = False     # its suppression ended; one failure limits it again


class ErrorLimiter:
    def __init__(self, threshold: int = 3, window: float = 60.0, suppression: float = 30.0,
                 clock: Callable[[], float] = time.monotonic,
                 report: Callable[[str], None] | None = None) -> None:
        self.threshold = threshold
        self.window = window
        self.suppression = suppression
        self.clock = clock
        self.report = report
        self._nodes: dict[Node, _Record] = {}
        self.limitings = 0          # how many times a node was limited (the metrics)

    def limited(self, node: Node) -> bool:
        """Skip this node for new requests? (The common case is one dict lookup.)"""
        record = self._nodes.get(node)
        if record is None or not record.until:
            return False
        if self.clock() < record.until:
            return True
        record.until = 0.0          # suppression over: tried again, on probation
        record.probation = True
        return False

    def failed(self, node: Node) -> None:
        now = self.clock()
        record = self._nodes.setdefault(node, _Record())
        if record.until and now < record.until:
            return                  # a straggler of before the limit: already counted
        record.failures.append(now)
        while record.failures and record.failures[0] <= now - self.window:
            record.failures.popleft()
        if record.probation or len(record.failures) >= self.threshold:
            record.until = now + self.suppression
            record.probation = False
            self.limitings += 1
            record.failures.clear()
            if self.report is not None:
                self.report(f"node {node[0]}:{node[1]} error-limited for "
                            f"{self.suppression:g} s (it timed out or refused)")

    def succeeded(self, node: Node) -> None:
        """An answer (of any status): the node is alive; forget its failures."""
        record = self._nodes.pop(node, None)
        was_limited = record is not None and (record.until or record.probation)
        if was_limited and self.report is not None:
            self.report(f"node {node[0]}:{node[1]} answers again")

    def limited_nodes(self) -> list[Node]:
        return [n for n in list(self._nodes) if self.limited(n)]
