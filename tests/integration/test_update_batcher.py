"""Container updates in batches, against real sockets: a live replica gets the rows that
arrived during a request in the next one; a replica that does not answer gets one
request, and the rows waiting behind it fail at once (their writes queue them for the
updater) instead of each trying the dead node again."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from objectstore.node.client import NodeClient, Target
from objectstore.node.update_batcher import ROWS_HEADER, Row, UpdateBatcher

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def row(i: int) -> Row:
    return Row(f"o{i}", f"{1700000000 + i:010d}.00000", 4, "text/plain", "e" * 32, False)


async def read_request(reader: asyncio.StreamReader) -> tuple[dict[str, str], bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    headers = {}
    for line in head.decode().split("\r\n")[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return headers, await reader.readexactly(int(headers["content-length"]))


async def serve(handler: Handler) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def updates(port: int, count: int, timeout: float) -> list[bool]:
    """`count` writes' updates to one replica, each a little after the one before."""
    client = NodeClient(b"secret")
    batcher = UpdateBatcher(client, timeout)
    target = Target("127.0.0.1", port, "d0")
    try:
        waits = []
        for i in range(count):
            waits.append(asyncio.create_task(batcher.update(target, 1, "a", "c", row(i))))
            await asyncio.sleep(0.01)
        return list(await asyncio.gather(*waits))
    finally:
        await client.close()


def test_rows_arriving_during_a_request_travel_together_in_the_next() -> None:
    batches: list[list[list[object]]] = []

    async def replica(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                headers, body = await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()
                return
            rows = json.loads(body)
            assert int(headers[ROWS_HEADER]) == len(rows)
            batches.append(rows)
            await asyncio.sleep(0.05)           # slow enough for rows to pile up
            writer.write(b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n")
            await writer.drain()

    async def scenario() -> list[bool]:
        server, port = await serve(replica)
        async with server:
            return await updates(port, 20, timeout=2.0)

    assert asyncio.run(scenario()) == [True] * 20
    assert sorted(str(r[0]) for b in batches for r in b) == sorted(f"o{i}" for i in range(20))
    assert len(batches) < 20, "every row went in a request of its own"


def test_a_replica_that_does_not_answer_is_sent_one_request_not_one_per_row() -> None:
    requests: list[int] = []
    hold: list[asyncio.StreamWriter] = []

    async def frozen(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        hold.append(writer)                     # accepted, read, never answered
        while True:
            try:
                _, body = await read_request(reader)
            except (asyncio.IncompleteReadError, ConnectionError):
                return
            requests.append(len(json.loads(body)))

    async def scenario() -> list[bool]:
        server, port = await serve(frozen)
        async with server:
            told = await updates(port, 10, timeout=0.3)
            await asyncio.sleep(0.5)            # nothing more is sent afterwards either
            for writer in hold:
                writer.close()
                await writer.wait_closed()
            return told

    assert asyncio.run(scenario()) == [False] * 10
    assert requests == [1], f"requests the dead replica was sent (rows in each): {requests}"
