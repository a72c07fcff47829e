"""Concurrency helpers for talking to several nodes at once: streaming one body to many
uploads with bounded memory, and gathering answers with timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp

from objectstore.node.client import NodeClient, Target
from objectstore.proxy.quorum import Answer
from objectstore.timestamps import Timestamp

NODE_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)
QUEUE_CHUNKS = 1    # chunks queued per upload (plus one in flight): memory ~R x 2 chunks


def answer_from(status: int, headers: dict[str, str], node: int) -> Answer:
    stamp = headers.get("x-backend-timestamp")
    try:
        return Answer(status, Timestamp.parse(stamp) if stamp else None, node)
    except ValueError:
        return Answer(status, None, node)


class Upload:
    """One streamed PUT to one node. It starts when the node has answered
    `100 Continue`, so a dead node is known before any byte of the body is sent."""

    def __init__(self, client: NodeClient, target: Target, path: str,
                 headers: dict[str, str], node: int) -> None:
        self.target = target
        self.node = node
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=QUEUE_CHUNKS)
        self.started = asyncio.Event()
        self.headers: dict[str, str] = {}
        self.task = asyncio.create_task(self._run(client, path, headers))

    async def _body(self) -> AsyncIterator[bytes]:
        self.started.set()
        while (chunk := await self.queue.get()) is not None:
            yield chunk

    async def _run(self, client: NodeClient, path: str, headers: dict[str, str]) -> Answer:
        try:
            resp = await client.request("PUT", self.target, path,
                                        {**headers, "expect": "100-continue"}, self._body())
            async with resp:
                await resp.read()
                self.headers = {k.lower(): v for k, v in resp.headers.items()}
                return answer_from(resp.status, self.headers, self.node)
        except NODE_ERRORS:
            return Answer(0, None, self.node)

    async def wait_started(self, timeout: float) -> bool:
        """True once the node takes the body; False if it failed or took too long."""
        waiter = asyncio.create_task(self.started.wait())
        await asyncio.wait({waiter, self.task}, timeout=timeout,
                           return_when=asyncio.FIRST_COMPLETED)
        waiter.cancel()
        if self.started.is_set() and not self.task.done():
            return True
        self.task.cancel()
        return False

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

