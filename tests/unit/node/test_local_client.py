"""The in-process node client: what a socket would have done when a body is abandoned,
an app fails half-way or a sender gives up, so no app is left waiting forever."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from objectstore.node import auth
from objectstore.node.client import Target
from objectstore.node.local_client import QUEUED_CHUNKS, LocalNodeClient
from objectstore.proxy.fanout import NODE_ERRORS

SECRET = b"s"
TARGET = Target("127.0.0.1", 1, "d")


def client_with(app: Any) -> LocalNodeClient:
    client = LocalNodeClient(SECRET)
    client.attach(TARGET.host, TARGET.port, app)
    return client


def test_request_reaches_the_app_signed_and_the_answer_streams_back() -> None:
    seen: dict[str, Any] = {}

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.update(scope)
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 201,
                    "headers": [(b"x-got", str(len(body)).encode())]})
        for i in range(10):
            await send({"type": "http.response.body", "body": bytes([i]) * 1000,
                        "more_body": True})
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def main() -> None:
        resp = await client_with(app).request("PUT", TARGET, "/objects/d/1/a%2Fb?x=1",
                                              {"X-Thing": "1"}, b"hello")
        assert (resp.status, resp.headers["X-GOT"]) == (201, "5")
        assert await resp.read() == b"".join(bytes([i]) * 1000 for i in range(10))

    asyncio.run(main())
    assert (seen["path"], seen["raw_path"], seen["query_string"]) == (
        "/objects/d/1/a/b", b"/objects/d/1/a%2Fb", b"x=1")
    headers = dict(seen["headers"])
    assert headers[b"x-thing"] == b"1" and headers[b"content-length"] == b"5"
    assert auth.verify(SECRET, "PUT", "/objects/d/1/a%2Fb?x=1", seen["headers"]) is not None


def test_an_abandoned_body_does_not_hold_the_app() -> None:
    """The reader lets go after one chunk of a long body: the app's further sends
    return at once and it finishes, as it would if the client hung up."""
    async def main() -> None:
        done = asyncio.Event()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            await send({"type": "http.response.start", "status": 200, "headers": []})
            for _ in range(QUEUED_CHUNKS * 10):
                await send({"type": "http.response.body", "body": b"x" * 100,
                            "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            done.set()

        resp = await client_with(app).request("GET", TARGET, "/objects/d/1/a/c/o")
        async for _chunk in resp.content.iter_any():
            break
        resp.release()
        await asyncio.wait_for(done.wait(), 5)

    asyncio.run(main())


def test_an_app_failing_mid_body_is_a_payload_error() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"part", "more_body": True})
        raise RuntimeError("disk on fire")

    async def main() -> None:
        resp = await client_with(app).request("GET", TARGET, "/objects/d/1/a/c/o")
        with pytest.raises(aiohttp.ClientPayloadError):
            await resp.read()

    asyncio.run(main())


def test_an_app_failing_before_answering_is_a_node_error() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise RuntimeError("no")

    async def main() -> None:
        with pytest.raises(NODE_ERRORS):
            await client_with(app).request("GET", TARGET, "/objects/d/1/a/c/o")

    asyncio.run(main())


def test_a_sender_that_gives_up_is_a_disconnect_for_the_app() -> None:
    """A streamed upload whose sender is cancelled (the proxy timed it out) or fails:
    the app reading the body is told `http.disconnect`, not left waiting."""
    async def main() -> None:
        told: asyncio.Queue[str] = asyncio.Queue()

        async def app(scope: Any, receive: Any, send: Any) -> None:
            while (message := await receive())["type"] == "http.request":
                if not message.get("more_body"):
                    break
            await told.put(message["type"])

        never = asyncio.Event()

        async def stalled() -> AsyncIterator[bytes]:
            yield b"first"
            await never.wait()
            yield b"never"

        async def failing() -> AsyncIterator[bytes]:
            yield b"first"
            raise ValueError("the client hung up")

        client = client_with(app)
        request = asyncio.create_task(client.request("PUT", TARGET, "/o", {}, stalled()))
        await asyncio.sleep(0.05)
        request.cancel()
        assert await asyncio.wait_for(told.get(), 5) == "http.disconnect"
        request = asyncio.create_task(client.request("PUT", TARGET, "/o", {}, failing()))
        assert await asyncio.wait_for(told.get(), 5) == "http.disconnect"
        request.cancel()

    asyncio.run(main())
