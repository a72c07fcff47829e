"""Quorum decisions: pure functions over plain lists of node answers.

A write succeeds when a majority of the replicas has it; a read trusts the newest
timestamp among a majority of answers, which always overlaps the majority that
acknowledged the newest write -- so a read never returns older acknowledged data. (Only
answers that know something count: a handoff that was never written to knows nothing,
see from_handoff.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from objectstore.timestamps import Timestamp


def quorum_size(replicas: int) -> int:
    return replicas // 2 + 1


class Answer(NamedTuple):
    """What one node said: its status (0 when it could not be reached) and, for reads,
    the timestamp of what it holds (a tombstone's for a 404 after a delete). (A tuple:
    a request makes several per node, and a frozen dataclass costs twice as much.)"""

    status: int
    timestamp: Timestamp | None = None
    node: int = -1      # index of the node in the caller's list


def write_outcome(answers: Sequence[Answer], replicas: int) -> int:
    """The status of a write: 2xx when a quorum succeeded; else the most common client
    error a quorum agrees on (e.g. 409, 422, 400); else 503."""
    need = quorum_size(replicas)
    ok = [a for a in answers if 200 <= a.status < 300]
    if len(ok) >= need:
        return min(a.status for a in ok)
    for status in sorted({a.status for a in answers if 400 <= a.status < 500}):
        if sum(1 for a in answers if a.status == status) >= need:
            return status
    return 503


def newest(answers: Sequence[Answer]) -> Answer | None:
    """The answer with the newest timestamp (ties: a success before a 404)."""
    known = [a for a in answers if a.timestamp is not None and a.status in (200, 204, 404)]
    if not known:
        return None
    return max(known, key=lambda a: (a.timestamp, a.status != 404))


def from_handoff(answer: Answer) -> Answer:
    """A handoff's answer as a read counts it. A handoff holds data only while a primary
    is away, so its not-found without a timestamp says nothing against a write that a
    majority of the primaries holds: it counts as no answer. (Counted as not-found, it
    could complete a "majority" that overlaps no primary holding the newest write.)
    A tombstone's not-found, with its timestamp, is knowledge and counts."""
    if answer.status == 404 and answer.timestamp is None:
        return Answer(0, None, answer.node)
    return answer


def read_settled(answers: Sequence[Answer], replicas: int) -> bool:
    """Enough nodes answered (found or not found) to trust the newest among them."""
    return sum(1 for a in answers if a.status in (200, 204, 404)) >= quorum_size(replicas)


def agreed(answers: Sequence[Answer], replicas: int) -> bool:
    """Every node asked answered, found or not found, alike (same status and timestamp),
    and they are a majority: a majority that acknowledged anything newer would overlap
    them, so the other replicas need not be asked."""
    if len(answers) < quorum_size(replicas):
        return False
    seen = {(a.status, a.timestamp) for a in answers}
    return len(seen) == 1 and next(iter(seen))[0] in (200, 404)
