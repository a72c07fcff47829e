"""A node request given up before the node answered (a timeout, or a fan-out that has
its quorum and cancels the rest) leaves nothing behind that asyncio complains about:
under ordinary boto3 traffic `serve` printed "Future exception was never retrieved ...
the node sent no complete answer" for such requests."""

from __future__ import annotations

import asyncio
import gc
from typing import Any

import pytest

from objectstore.node.client import Target
from objectstore.node.local_client import LocalNodeClient

TARGET = Target("127.0.0.1", 1, "d")


async def slow_app(scope: Any, receive: Any, send: Any) -> None:
    await asyncio.sleep(0.05)       # answers after the caller gave up
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"late"})


@pytest.mark.parametrize("give_up", ["timeout", "cancel"])
def test_a_request_given_up_before_the_answer_leaves_no_unretrieved_exception(
        give_up: str) -> None:
    complaints: list[dict[str, Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _, ctx: complaints.append(ctx))
        client = LocalNodeClient(b"s")
        client.attach(TARGET.host, TARGET.port, slow_app)
        if give_up == "timeout":
            with pytest.raises(TimeoutError):
                await client.request("GET", TARGET, "/x", timeout=0.01)
        else:
            task = asyncio.create_task(client.request("GET", TARGET, "/x"))
            await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
        await asyncio.sleep(0.1)        # the app answers, into nothing
        gc.collect()
        await asyncio.sleep(0)

    asyncio.run(main())
    assert [c.get("message") for c in complaints] == []
