"""How a request to several nodes proceeds: pure decisions over the answers so far.

The fan-out (proxy/fanout.py) asks this module, each time an answer arrives or a timer
fires, how many more nodes to ask and whether to answer the client now, after a short
grace, or to keep waiting. Keeping the decisions here, over plain counts and answers,
lets them be property-tested like quorum.py (tests/property/test_strategy_properties.py).

Vocabulary: a *slot* is one replica's place in the request; a node whose answer is in
`retry` (no answer, a full disk) frees its slot for the next candidate. *Settled*
means a quorum has succeeded (or can no longer succeed): from then on the rest get at
most a grace period, since what they would add is left to replication.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from objectstore.proxy.quorum import Answer

NO_ANSWER = frozenset({0})
WRITTEN = frozenset(range(200, 300))
KNOWN = frozenset({200, 204, 404})     # a read's answers that say what a node holds


class Finish(enum.Enum):
    WAIT = "wait"       # keep waiting for the nodes asked
    GRACE = "grace"     # settled: wait at most a grace period for the rest
    NOW = "now"         # answer at once


@dataclass(frozen=True)
class Strategy:
    """What one fan-out wants: `quorum` answers in `success`, with `width` nodes asked at
    first (`widen_to` once the first answers disagree, for reads that ask a majority
    first). `agree`: answer as soon as `quorum` successes agree (reads). `hedge`: ask one
    more node when the ones asked are slow. `budget`: a per-node time limit of the
    caller's own (its expiry says nothing about the node, so it is not held against it)."""

    quorum: int
    width: int
    success: frozenset[int] = WRITTEN
    retry: frozenset[int] = NO_ANSWER
    retry_failures: bool = False    # any status not in `success` frees the slot (reads)
    widen_to: int = 0
    agree: bool = False
    hedge: bool = False
    budget: float | None = None
    patience: float | None = None   # the most the caller waits at all (best effort)


@functools.lru_cache(maxsize=512)
def shared(**fields: Any) -> Strategy:
    """A Strategy with these fields, made once: the few a proxy uses recur on every
    request (a frozen dataclass of ten fields costs ~5 us to build)."""
    return Strategy(**fields)


class Step(NamedTuple):
    """(A tuple: made several times per fan-out, where a frozen dataclass costs more.)"""

    more: int           # nodes to ask now (candidates that are not error-limited first)
    more_limited: int   # of those, how many may be error-limited nodes, for want of others
    finish: Finish


def retried(s: Strategy, status: int) -> bool:
    """Whether this answer frees its slot for the next candidate."""
    return status in s.retry or (s.retry_failures and status not in s.success)


def plan(s: Strategy, answers: Sequence[Answer], in_flight: int, hedges: int = 0,
         exhausted: bool = False) -> Step:
    """The next step, given the answers so far (in any order), how many requests are
    still out, how many times the caller found the ones asked slow (`hedges`), and
    whether no candidate is left to ask (`exhausted`)."""
    # (one pass, counts only: this runs several times in every request the proxy makes)
    ok = final = 0
    first: tuple[int, object] | None = None
    same = True                 # the successes so far agree (status and timestamp)
    for a in answers:
        status = a.status
        if status in s.success:
            ok += 1
            if status not in s.retry:
                final += 1
            if first is None:
                first = (status, a.timestamp)
            elif same and (status, a.timestamp) != first:
                same = False
        elif not (status in s.retry or s.retry_failures):
            final += 1
    agreed = final == ok and same
    if s.agree and ok >= s.quorum and agreed:
        return Step(0, 0, Finish.NOW)
    width = s.width + hedges
    if s.widen_to and not agreed:
        width = max(width, s.widen_to)
    more = 0 if exhausted else max(0, width - final - in_flight)
    reached = ok >= s.quorum
    # Error-limited nodes are asked only when a quorum is otherwise out of reach.
    more_limited = 0 if reached else max(0, min(more, s.quorum - ok - in_flight))
    if in_flight == 0 and more == 0:
        return Step(0, 0, Finish.NOW)
    if reached:         # replacements for failed slots may still start, within the grace
        return Step(more, 0, Finish.GRACE if s.quorum else Finish.WAIT)
    if ok + in_flight + more < s.quorum:
        # no quorum is possible any more: the ones out only get the grace (their
        # answers might still name a better error than 503)
        return Step(more, more_limited, Finish.GRACE)
    return Step(more, more_limited, Finish.WAIT)


def grace(elapsed: float, low: float, high: float, factor: float = 3.0) -> float:
    """How long to wait for the rest once the first answers came in `elapsed` seconds:
    a few times the healthy latency, within [low, high]."""
    return min(high, max(low, factor * elapsed))
