"""Node request signatures against a node on a real socket: a request captured on the
wire cannot be sent again (with another body, or later), nor with a header changed or
added; ordinary traffic -- identical requests included -- is unaffected."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from objectstore.node.client import NodeClient, Target, node_path
from objectstore.node.config import NodeConfig
from objectstore.node.local_client import LocalNodeClient
from objectstore.node.server import NodeApp
from objectstore.timestamps import Timestamp
from tests.servers import running

SECRET = b"cluster-secret"
OBJ = node_path("objects", "sdb1", 3, "AUTH_test", "c", "o")
CONT = node_path("containers", "sdb1", 5, "AUTH_test", "c")
TS = Timestamp(1_700_000_001 * 100_000).internal


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[Target, NodeApp]]:
    devices = tmp_path / "devices"
    (devices / "sdb1").mkdir(parents=True)
    app = NodeApp(NodeConfig(devices=devices, secret=SECRET, hash_prefix="p"))
    with running(app) as port:
        yield Target("127.0.0.1", port, "sdb1"), app


async def capture(method: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """What the node client puts on the wire for one request (as an eavesdropper on
    the node network would see it), answered 201 by a listener that is not a node."""
    seen = bytearray()
    got = asyncio.Event()

    async def listener(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        seen.extend(head + await reader.readexactly(length))
        got.set()
        writer.write(b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(listener, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = NodeClient(SECRET)
    try:
        resp = await client.request(method, Target("127.0.0.1", port, "sdb1"), path,
                                    headers, body)
        resp.release()
        await got.wait()
    finally:
        await client.close()
        server.close()
    return bytes(seen)


async def send_raw(port: int, request: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        status = await reader.readline()
        return int(status.split()[1])
    finally:
        writer.close()


async def get(port: int) -> tuple[int, bytes]:
    client = NodeClient(SECRET)
    try:
        resp = await client.request("GET", Target("127.0.0.1", port, "sdb1"), OBJ)
        async with resp:
            return resp.status, await resp.read()
    finally:
        await client.close()


def test_a_captured_put_cannot_be_replayed(node: tuple[Target, NodeApp]) -> None:
    target, _ = node

    async def go() -> None:
        wire = await capture("PUT", OBJ, {"x-timestamp": TS}, b"genuine")
        assert await send_raw(target.port, wire) == 201     # the request itself
        forged = wire.replace(b"genuine", b"FORGED!")
        assert forged != wire and len(forged) == len(wire)
        assert await send_raw(target.port, forged) == 401   # the same headers again
        assert await send_raw(target.port, wire) == 401
        assert await get(target.port) == (200, b"genuine")

    asyncio.run(go())


@pytest.mark.parametrize("change", [
    (b"x-timestamp: " + TS.encode(), b"x-timestamp: 1800000000.00000"),
    (b"etag: ", b"etag: 0"),
    (b"x-container-update: 127.0.0.1:1/sdb1", b"x-container-update: 127.0.0.1:2/sdb1"),
    (b"x-container-partition: 5", b"x-container-partition: 6"),
    (b"x-backend-commit-stamp: 40", b"x-backend-commit-stamp: 96"),
    (b"content-type: text/plain", b"content-type: text/html"),
    # headers added after signing
    (b"\r\n\r\n", b"\r\nx-object-meta-evil: 1\r\n\r\n"),
    (b"\r\n\r\n", b"\r\nx-backend-anything: 1\r\n\r\n"),
    (b"\r\n\r\n", b"\r\ncontent-encoding: gzip\r\n\r\n"),
    (b"\r\n\r\n", b"\r\nx-container-update: 127.0.0.1:3/sdb1\r\n\r\n"),   # a second one
])
def test_a_changed_or_added_header_is_refused(node: tuple[Target, NodeApp],
                                              change: tuple[bytes, bytes]) -> None:
    """Each header a node acts on is signed: a captured request altered on the way is
    refused before it is used (and then the genuine one still goes through)."""
    target, _ = node
    headers = {"x-timestamp": TS, "x-container-update": "127.0.0.1:1/sdb1",
               "x-container-partition": "5", "x-backend-commit-stamp": "40",
               "content-type": "text/plain", "etag": ""}

    async def go() -> None:
        body = b"payload" + TS.encode().ljust(40)
        wire = await capture("PUT", OBJ, headers, body)
        old, new = change
        assert wire.count(old) >= 1
        changed = wire.replace(old, new, 1)
        assert await send_raw(target.port, changed) == 401
        assert (await get(target.port))[0] == 404
        # a header the node ignores may be added on the way (the transport's, or the
        # request id of the logs); the unchanged request is still accepted once
        extra = wire.replace(b"\r\n\r\n", b"\r\nx-trans-id: tx1\r\nuser-agent: x\r\n\r\n", 1)
        assert await send_raw(target.port, extra) in (201, 202)

    asyncio.run(go())


def test_identical_requests_are_all_accepted(node: tuple[Target, NodeApp]) -> None:
    """Two HEADs in the same millisecond, over HTTP and in-process, are different
    signatures (a nonce each): none is taken for a replay."""
    target, app = node

    async def go() -> list[int]:
        remote = NodeClient(SECRET)
        local = LocalNodeClient(SECRET)
        local.attach(target.host, target.port, app)
        statuses = []
        try:
            for client in (remote, local):
                resp = await client.request("PUT", target, CONT, {"x-timestamp": TS})
                resp.release()
                statuses.append(resp.status)
                resps = await asyncio.gather(*(client.request("HEAD", target, CONT)
                                               for _ in range(20)))
                for r in resps:
                    r.release()
                statuses += [r.status for r in resps]
        finally:
            await remote.close()
            await local.close()
        return statuses

    assert asyncio.run(go()) == [201] + [204] * 20 + [202] + [204] * 20
