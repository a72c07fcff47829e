"""The fan-out's strategy (proxy/strategy.py) driven by a pure simulation of the
fan-out: candidates answer in any order with any outcome, some are error-limited; the
grace is taken as zero (the worst case: whatever is out when the strategy settles is
never heard)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from objectstore.node.client import Target
from objectstore.proxy.fanout import Candidates
from objectstore.proxy.limiter import ErrorLimiter
from objectstore.proxy.quorum import Answer, from_handoff, newest, quorum_size, read_settled
from objectstore.proxy.strategy import Finish, Strategy, plan, retried
from objectstore.timestamps import Timestamp


@dataclass(frozen=True)
class Candidate:
    answer: Answer
    latency: int
    limited: bool


@dataclass
class Run:
    answers: list[Answer]
    asked: list[int]
    limited_asked_needlessly: bool


def simulate(s: Strategy, candidates: list[Candidate], wait_out: bool = False,
             primaries: int = 0) -> Run:
    """The fan-out's loop over virtual time (`wait_out`: an endless grace), with the
    fan-out's own candidate pool; with `primaries`, the candidates after them answer
    as handoffs count for a read (proxy.core's _look)."""
    limiter = ErrorLimiter(threshold=1)
    targets = [Target(f"node{i}", i, "d") for i in range(len(candidates))]
    for target, c in zip(targets, candidates, strict=True):
        if c.limited:
            limiter.failed((target.host, target.port))
    pool = Candidates(targets, limiter, primaries)
    now = 0
    running: dict[int, int] = {}        # candidate -> time it answers
    answers: list[Answer] = []
    asked: list[int] = []
    needless = False
    while True:
        step = plan(s, answers, len(running))
        started = 0
        for k in range(step.more):
            target = pool.take(allow_limited=k < step.more_limited)
            if target is None:
                break
            started += 1
            i = target.port
            if candidates[i].limited:
                ok = sum(a.status in s.success for a in answers)
                needless |= ok + len(running) >= s.quorum
            running[i] = now + candidates[i].latency
            asked.append(i)
        if started < step.more:
            step = plan(s, answers, len(running), exhausted=pool.exhausted())
        if step.finish is Finish.NOW or not running:
            return Run(answers, asked, needless)
        if step.finish is Finish.GRACE and not wait_out:
            return Run(answers, asked, needless)
        i = min(running, key=lambda j: (running[j], j))
        now = running.pop(i)
        answer = candidates[i].answer
        answers.append(from_handoff(answer) if primaries and i >= primaries else answer)


def candidates_of(statuses: st.SearchStrategy[int]) -> st.SearchStrategy[list[Candidate]]:
    return st.lists(st.builds(Candidate, statuses.map(Answer), st.integers(0, 20),
                              st.booleans()), min_size=1, max_size=8)


@given(st.integers(1, 5), candidates_of(st.sampled_from([201, 201, 0, 507])))
def test_writes_reach_a_quorum_whenever_enough_candidates_can(
        replicas: int, candidates: list[Candidate]) -> None:
    s = Strategy(quorum=quorum_size(replicas), width=replicas,
                 retry=frozenset({0, 507}))
    run = simulate(s, candidates)
    can = sum(c.answer.status == 201 for c in candidates)
    got = sum(a.status == 201 for a in run.answers)
    if can >= s.quorum:
        assert got >= s.quorum, "the limiter or the grace cost a quorum that was there"
    assert not run.limited_asked_needlessly
    assert len(run.asked) == len(set(run.asked))


@given(st.integers(1, 5), candidates_of(st.sampled_from([201, 0])))
def test_limited_nodes_are_asked_only_when_the_others_cannot_make_a_quorum(
        replicas: int, candidates: list[Candidate]) -> None:
    s = Strategy(quorum=quorum_size(replicas), width=replicas)
    run = simulate(s, candidates, wait_out=True)
    fresh_ok = sum(c.answer.status == 201 for c in candidates if not c.limited)
    if fresh_ok >= s.quorum:
        assert not any(candidates[i].limited for i in run.asked)
    assert len(run.asked) == len(set(run.asked))


@given(st.integers(1, 7), st.data())
def test_a_settled_read_sees_the_acknowledged_write(replicas: int,
                                                    data: st.DataObject) -> None:
    """The newest write reached a majority of the primaries; the others hold older
    versions, nothing, or do not answer; handoffs know nothing. Whenever the read
    settles on answers, the newest of them is the acknowledged write."""
    need = quorum_size(replicas)
    acked = data.draw(st.sets(st.integers(0, replicas - 1), min_size=need,
                              max_size=replicas))
    primaries = []
    for i in range(replicas):
        held = Timestamp(100) if i in acked else data.draw(
            st.sampled_from([None, Timestamp(50), "down"]))
        answer = (Answer(0) if held == "down" else
                  Answer(200 if held else 404, held if isinstance(held, Timestamp) else None))
        primaries.append(Candidate(answer, data.draw(st.integers(0, 20)),
                                   data.draw(st.booleans())))
    handoffs = [Candidate(Answer(404), data.draw(st.integers(0, 20)), False)
                for _ in range(data.draw(st.integers(0, 3)))]
    s = Strategy(quorum=need, width=need, success=frozenset({200, 404}),
                 retry_failures=True, widen_to=replicas, agree=True)
    run = simulate(s, primaries + handoffs, primaries=replicas)
    if read_settled(run.answers, replicas):
        best = newest(run.answers)
        assert best is not None and best.timestamp == Timestamp(100)
        assert best.status == 200
    assert all(retried(s, a.status) or a.status in s.success for a in run.answers)


def plan_by_lists(s: Strategy, answers: list[Answer], in_flight: int, hedges: int,
                  exhausted: bool) -> tuple[int, int, Finish]:
    """plan() as first written, over lists of answers: plan counts in one pass now (it
    runs several times in every proxy request), and must decide exactly as this did."""
    ok = [a for a in answers if a.status in s.success]
    final = [a for a in answers if not retried(s, a.status)]
    agreed = len(final) == len(ok) and len({(a.status, a.timestamp) for a in ok}) <= 1
    if s.agree and len(ok) >= s.quorum and agreed:
        return 0, 0, Finish.NOW
    width = s.width + hedges
    if s.widen_to and not agreed:
        width = max(width, s.widen_to)
    more = 0 if exhausted else max(0, width - len(final) - in_flight)
    reached = len(ok) >= s.quorum
    more_limited = 0 if reached else max(0, min(more, s.quorum - len(ok) - in_flight))
    if in_flight == 0 and more == 0:
        return 0, 0, Finish.NOW
    if reached:
        return more, 0, Finish.GRACE if s.quorum else Finish.WAIT
    if len(ok) + in_flight + more < s.quorum:
        return more, more_limited, Finish.GRACE
    return more, more_limited, Finish.WAIT


STATUSES = st.sampled_from([0, 200, 201, 204, 404, 409, 503, 507])


@given(st.builds(Strategy, quorum=st.integers(0, 4), width=st.integers(0, 5),
                 success=st.sampled_from([frozenset({200, 201, 204}), frozenset({200, 204}),
                                          frozenset({200, 204, 404}), frozenset({200})]),
                 retry=st.sampled_from([frozenset({0}), frozenset({0, 507}),
                                        frozenset({0, 200})]),
                 retry_failures=st.booleans(), widen_to=st.integers(0, 5),
                 agree=st.booleans()),
       st.lists(st.builds(Answer, STATUSES, st.sampled_from([None, Timestamp(1),
                                                             Timestamp(2)])), max_size=8),
       st.integers(0, 5), st.integers(0, 3), st.booleans())
def test_plan_decides_as_the_list_formulation_did(s: Strategy, answers: list[Answer],
                                                  in_flight: int, hedges: int,
                                                  exhausted: bool) -> None:
    assert tuple(plan(s, answers, in_flight, hedges, exhausted)) == plan_by_lists(
        s, answers, in_flight, hedges, exhausted)


def test_a_read_waits_for_a_primary_rather_than_settle_on_a_handoffs_silence() -> None:
    """Found by hypothesis: seven replicas, the write on primaries 0, 3, 4 and 5, of which
    3-5 are error-limited and 0 is slow. Primaries 1 and 2 never got it, 6 holds an older
    version. A handoff's 404 once completed a "majority" (1, 2, 6 and the handoff) that
    overlaps no holder of the write, and the read answered the older version."""
    def primary(held: int | None, latency: int, limited: bool) -> Candidate:
        answer = Answer(200, Timestamp(held)) if held else Answer(404)
        return Candidate(answer, latency, limited)
    candidates = [primary(100, 1, False), primary(None, 0, False), primary(None, 0, False),
                  primary(100, 0, True), primary(100, 0, True), primary(100, 0, True),
                  primary(50, 0, False), Candidate(Answer(404), 0, False)]
    s = Strategy(quorum=4, width=4, success=frozenset({200, 404}), retry_failures=True,
                 widen_to=7, agree=True)
    run = simulate(s, candidates, primaries=7)
    assert read_settled(run.answers, 7)
    best = newest(run.answers)
    assert best is not None and best.timestamp == Timestamp(100)


def test_a_handoff_that_was_never_written_to_counts_as_no_answer() -> None:
    assert from_handoff(Answer(404, None, 3)) == Answer(0, None, 3)
    tombstone = Answer(404, Timestamp(7), 3)
    assert from_handoff(tombstone) == tombstone     # it saw a delete: that counts
    assert from_handoff(Answer(200, Timestamp(7))) == Answer(200, Timestamp(7))
