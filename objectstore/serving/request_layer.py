"""The outermost ASGI layer of every port: one request id per request, a log line per
request, and one handler for what nobody below handled.

On the proxy port (`ClientRequests`) the id is made here and both APIs answer with it;
the access-log line says method, path, status, bytes in and out, duration, account,
user agent and request id. On a node port (`NodeRequests`) the id is the one the proxy
sent in `x-trans-id`, so a node's log lines name the client request they served.
An exception that escapes the app is logged once, with its traceback, and answered 500
with the request id (in the API's format when `error_body` knows it) if no answer had
started; after that the connection is dropped, as a half-sent answer must be.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from objectstore import logs
from objectstore.request_id import (
    HEADER,
    RequestNote,
    current_id,
    current_note,
    current_role,
    new_id,
)

errors_log = logging.getLogger("objectstore.errors")
node_log = logging.getLogger("objectstore.node.requests")

# (scope, request id) -> (headers, body) of a 500 for a request the app did not answer
ErrorBody = Callable[[Scope, str], tuple[list[tuple[bytes, bytes]], bytes]]
# query parameters that are credentials: never written to a log
SECRET_PARAMS = frozenset({"X-Amz-Signature", "Signature", "temp_url_sig",
                           "X-Amz-Security-Token"})
# a text in each of those names: a query holding none of them has none of them
_SECRET_PARTS = ("Signature", "temp_url_sig", "Security-Token")


@dataclass(frozen=True)
class Finished:
    """One client request, answered: what the observers of the proxy port (metrics,
    usage metering) are told. `api`, `operation` and `bucket` are what the API layers
    noted (request_id.note_operation); empty where none did (a 404 of no API)."""

    method: str
    api: str
    operation: str
    account: str
    bucket: str
    status: int
    bytes_in: int
    bytes_out: int
    seconds: float


# the methods of the node API; anything else is counted as OTHER (a label per
# made-up method would let whoever reaches a node port grow its metrics without end)
NODE_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE"})

# told of every finished request; must be quick and must not raise (called inline)
Observer = Callable[[Finished], None]


def plain_500(scope: Scope, request_id: str) -> tuple[list[tuple[bytes, bytes]], bytes]:
    body = f"Internal Server Error (request id {request_id})".encode()
    return [(b"content-type", b"text/plain; charset=utf-8"),
            (HEADER.encode(), request_id.encode())], body


class _Exchange:
    """Counts what one request sends and receives, and whether an answer started."""

    def __init__(self, receive: Receive, send: Send) -> None:
        self.status = 0
        self.bytes_in = self.bytes_out = 0
        self._receive, self._send = receive, send

    async def receive(self) -> Message:
        message = await self._receive()
        self.bytes_in += len(message.get("body", b""))
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.bytes_out += len(message.get("body", b""))
        await self._send(message)

    async def answer_500(self, scope: Scope, request_id: str, error_body: ErrorBody) -> None:
        if self.status:
            return          # too late for a status: uvicorn drops the connection
        headers, body = error_body(scope, request_id)
        await self.send({"type": "http.response.start", "status": 500,
                         "headers": [*headers, (b"content-length", b"%d" % len(body)),
                                     (b"connection", b"close")]})
        await self.send({"type": "http.response.body", "body": body})


async def _guarded(app: ASGIApp, scope: Scope, receive: Receive, exchange: _Exchange,
                   request_id: str, error_body: ErrorBody) -> None:
    try:
        await app(scope, receive, exchange.send)
    except Exception:
        errors_log.exception("unexpected error in %s %s", scope["method"],
                             scope.get("path", ""))
        await exchange.answer_500(scope, request_id, error_body)


class ClientRequests:
    """Around the public endpoint (proxy port)."""

    def __init__(self, app: ASGIApp, error_body: ErrorBody = plain_500,
                 role: str = "proxy", observers: Sequence[Observer] = ()) -> None:
        self.app = app
        self.error_body = error_body
        self.role = role
        self.observers = tuple(observers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        request_id, note = new_id(), RequestNote()
        current_id.set(request_id)          # each request is a task of its own
        current_note.set(note)
        current_role.set(self.role)
        exchange = _Exchange(receive, send)
        try:
            # (what _guarded does, inline: one coroutine less on every request)
            await self.app(scope, exchange.receive, exchange.send)
        except Exception:
            errors_log.exception("unexpected error in %s %s", scope["method"],
                                 scope.get("path", ""))
            await exchange.answer_500(scope, request_id, self.error_body)
        finally:
            path = scope.get("path", "")
            seconds = time.monotonic() - started
            logs.access(f"{scope['method']} {path} {exchange.status}", {
                "method": scope["method"], "path": path, "query": _loggable_query(scope),
                "status": exchange.status, "bytes_in": exchange.bytes_in,
                "bytes_out": exchange.bytes_out,
                "duration_ms": round(seconds * 1000, 3),
                "account": note.account, "user_agent": _header(scope, b"user-agent"),
                "client": (scope.get("client") or ("", 0))[0]})
            if self.observers:
                self._tell(Finished(scope["method"], note.api, note.operation,
                                    note.account, note.bucket, exchange.status,
                                    exchange.bytes_in, exchange.bytes_out, seconds))

    def _tell(self, finished: Finished) -> None:
        for observer in self.observers:
            try:
                observer(finished)
            except Exception:       # an observer's bug must not fail the request
                errors_log.exception("request observer %r failed", observer)


class NodeRequests:
    """Around a node app: the proxy's request id, the node's role, one debug line.
    `served`, when given, counts the requests answered by (method, status) (the
    node's metrics)."""

    def __init__(self, app: ASGIApp, role: str,
                 served: dict[tuple[str, int], int] | None = None) -> None:
        self.app = app
        self.role = role
        self.served = served

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        request_id = _header(scope, HEADER.encode()) or new_id()
        id_token, role_token = current_id.set(request_id), current_role.set(self.role)
        exchange = _Exchange(receive, send)
        try:
            # (the body is not counted here: no node log line reports it)
            await _guarded(self.app, scope, receive, exchange, request_id, plain_500)
            if self.served is not None:
                method = scope["method"]
                key = (method if method in NODE_METHODS else "OTHER", exchange.status)
                self.served[key] = self.served.get(key, 0) + 1
            if node_log.isEnabledFor(logging.DEBUG):
                node_log.debug("%s %s %d", scope["method"], scope.get("path", ""),
                               exchange.status, extra={"fields": {
                                   "method": scope["method"], "path": scope.get("path", ""),
                                   "status": exchange.status, "duration_ms": round(
                                       (time.monotonic() - started) * 1000, 3)}})
        finally:
            # in `serve` the proxy calls its nodes in its own tasks' copies of the context
            current_id.reset(id_token)
            current_role.reset(role_token)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return ""


def _loggable_query(scope: Scope) -> str:
    """The query as sent, its credentials' values replaced by REDACTED."""
    query: str = bytes(scope.get("query_string", b"")).decode("latin-1")
    if "=" not in query or not any(part in query for part in _SECRET_PARTS):
        return query        # no parameter can be a credential (most requests)
    # the raw parameters, not parsed and re-encoded (which cost ~50 us a request)
    params = query.split("&")
    for i, param in enumerate(params):
        name = param.partition("=")[0]
        if name in SECRET_PARAMS:
            params[i] = f"{name}=REDACTED"
    return "&".join(params)
