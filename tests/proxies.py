"""A real proxy over real storage nodes, for the tests of what sits on the proxy: node
servers (one device each) on real sockets, a 3-replica ring over them, and
`run_with_proxy` to call a fresh Proxy (with its own NodeClient) from a test."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from objectstore.node.client import NodeClient
from objectstore.node.config import NodeConfig
from objectstore.node.server import NodeApp
from objectstore.proxy.core import Proxy, ProxySettings
from objectstore.ring import RingBuilder
from objectstore.ring.files import RingFile, save_ring
from tests.servers import ServerThread

SECRET = b"s3cret"
T = TypeVar("T")


def start_nodes(root: Path, n: int) -> tuple[list[ServerThread], RingBuilder, Path]:
    """n node servers under `root` (one device each, zones 1..n) and a 3-replica ring
    over them: the servers, the ring's builder and the ring's path."""
    nodes: list[ServerThread] = []
    builder = RingBuilder(4, 3, 0)
    try:
        for i in range(n):
            devices = root / f"node{i}"
            (devices / f"sdb{i}").mkdir(parents=True)
            node = ServerThread(NodeApp(NodeConfig(devices=devices, secret=SECRET))).start()
            nodes.append(node)
            builder.add_device(1, i + 1, "127.0.0.1", node.port, f"sdb{i}", 100)
    except BaseException:
        for node in nodes:
            node.stop()
        raise
    builder.rebalance()
    save_ring(builder.ring_data(), root / "object.ring")
    return nodes, builder, root / "object.ring"


@contextmanager
def three_nodes(root: Path) -> Iterator[Path]:
    """Three node servers under `root`; yields the path of the ring over them."""
    nodes, _, ring_path = start_nodes(root, 3)
    try:
        yield ring_path
    finally:
        for n in nodes:
            n.stop()


def run_with_proxy(ring_path: Path, fn: Callable[[Proxy], Awaitable[T]]) -> T:
    """Run `fn(proxy)` in a new event loop, with a proxy over the ring's nodes."""
    async def main() -> T:
        client = NodeClient(SECRET, connect_timeout=1, read_timeout=3)
        proxy = Proxy(RingFile(ring_path, check_interval=0), client,
                      ProxySettings(connect_timeout=1, read_timeout=3))
        try:
            return await fn(proxy)
        finally:
            await client.close()
    return asyncio.run(main())


async def body(data: bytes, size: int = 50_000) -> AsyncIterator[bytes]:
    """`data` as a request body, in chunks of `size`."""
    for i in range(0, len(data), size):
        yield data[i:i + size]
    if not data:
        yield b""
