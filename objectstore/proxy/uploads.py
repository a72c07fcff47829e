"""Streamed uploads: one body fed to several nodes as it arrives, with bounded memory
(a chunk or two queued per node). A node that cannot keep up once a quorum has taken a
chunk stops being fed after the grace, so it never sees the whole body and cannot
commit it; the write is acknowledged only when a quorum committed."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Iterable

from objectstore.node import paths
from objectstore.node.client import Target, node_path
from objectstore.proxy.fanout import NODE_ERRORS, FanOut, Reply, Timing, answer_from, node_of
from objectstore.proxy.quorum import Answer, quorum_size, write_outcome
from objectstore.proxy.strategy import grace, shared

QUEUE_CHUNKS = 1    # chunks queued per upload (plus one in flight): memory ~R x 2 chunks


class Upload:
    """One streamed PUT to one node. It starts when the node has answered
    `100 Continue`, so a dead node is known before any byte of the body is sent."""

    def __init__(self, fanout: FanOut, target: Target, path: str,
                 headers: dict[str, str], node: int) -> None:
        self.target = target
        self.node = node
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
        self.started = asyncio.Event()
        self.headers: dict[str, str] = {}
        self.task = asyncio.create_task(self._run(fanout, path, headers))

    async def _body(self) -> AsyncIterator[bytes]:
        self.started.set()
        while (chunk := await self.queue.get()) is not None:
            yield chunk

    async def _run(self, fanout: FanOut, path: str, headers: dict[str, str]) -> Answer:
        began = time.monotonic()
        try:
            resp = await fanout.client.request("PUT", self.target, path,
                                               {**headers, "expect": "100-continue"},
                                               self._body())
            async with resp:
                await resp.read()
                self.headers = {k.lower(): v for k, v in resp.headers.items()}
        except NODE_ERRORS as exc:
            fanout.failed(self.target, exc, time.monotonic() - began)
            return Answer(0, None, self.node)
        fanout.limiter.succeeded(node_of(self.target))
        return answer_from(resp.status, self.headers, self.node)

    async def wait_started(self, timeout: float) -> bool:
        """True once the node takes the body; False if it failed or took too long."""
        waiter = asyncio.ensure_future(self.started.wait())
        try:
            await asyncio.wait({waiter, self.task}, timeout=timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            if not self.started.is_set():
                self.task.cancel()
        return self.started.is_set() and not self.task.done()

    def release(self) -> None:
        """Give up on this upload (nobody feeds it): its node never sees the whole
        body, so it cannot commit it."""
        self.task.cancel()

    def send_now(self, chunk: bytes | None) -> bool:
        """Queue a chunk if there is room at once (the common case: no task, no timer)."""
        if self.task.done() or self.queue.full():
            return False
        self.queue.put_nowait(chunk)
        return True

    async def send(self, chunk: bytes | None, timeout: float) -> bool:
        """Queue a chunk (None ends the body); False if the node stopped taking it."""
        if self.task.done():
            return False
        try:
            await asyncio.wait_for(self.queue.put(chunk), timeout)
            return True
        except TimeoutError:
            self.task.cancel()
            return False

    async def answer(self) -> Answer:
        try:
            return await self.task
        except asyncio.CancelledError:
            return Answer(0, None, self.node)


async def start_uploads(fanout: FanOut, candidates: Iterable[Target], slots: int,
                        replicas: int, part: int, name: tuple[str, str, str],
                        base: dict[str, str], updates: list[dict[str, str]],
                        kind: str = paths.OBJECTS) -> list[Upload | None]:
    """Start one upload per slot (a handoff replacing a primary that does not take
    it); once a quorum started, the rest get the grace. Slot i's object node updates
    container replica as `updates[i]` names it (see Proxy.update_headers)."""
    async def start(slot: int, target: Target) -> Reply:
        path = node_path(kind, target.device, part, *name)
        upload = Upload(fanout, target, path,
                        {**base, **updates[slot % len(updates)]}, slot)
        if await upload.wait_started(fanout.timing.connect_timeout):
            return Reply(Answer(100), kept=upload)
        return Reply(Answer(0))

    replies = await fanout.call(candidates, start, shared(
        quorum=quorum_size(replicas), width=slots, success=frozenset({100})))
    started: list[Upload | None] = [None] * slots
    for r in replies:
        if r.answer.status == 100 and isinstance(r.kept, Upload):
            started[r.slot] = r.kept
    return started


async def send_all(uploads: list[Upload], chunk: bytes | None, replicas: int,
                   timing: Timing) -> None:
    """Feed every live upload; one that cannot take the chunk while a quorum could
    gets the longest grace, then stops being fed (its node never commits), and the
    final count of answers decides the write."""
    slow = [u for u in uploads if not u.send_now(chunk) and not u.task.done()]
    if not slow:
        return
    loop = asyncio.get_running_loop()
    took = sum(1 for u in uploads if not u.task.done()) - len(slow)
    need = quorum_size(replicas)
    pending = {asyncio.ensure_future(u.send(chunk, timing.read_timeout)): u for u in slow}
    deadline = loop.time() + timing.grace_max if took >= need else None
    while pending:
        timeout = None if deadline is None else max(0.0, deadline - loop.time())
        done, _ = await asyncio.wait(pending, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if not done:
            break
        for task in done:
            pending.pop(task)
            took += task.result()
        if deadline is None and took >= need:
            deadline = loop.time() + timing.grace_max
    for task, upload in pending.items():
        task.cancel()
        upload.release()


async def upload_answers(fanout: FanOut, uploads: list[Upload], replicas: int
                         ) -> dict[int, Answer]:
    """The uploads' answers by slot, once a quorum stored it and the rest had the
    grace; any still out finish in the background."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    need = quorum_size(replicas)
    pending = {u.task: u for u in uploads}
    answers: dict[int, Answer] = {}
    deadline: float | None = None
    while pending:
        timeout = None if deadline is None else max(0.0, deadline - loop.time())
        done, _ = await asyncio.wait(pending, timeout=timeout,
                                     return_when=asyncio.FIRST_COMPLETED)
        if not done:
            break
        for task in done:
            u = pending.pop(task)
            answers[u.node] = await u.answer()
        if deadline is None and sum(200 <= a.status < 300 for a in answers.values()) >= need:
            now = loop.time()
            deadline = now + grace(now - began, fanout.timing.grace_min,
                                   fanout.timing.grace_max)
    for task, u in pending.items():
        fanout.leave(task, node_of(u.target))
    if write_outcome(list(answers.values()), replicas) == 503:
        fanout.counts.quorum_failures += 1
    return answers
