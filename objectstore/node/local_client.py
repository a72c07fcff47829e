"""Node requests without sockets, for `objectstore serve`: the proxy, the daemons and the
nodes share one process and one event loop there, so a request to a node of this
process is handed to its ASGI app directly. Everything else about the request is as
over HTTP -- the same signed headers, paths, statuses and streamed bodies -- so the
node code cannot tell the difference; only the HTTP parsing on both ends is saved,
which is most of what a small request costs.

Nodes that are not attached (another process's) are still reached over HTTP.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import unquote

import aiohttp
from multidict import CIMultiDict, CIMultiDictProxy
from starlette.types import ASGIApp, Message

from objectstore import request_id
from objectstore.node.client import NodeClient, Target, signed_headers

QUEUED_CHUNKS = 4           # body chunks a node may send ahead of the reader


class _Failed:
    """Queued instead of a chunk when the node app stopped in the middle of a body."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


class LocalResponse:
    """The parts of aiohttp's ClientResponse that node callers use."""

    def __init__(self, status: int, headers: CIMultiDictProxy[str], exchange: _Exchange
                 ) -> None:
        self.status = status
        self.headers = headers
        self.content = self     # `resp.content.iter_any()`, as with aiohttp
        self._exchange = exchange

    @property
    def content_length(self) -> int | None:
        value = self.headers.get("content-length")
        return int(value) if value is not None and value.isdigit() else None

    async def iter_any(self) -> AsyncIterator[bytes]:
        while (chunk := await self._exchange.next_chunk()) is not None:
            yield chunk

    async def read(self) -> bytes:
        return b"".join([chunk async for chunk in self.iter_any()])

    def release(self) -> None:
        self._exchange.abandon()

    async def __aenter__(self) -> LocalResponse:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()


class _Exchange:
    """One request to one app: feeds it the request body, collects its answer."""

    def __init__(self, body: bytes | AsyncIterator[bytes] | None) -> None:
        self.body = body
        self.body_done = False
        self.start: asyncio.Future[Message] = asyncio.get_running_loop().create_future()
        self.chunks: asyncio.Queue[bytes | _Failed | None] = asyncio.Queue(QUEUED_CHUNKS)
        self.gone = asyncio.Event()     # the caller let go of the response
        self.ended = False
        self.receiving = False          # the app waits for the next chunk of the body
        self.task: asyncio.Task[None] | None = None

    async def receive(self) -> Message:
        if not self.body_done:
            if self.body is None or isinstance(self.body, bytes):
                self.body_done = True
                return {"type": "http.request", "body": self.body or b"", "more_body": False}
            self.receiving = True
            try:
                chunk = await anext(self.body)
                return {"type": "http.request", "body": chunk, "more_body": True}
            except StopAsyncIteration:
                self.body_done = True
                return {"type": "http.request", "body": b"", "more_body": False}
            except asyncio.CancelledError:
                if not self.gone.is_set():
                    raise
                if (me := asyncio.current_task()) is not None:
                    me.uncancel()       # abandon() stopped the body: a disconnect, as below
                self.body_done = True
                return {"type": "http.disconnect"}
            except Exception:       # the sender gave up: as if its connection dropped
                self.body_done = True
                self.gone.set()
                return {"type": "http.disconnect"}
            finally:
                self.receiving = False
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: Message) -> None:
        if self.gone.is_set():
            return                  # like a server whose client went away
        if message["type"] == "http.response.start":
            self.start.set_result(message)
        elif message["type"] == "http.response.body":
            if message.get("body"):
                await self.chunks.put(bytes(message["body"]))
            if not message.get("more_body", False):
                self.ended = True
                await self.chunks.put(None)

    async def run(self, app: ASGIApp, scope: dict[str, Any]) -> None:
        try:
            await app(scope, self.receive, self.send)
            reason = "the node sent no complete answer"
        except Exception as exc:        # a node that fails mid-answer, as if it hung up
            reason = f"the node failed: {exc!r}"
        if not self.start.done():
            if self.gone.is_set():      # nobody waits for the answer: no exception to keep
                self.start.cancel()
            else:
                self.start.set_exception(aiohttp.ServerDisconnectedError(reason))
        elif not self.ended and not self.gone.is_set():
            await self.chunks.put(_Failed(reason))

    async def next_chunk(self) -> bytes | None:
        item = await self.chunks.get()
        if isinstance(item, _Failed):
            raise aiohttp.ClientPayloadError(item.reason)
        return item

    def abandon(self) -> None:
        """Stop taking the body: the app's further sends return at once."""
        self.gone.set()
        while not self.chunks.empty():      # wakes a send waiting for room
            self.chunks.get_nowait()
        if self.receiving and self.task is not None:
            self.task.cancel()      # a body that will never come: receive() says so


class LocalNodeClient(NodeClient):
    """A NodeClient that calls the node apps attached to it in-process."""

    def __init__(self, secret: bytes, **kwargs: Any) -> None:
        super().__init__(secret, **kwargs)
        self._apps: dict[tuple[str, int], ASGIApp] = {}
        self._running: set[asyncio.Task[None]] = set()

    def attach(self, host: str, port: int, app: ASGIApp) -> None:
        self._apps[(host, port)] = app

    async def request(self, method: str, target: Target, path: str,
                      headers: Mapping[str, str] | None = None,
                      body: bytes | AsyncIterator[bytes] | None = None,
                      timeout: float | None = None) -> Any:
        app = self._apps.get((target.host, target.port))
        if app is None:
            return await super().request(method, target, path, headers, body, timeout)
        tally = self.tally
        if tally is None:
            return await self._local(app, method, target, path, headers, body, timeout)
        try:
            resp = await self._local(app, method, target, path, headers, body, timeout)
        except BaseException as exc:
            tally.failed(method, exc)
            raise
        tally.answered(method, resp.status)
        return resp

    async def _local(self, app: ASGIApp, method: str, target: Target, path: str,
                     headers: Mapping[str, str] | None,
                     body: bytes | AsyncIterator[bytes] | None,
                     timeout: float | None) -> LocalResponse:
        raw_path, _, query = path.partition("?")
        # (values travel as Latin-1 here, both ways, as the embedded server always
        # stored them: the signature is over those bytes)
        pairs = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in
                 signed_headers(self.secret, method, path, headers, body,
                                encoding="latin-1").items()]
        pairs.append((request_id.HEADER.encode(), request_id.request_id().encode()))
        scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
                 "http_version": "1.1", "method": method, "scheme": "http",
                 "path": unquote(raw_path), "raw_path": raw_path.encode("latin-1"),
                 "query_string": query.encode("latin-1"), "root_path": "",
                 "headers": pairs, "client": ("127.0.0.1", 0),
                 "server": (target.host, target.port)}
        exchange = _Exchange(body)
        task = exchange.task = asyncio.create_task(exchange.run(app, scope))
        self._running.add(task)             # keep it referenced until it is done
        task.add_done_callback(self._running.discard)
        try:
            async with asyncio.timeout(timeout):
                start = await asyncio.shield(exchange.start)
        except BaseException:
            exchange.abandon()      # the app finishes on its own; its answer is dropped
            raise
        headers_out = CIMultiDict((k.decode("latin-1"), v.decode("latin-1"))
                                  for k, v in start.get("headers", []))
        return LocalResponse(start["status"], CIMultiDictProxy(headers_out), exchange)
