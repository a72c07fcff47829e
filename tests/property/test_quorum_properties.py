"""Quorum rules: a read that settles on any majority sees the newest acknowledged write."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from objectstore.proxy.quorum import (
    Answer,
    agreed,
    newest,
    quorum_size,
    read_settled,
    write_outcome,
)
from objectstore.timestamps import Timestamp


@given(st.integers(1, 7), st.data())
def test_any_read_quorum_sees_the_acknowledged_write(replicas: int,
                                                     data: st.DataObject) -> None:
    need = quorum_size(replicas)
    # the newest write reached some majority; the others hold older versions or nothing
    acked = set(data.draw(st.sets(st.integers(0, replicas - 1), min_size=need,
                                  max_size=replicas)))
    held = {i: (Timestamp(100) if i in acked else
                data.draw(st.sampled_from([None, Timestamp(50), Timestamp(99)])))
            for i in range(replicas)}
    readers = data.draw(st.sets(st.integers(0, replicas - 1), min_size=need,
                                max_size=replicas))
    answers = [Answer(200 if held[i] else 404, held[i], i) for i in readers]
    assert read_settled(answers, replicas)
    best = newest(answers)
    assert best is not None and best.timestamp == Timestamp(100) and best.status == 200


@given(st.integers(1, 7), st.lists(st.sampled_from([0, 201, 201, 409, 422, 503, 507]),
                                   min_size=1, max_size=7))
def test_write_outcome(replicas: int, statuses: list[int]) -> None:
    statuses = statuses[:replicas]
    outcome = write_outcome([Answer(s) for s in statuses], replicas)
    ok = sum(1 for s in statuses if s == 201)
    if ok >= quorum_size(replicas):
        assert outcome == 201
    else:
        assert outcome != 201
        if outcome != 503:
            assert statuses.count(outcome) >= quorum_size(replicas)


def test_tombstone_newer_than_data_wins() -> None:
    answers = [Answer(200, Timestamp(1)), Answer(404, Timestamp(2)), Answer(404, None)]
    best = newest(answers)
    assert best is not None and best.status == 404
    assert newest([Answer(0), Answer(503)]) is None


@given(st.integers(1, 7), st.data())
def test_a_majority_that_agrees_has_the_acknowledged_write(replicas: int,
                                                          data: st.DataObject) -> None:
    """Reads ask a majority first and stop there when it agrees: agreement must never
    hide the newest acknowledged write."""
    need = quorum_size(replicas)
    acked = set(data.draw(st.sets(st.integers(0, replicas - 1), min_size=need,
                                  max_size=replicas)))
    held = {i: (Timestamp(100) if i in acked else
                data.draw(st.sampled_from([None, Timestamp(50)])))
            for i in range(replicas)}
    readers = data.draw(st.sets(st.integers(0, replicas - 1), min_size=need,
                                max_size=need))
    answers = [Answer(200 if held[i] else 404, held[i], i) for i in readers]
    if agreed(answers, replicas):
        best = newest(answers)
        assert best is not None and best.timestamp == Timestamp(100)


def test_agreement_needs_a_majority_of_alike_answers() -> None:
    same = [Answer(200, Timestamp(1), 0), Answer(200, Timestamp(1), 1)]
    assert agreed(same, 3)
    assert agreed([Answer(404, None, 0), Answer(404, None, 1)], 3)
    assert not agreed(same[:1], 3)
    assert not agreed([same[0], Answer(200, Timestamp(2), 1)], 3)
    assert not agreed([same[0], Answer(404, None, 1)], 3)
    assert not agreed([Answer(503, None, 0), Answer(503, None, 1)], 3)
    assert not agreed([Answer(0, None, 0), Answer(0, None, 1)], 3)
