"""A pooled connection closed under a request before any answer (the node, or the
network, dropped it) costs the request nothing: NodeClient sends a POST once more,
newly signed (aiohttp does so for the other methods). A node that keeps dropping, or
refuses, is still an error. Real sockets: a
tiny server that answers or closes as told."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator

import aiohttp
import pytest

from objectstore.node.client import NodeClient, Target

ANSWER = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


async def serve(plan: list[str]) -> tuple[asyncio.Server, int, list[bytes]]:
    """Each request read gets the next of `plan`: 'answer', or 'drop' (close without a
    byte). The heads received are kept (their signatures must differ)."""
    heads: list[bytes] = []

    async def one(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                heads.append(head)
                await reader.readexactly(length_of(head))
                what = plan.pop(0) if plan else "answer"
                if what == "drop":
                    writer.transport.abort()
                    return
                writer.write(ANSWER)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()

    server = await asyncio.start_server(one, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, port, heads


def length_of(head: bytes) -> int:
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    return 0


def auth_of(head: bytes) -> bytes:
    return next(line for line in head.split(b"\r\n") if line.lower().startswith(b"x-node-auth"))


def test_a_request_dropped_once_is_sent_again_newly_signed() -> None:
    asyncio.run(_a_request_dropped_once_is_sent_again_newly_signed())


async def _a_request_dropped_once_is_sent_again_newly_signed() -> None:
    server, port, heads = await serve(["answer", "drop"])
    client = NodeClient(b"s" * 32)
    try:
        target = Target("127.0.0.1", port, "d0")
        for _ in range(2):      # the second goes on the pooled connection, dropped
            resp = await client.request("POST", target, "/objects/d0/1/a/c/o", {}, b"body")
            assert (resp.status, await resp.read()) == (200, b"ok")
            resp.release()
        assert len(heads) == 3
        assert len({auth_of(h) for h in heads}) == 3, "a retry must be signed anew"
    finally:
        await client.close()
        server.close()


def test_a_node_that_keeps_dropping_is_an_error() -> None:
    asyncio.run(_a_node_that_keeps_dropping_is_an_error())


async def _a_node_that_keeps_dropping_is_an_error() -> None:
    server, port, heads = await serve(["drop", "drop", "drop"])
    client = NodeClient(b"s" * 32)
    try:
        with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
            await client.request("POST", Target("127.0.0.1", port, "d0"), "/objects/d0/1/a")
        assert len(heads) == 2, "sent once more, not again and again"
    finally:
        await client.close()
        server.close()


def test_a_refused_connection_is_not_retried() -> None:
    asyncio.run(_a_refused_connection_is_not_retried())


async def _a_refused_connection_is_not_retried() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]       # nobody listens there
    client = NodeClient(b"s" * 32)
    try:
        with pytest.raises(aiohttp.ClientConnectorError):
            await client.request("HEAD", Target("127.0.0.1", port, "d0"), "/objects/d0/1/a")
    finally:
        await client.close()


def test_a_streamed_body_is_not_sent_twice() -> None:
    asyncio.run(_a_streamed_body_is_not_sent_twice())


async def _a_streamed_body_is_not_sent_twice() -> None:
    server, port, heads = await serve(["drop"])
    client = NodeClient(b"s" * 32)

    async def body() -> AsyncIterator[bytes]:
        yield b"part"

    try:
        with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
            await client.request("POST", Target("127.0.0.1", port, "d0"),
                                 "/objects/d0/1/a/c/o", {"content-length": "4"}, body())
        assert len(heads) == 1
    finally:
        await client.close()
        server.close()
