"""Container updates in batches: the rows a node owes one container replica travel
together, in one request and one SQLite transaction there.

An object write still waits for its own row to be taken (or queued on disk), exactly as
with one request per row. Batching costs no latency: a row goes out at once when
nothing is in flight to that replica; rows arriving while a batch is in flight go in
the next one (group commit). Under load, one request carries tens of rows.

A replica that does not take a batch in time fails the rows waiting behind it at once:
their writes queue them for the updater instead of each waiting its own timeout on the
same dead node (and reaching it long after the proxy stopped asking it). A row whose
write stopped waiting is not sent at all: the updater has it.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import aiohttp

from objectstore.node import paths
from objectstore.node.client import NodeClient, Target, node_path

ROWS_HEADER = "x-backend-rows"      # marks a POST to a container as a batch of rows
MAX_ROWS = 1000


@dataclass(frozen=True)
class Row:
    """One object row change: [name, timestamp, size, content_type, etag, deleted]."""

    name: str
    timestamp: str
    size: int
    content_type: str
    etag: str
    deleted: bool

    def to_json(self) -> list[object]:
        return [self.name, self.timestamp, self.size, self.content_type, self.etag,
                int(self.deleted)]


@dataclass
class _Queue:
    rows: list[tuple[Row, asyncio.Future[bool]]] = field(default_factory=list)
    sending: bool = False


class UpdateBatcher:
    def __init__(self, client: NodeClient, timeout: float) -> None:
        self.client = client
        self.timeout = timeout
        self._queues: dict[tuple[Target, int, str, str], _Queue] = {}

    async def update(self, target: Target, partition: int, account: str, container: str,
                     row: Row) -> bool:
        """True once the replica has the row; False if it could not be told in time
        (the caller queues it for the updater)."""
        key = (target, partition, account, container)
        queue = self._queues.setdefault(key, _Queue())
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        queue.rows.append((row, done))
        if not queue.sending:
            queue.sending = True
            asyncio.get_running_loop().create_task(self._drain(key, queue))
        try:
            return await asyncio.wait_for(asyncio.shield(done), 2 * self.timeout)
        except TimeoutError:
            done.cancel()       # queued for the updater by the caller: not sent from here
            return False

    async def _drain(self, key: tuple[Target, int, str, str], queue: _Queue) -> None:
        try:
            while queue.rows:
                batch, queue.rows = queue.rows[:MAX_ROWS], queue.rows[MAX_ROWS:]
                batch = [(row, done) for row, done in batch if not done.done()]
                if not batch:
                    continue
                ok = await self._send(key, [r for r, _ in batch])
                if not ok:
                    batch += queue.rows         # the replica is not taking them in time
                    queue.rows = []
                for _, done in batch:
                    if not done.done():
                        done.set_result(ok)
        finally:
            queue.sending = False
            if not queue.rows:
                self._queues.pop(key, None)

    async def _send(self, key: tuple[Target, int, str, str], rows: list[Row]) -> bool:
        target, partition, account, container = key
        path = node_path(paths.CONTAINERS, target.device, partition, account, container)
        body = json.dumps([r.to_json() for r in rows]).encode()
        try:
            resp = await self.client.request("POST", target, path,
                                             {ROWS_HEADER: str(len(rows)),
                                              "content-type": "application/json"},
                                             body, timeout=self.timeout)
            resp.release()
            return resp.status < 300
        except (TimeoutError, aiohttp.ClientError, OSError):
            return False
