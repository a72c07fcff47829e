"""Talking to storage nodes over the node API: signed requests on pooled keep-alive
connections, with connect and read timeouts. Used by the proxy and by nodes themselves
(container updates, and later replication)."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator, Mapping
from typing import NamedTuple
from urllib.parse import quote

import aiohttp
from yarl import URL

from objectstore import request_id
from objectstore.node import auth

POOL_KEEPALIVE = 60.0       # seconds an idle pooled connection is kept (nodes keep longer)


class Target(NamedTuple):
    """One device on one node. (A tuple: built and compared several times in every
    request the proxy makes, where a frozen dataclass costs twice as much.)"""

    host: str
    port: int
    device: str

    @property
    def spec(self) -> str:
        """`host:port/device`, how one node tells another which device to update."""
        return f"{self.host}:{self.port}/{self.device}"

    @classmethod
    def from_spec(cls, spec: str) -> Target:
        hostport, _, device = spec.strip().partition("/")
        host, _, port = hostport.rpartition(":")
        if not host or not port.isdigit() or not device:
            raise ValueError(f"bad node target {spec!r} (want host:port/device)")
        return cls(host, int(port), device)


def node_path(kind: str, device: str, partition: int, account: str,
              container: str | None = None, obj: str | None = None) -> str:
    """The raw (percent-encoded) path of a node API resource."""
    parts = [kind, device, str(partition), account]
    if container is not None:
        parts.append(container)
        if obj is not None:
            parts.append(obj)
    return "/" + "/".join(quote(p, safe="") for p in parts)


def signed_headers(secret: bytes, method: str, path: str,
                   headers: Mapping[str, str] | None,
                   body: bytes | AsyncIterator[bytes] | None,
                   encoding: str = "utf-8") -> dict[str, str]:
    """The headers to send, with their signature (auth): a bytes body's length is
    among them, so it is signed too. `encoding`: how the values travel (aiohttp's
    UTF-8 unless said)."""
    all_headers = {k.lower(): str(v) for k, v in (headers or {}).items()}
    if isinstance(body, bytes):
        all_headers.setdefault("content-length", str(len(body)))
    all_headers[auth.HEADER] = auth.sign(secret, method, path, all_headers.items(),
                                         encoding=encoding)
    return all_headers


class RequestTally:
    """The node requests one client made, by method and outcome (the status code, or
    `timeout`, `error`, `cancelled` for no answer): plain ints, read by the metrics."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], int] = {}

    def answered(self, method: str, status: int) -> None:
        key = (method, _CODES.get(status) or str(status))
        self.counts[key] = self.counts.get(key, 0) + 1

    def failed(self, method: str, exc: BaseException) -> None:
        outcome = ("timeout" if isinstance(exc, TimeoutError) else
                   "cancelled" if isinstance(exc, asyncio.CancelledError) else "error")
        key = (method, outcome)
        self.counts[key] = self.counts.get(key, 0) + 1


_CODES = {code: str(code) for code in range(100, 600)}      # no str() per request


class NodeClient:
    """A pool of connections to all nodes; one per process, closed with `close()`.
    `tally`, when set, counts every request made (the proxy's metrics)."""

    tally: RequestTally | None = None

    def __init__(self, secret: bytes, connect_timeout: float = 2.0,
                 read_timeout: float = 10.0, pool_size: int = 256) -> None:
        self.secret = secret
        self.timeout = aiohttp.ClientTimeout(sock_connect=connect_timeout,
                                             sock_read=read_timeout)
        self._pool_size = pool_size
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=0,
                                             keepalive_timeout=POOL_KEEPALIVE)
            self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout,
                                                  auto_decompress=False, read_bufsize=1 << 20,
                                                  # every header sent is signed, so
                                                  # none may be added on the way
                                                  skip_auto_headers=["User-Agent",
                                                                     "Content-Type"])
        return self._session

    async def request(self, method: str, target: Target, path: str,
                      headers: Mapping[str, str] | None = None,
                      body: bytes | AsyncIterator[bytes] | None = None,
                      timeout: float | None = None) -> aiohttp.ClientResponse:
        """Send one signed request; the caller reads (or releases) the response.
        `timeout` bounds this request as a whole, instead of the pool's per-read one.

        A POST whose connection was closed under it before any answer (a pooled one
        the node or the network dropped) is sent once more, newly signed, when its
        body can be sent again: node requests are idempotent (a timestamp says which
        write wins), and failing it would give a healthy node's slot to another.
        (aiohttp itself sends the other methods once more in that case.)"""
        tally = self.tally
        if tally is None:
            return await self._request(method, target, path, headers, body, timeout)
        try:
            resp = await self._request(method, target, path, headers, body, timeout)
        except BaseException as exc:
            tally.failed(method, exc)
            raise
        tally.answered(method, resp.status)
        return resp

    async def _request(self, method: str, target: Target, path: str,
                       headers: Mapping[str, str] | None,
                       body: bytes | AsyncIterator[bytes] | None,
                       timeout: float | None) -> aiohttp.ClientResponse:
        try:
            return await self._send(method, target, path, headers, body, timeout)
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as exc:
            if (method in aiohttp.client.IDEMPOTENT_METHODS or not _dropped(exc)
                    or not (body is None or isinstance(body, bytes))):
                raise
        return await self._send(method, target, path, headers, body, timeout)

    async def _send(self, method: str, target: Target, path: str,
                    headers: Mapping[str, str] | None,
                    body: bytes | AsyncIterator[bytes] | None,
                    timeout: float | None) -> aiohttp.ClientResponse:
        all_headers = signed_headers(self.secret, method, path, headers, body)
        all_headers[request_id.HEADER] = request_id.request_id()   # not signed
        url = URL(f"http://{target.host}:{target.port}{path}", encoded=True)
        if timeout is None:
            return await self._client().request(method, url, headers=all_headers,
                                                data=body)
        return await self._client().request(method, url, headers=all_headers, data=body,
                                            timeout=aiohttp.ClientTimeout(total=timeout))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _dropped(exc: aiohttp.ClientError) -> bool:
    """A connection closed by the other side before it answered (not a refusal, not
    a timeout: those say the node is not there, and are not retried)."""
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return True
    return (isinstance(exc, aiohttp.ClientOSError)
            and not isinstance(exc, aiohttp.ClientConnectorError)
            and exc.errno in (errno.ECONNRESET, errno.EPIPE))
