"""Storage nodes for the daemons' tests: the node's own app and disk code on temp
directories, called in-process (LocalNodeClient, as `objectstore serve` does), one
device each, and a ring that makes every node a primary of every partition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from objectstore.node import paths
from objectstore.node.config import NodeConfig
from objectstore.node.diskfile import DiskFile
from objectstore.node.local_client import LocalNodeClient
from objectstore.node.server import NodeApp
from objectstore.ring import PathHasher, RingBuilder
from objectstore.ring.files import RingFile, save_ring
from objectstore.ring.policies import Policy
from objectstore.timestamps import Timestamp

SECRET = b"daemon-tests"
PREFIX = "salt"
HASHER = PathHasher(PREFIX, "")
# The tests' first writes: an hour ago, so the nodes' own (real) clocks see them as
# recent as the daemons' fake clocks, which start there (a node reclaims tombstones
# older than a week when another node asks it for its listing).
T0 = float(int(time.time()) - 3600)
FIRST_PORT = 1            # never listened on: the apps are attached in-process


@dataclass
class Nodes:
    configs: list[NodeConfig]
    apps: list[NodeApp]
    client: LocalNodeClient
    ring: RingFile

    def device(self, i: int) -> str:
        return f"d{i}"

    def diskfile(self, i: int, obj: str, container: str = "c", policy: int = 0
                 ) -> DiskFile:
        """Object `obj` on node i, at its ring partition (in storage `policy`)."""
        part = self.ring.current().partition("AUTH_test", container, obj)
        name_hash = paths.object_hash(HASHER, "AUTH_test", container, obj)
        return DiskFile(self.configs[i].devices, self.device(i), part,
                        f"/AUTH_test/{container}/{obj}", name_hash, policy)


def ts(n: float) -> Timestamp:
    return Timestamp.from_seconds(T0 + n)


def put(df: DiskFile, body: bytes, timestamp: Timestamp) -> None:
    writer = df.writer()
    writer.write(body)
    writer.commit(timestamp, "text/plain")


def make_ring(root: Path, count: int, policies: tuple[Policy, ...] = ()) -> Path:
    builder = RingBuilder(part_power=3, replicas=count)
    builder.policies = policies or builder.policies
    for i in range(count):
        builder.add_device(1, i, "127.0.0.1", FIRST_PORT + i, f"d{i}", 1.0)
    builder.rebalance(seed=1)
    path = root / "object.ring"
    save_ring(builder.ring_data(), path)
    return path


@asynccontextmanager
async def running_nodes(root: Path, count: int = 3, attached: int | None = None,
                        policies: tuple[Policy, ...] = ()) -> AsyncIterator[Nodes]:
    """`count` nodes, the first `attached` of them answering (the rest are down: a
    request to them is refused), with the storage `policies` in their ring."""
    ring_path = make_ring(root, count, policies)
    client = LocalNodeClient(SECRET)
    configs, apps = [], []
    for i in range(count):
        config = NodeConfig(devices=root / f"node{i}", secret=SECRET, hash_prefix=PREFIX,
                            port=FIRST_PORT + i, ring=ring_path)
        (config.devices / f"d{i}").mkdir(parents=True)
        app = NodeApp(config, client)
        if attached is None or i < attached:
            client.attach("127.0.0.1", config.port, app)
        configs.append(config)
        apps.append(app)
    nodes = Nodes(configs, apps, client, RingFile(ring_path, HASHER))
    try:
        yield nodes
    finally:
        for app in apps:
            await _shutdown(app)
        await client.close()


async def _shutdown(app: NodeApp) -> None:
    """The ASGI lifespan's shutdown, as uvicorn sends it."""
    messages = iter([{"type": "lifespan.shutdown"}])

    async def receive() -> dict[str, str]:
        return next(messages)

    async def send(message: object) -> None:
        pass

    await asyncio.wait_for(app({"type": "lifespan"}, receive, send), 10)
