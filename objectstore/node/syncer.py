"""fsync off the event loop, cheaply.

`asyncio.to_thread` costs a context copy, two futures chained across threads and a
wake-up of a pool thread per call; under a write load that bookkeeping (and the GIL
hand-overs it causes) cost a node more CPU than the fsyncs themselves. Here a few
dedicated threads take whatever descriptors are waiting, sync them one after the other,
and wake the loop once per batch.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import deque


class Syncer:
    def __init__(self, threads: int = 2) -> None:
        self.threads = threads
        self._pending: deque[tuple[tuple[int, ...], asyncio.Future[None]]] = deque()
        self._ready = threading.Condition()
        self._started = False

    async def fsync(self, fd: int) -> None:
        await self.fsync_all((fd,))

    async def fsync_all(self, fds: tuple[int, ...]) -> None:
        """fsync each of `fds` (in order, in one thread: one hand-over for all); the first
        error is raised once all were tried."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        with self._ready:
            if not self._started:
                self._started = True
                for i in range(self.threads):
                    threading.Thread(target=self._work, name=f"fsync-{i}",
                                     daemon=True).start()
            self._pending.append((fds, done))
            self._ready.notify()
        await done

    def _work(self) -> None:
        while True:
            with self._ready:
                while not self._pending:
                    self._ready.wait()
                batch = list(self._pending)
                self._pending.clear()
            outcomes: dict[asyncio.AbstractEventLoop,
                           list[tuple[asyncio.Future[None], OSError | None]]] = {}
            for fds, done in batch:
                error = None
                for fd in fds:
                    try:
                        os.fsync(fd)
                    except OSError as exc:
                        error = error or exc
                outcomes.setdefault(done.get_loop(), []).append((done, error))
            for loop, settled in outcomes.items():
                if not loop.is_closed():
                    loop.call_soon_threadsafe(_settle, settled)


def _settle(outcomes: list[tuple[asyncio.Future[None], OSError | None]]) -> None:
    for done, exc in outcomes:
        if done.cancelled():
            continue
        if exc is None:
            done.set_result(None)
        else:
            done.set_exception(exc)
