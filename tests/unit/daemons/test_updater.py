"""The updater's pass over async pendings that a real node queued when a container
replica was down: kept while it stays down, delivered once it is back; a damaged file
removed; a pending it cannot make sense of counted without ending the pass; passes
repeated on an injected clock."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from objectstore.daemons.updater import Updater
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.node.config import NodeConfig
from objectstore.node.pending import ASYNC_PENDING, IN_FLIGHT
from tests.clock import FakeClock
from tests.unit.daemons.nodes import Nodes, running_nodes, ts

PART = 2


async def call(client: NodeClient, method: str, port: int, path: str,
               headers: dict[str, str], body: bytes | None = None) -> tuple[int, bytes]:
    resp = await client.request(method, Target("127.0.0.1", port, path.split("/")[2]),
                                path, headers, body)
    async with resp:
        return resp.status, await resp.read()


async def put_objects_while_the_container_is_down(nodes: Nodes, names: list[str]) -> None:
    """Node 0 stores objects whose container replica (node 1) is down: it queues them."""
    update = {"x-container-update": f"127.0.0.1:{nodes.configs[1].port}/d1",
              "x-container-partition": str(PART)}
    for i, name in enumerate(names):
        path = node_path("objects", "d0", 0, "AUTH_test", "c", name)
        status, _ = await call(nodes.client, "PUT", nodes.configs[0].port, path,
                               {"x-timestamp": ts(i + 1).internal, **update}, b"body")
        assert status == 201


async def listed(nodes: Nodes) -> list[str]:
    path = node_path("containers", "d1", PART, "AUTH_test", "c")
    status, body = await call(nodes.client, "GET", nodes.configs[1].port, path, {})
    assert status == 200
    return [row["name"] for row in json.loads(body)]


def test_pendings_stay_until_their_replica_is_back(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_nodes(tmp_path, count=2, attached=1) as nodes:
            await put_objects_while_the_container_is_down(nodes, ["a", "b"])
            pending = nodes.configs[0].devices / "d0" / ASYNC_PENDING
            assert len(list(pending.glob("*.json"))) == 2
            # sorted first: a file that is no JSON (removed) and one whose target is no
            # text (it used to raise past the updater and end the pass)
            (pending / "0-damaged.json").write_text("{not json")
            old = time.time() - 2 * IN_FLIGHT     # younger ones may be still being written
            os.utime(pending / "0-damaged.json", (old, old))
            (pending / "0-odd.json").write_text(json.dumps({
                "method": "PUT", "target": 5, "partition": PART, "account": "AUTH_test",
                "container": "c", "obj": "x", "headers": {}}))
            updater = Updater(nodes.configs[0], nodes.client)

            stats = await updater.run_once()          # node 1 is down: refused
            assert (stats.sent, stats.left, stats.damaged, stats.failures) == (0, 2, 1, 1)
            assert len(list(pending.glob("*.json"))) == 3

            nodes.client.attach("127.0.0.1", nodes.configs[1].port, nodes.apps[1])
            create = node_path("containers", "d1", PART, "AUTH_test", "c")
            status, _ = await call(nodes.client, "PUT", nodes.configs[1].port, create,
                                   {"x-timestamp": ts(0).internal})
            assert status == 201
            stats = await updater.run_once()
            assert (stats.sent, stats.left, stats.failures) == (2, 0, 1)
            assert await listed(nodes) == ["a", "b"]
            assert [p.name for p in pending.glob("*.json")] == ["0-odd.json"]

    asyncio.run(main())


class Stop(Exception):
    pass


def test_passes_repeat_every_interval_on_the_clock(tmp_path: Path) -> None:
    """run_forever waits the interval less the pass's own time, and a pass that fails
    as a whole (here: its devices directory is a file) is logged, not the end."""
    devices = tmp_path / "devices"
    devices.write_text("not a directory")
    clock = FakeClock()

    async def sleep(seconds: float) -> None:
        await clock.sleep(seconds)
        if len(clock.slept) == 3:
            raise Stop

    async def main() -> None:
        client = NodeClient(b"s")
        try:
            updater = Updater(NodeConfig(devices=devices, secret=b"s"), client,
                              clock=clock, sleep=sleep)
            with pytest.raises(Stop):
                await updater.run_forever(interval=7.5)
        finally:
            await client.close()

    asyncio.run(main())
    assert clock.slept == [7.5, 7.5, 7.5]
