"""The proxy core over three real node servers: quorum writes, newest-wins reads."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from objectstore import errors
from objectstore.node.client import Target
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.put_options import PutOptions
from objectstore.ring import RingBuilder
from tests.proxies import run_with_proxy, start_nodes
from tests.servers import ServerThread


@dataclass
class Cluster:
    root: Path
    nodes: list[ServerThread]
    ring_path: Path

    def run(self, fn: Callable[[Proxy], Awaitable[Any]]) -> Any:
        return run_with_proxy(self.ring_path, fn)

    def data_files(self, node: int) -> list[Path]:
        return list((self.root / f"node{node}").glob("*/objects/**/*.data"))


def start_cluster(root: Path, n: int) -> tuple[Cluster, RingBuilder]:
    """n node servers (one device each, zones 1..n) and a 3-replica ring over them."""
    nodes, builder, ring_path = start_nodes(root, n)
    return Cluster(root, nodes, ring_path), builder


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    c, _ = start_cluster(tmp_path, 3)
    try:
        yield c
    finally:
        for n in c.nodes:
            n.stop()


async def chunks(data: bytes, size: int = 50_000) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


async def read(proxy: Proxy, name: str) -> bytes:
    stream = await proxy.get_object("AUTH_test", "c", name)
    return b"".join([c async for c in stream.body])


def test_write_read_delete_on_three_replicas(cluster: Cluster) -> None:
    body = os.urandom(300_000)

    async def go(proxy: Proxy) -> None:
        stored = await proxy.put_object("AUTH_test", "c", "o", chunks(body),
                                        PutOptions(content_type="text/x",
                                                   user_metadata={"k": "v"}))
        assert len(stored.etag) == 32
        assert await read(proxy, "o") == body
        head = await proxy.head_object("AUTH_test", "c", "o")
        assert head["content-length"] == str(len(body)) and head["x-object-meta-k"] == "v"
        await proxy.post_object("AUTH_test", "c", "o", {"x-object-meta-z": "1"})
        head = await proxy.head_object("AUTH_test", "c", "o")
        assert head["x-object-meta-z"] == "1" and "x-object-meta-k" not in head
        await proxy.delete_object("AUTH_test", "c", "o")
        with pytest.raises(errors.ObjectNotFound):
            await proxy.get_object("AUTH_test", "c", "o")
        with pytest.raises(errors.ObjectNotFound):
            await proxy.delete_object("AUTH_test", "c", "o")

    cluster.run(go)


def test_every_replica_is_on_disk(cluster: Cluster) -> None:
    cluster.run(lambda proxy: proxy.put_object("AUTH_test", "c", "o", chunks(b"abc"), PutOptions()))
    assert all(len(cluster.data_files(i)) == 1 for i in range(3))


def test_one_node_down_still_serves_and_newest_wins_after(cluster: Cluster) -> None:
    async def put(proxy: Proxy, data: bytes) -> None:
        await proxy.put_object("AUTH_test", "c", "o", chunks(data), PutOptions())

    cluster.run(lambda p: put(p, b"version one"))
    cluster.nodes[0].stop()
    cluster.run(lambda p: put(p, b"version two"))          # quorum of 2 out of 3
    assert cluster.run(lambda p: read(p, "o")) == b"version two"
    cluster.nodes[0].start()                               # back, holding version one
    cluster.nodes[1].stop()                                # and a fresh node goes down
    assert cluster.run(lambda p: read(p, "o")) == b"version two"


def test_two_nodes_down_is_unavailable(cluster: Cluster) -> None:
    cluster.nodes[0].stop()
    cluster.nodes[1].stop()
    with pytest.raises(errors.ServiceUnavailable):
        cluster.run(lambda p: p.put_object("AUTH_test", "c", "o", chunks(b"x"), PutOptions()))
    with pytest.raises(errors.ServiceUnavailable):
        cluster.run(lambda p: read(p, "o"))


def test_a_failing_client_body_stores_nothing(cluster: Cluster) -> None:
    async def broken() -> AsyncIterator[bytes]:
        yield b"a" * 100_000
        raise ConnectionResetError("client went away")

    async def go(proxy: Proxy) -> None:
        with pytest.raises(ConnectionResetError):
            await proxy.put_object("AUTH_test", "c", "o", broken(), PutOptions())
        await asyncio.sleep(0.3)
        with pytest.raises(errors.ObjectNotFound):
            await proxy.get_object("AUTH_test", "c", "o")

    cluster.run(go)
    assert not any(cluster.data_files(i) for i in range(3))


def test_containers_and_accounts(cluster: Cluster) -> None:
    async def go(proxy: Proxy) -> None:
        containers = Containers(proxy)
        assert await containers.put_container("AUTH_test", "photos",
                                              {"x-container-meta-color": "red"})
        assert not await containers.put_container("AUTH_test", "photos", {})
        await containers.put_container("AUTH_test", "docs", {})
        for name in ("a/1.jpg", "a/2.jpg", "b.jpg"):
            await proxy.put_object("AUTH_test", "photos", name, chunks(b"12345"), PutOptions())
        listing = await containers.list_container("AUTH_test", "photos", delimiter="/")
        assert [e.get("name", e.get("subdir")) for e in listing.entries] == ["a/", "b.jpg"]
        assert listing.headers["x-item-count"] == "3"
        assert listing.headers["x-container-meta-color"] == "red"
        with pytest.raises(errors.ContainerNotEmpty):
            await containers.delete_container("AUTH_test", "photos")
        for name in ("a/1.jpg", "a/2.jpg", "b.jpg"):
            await proxy.delete_object("AUTH_test", "photos", name)
        await containers.delete_container("AUTH_test", "photos")
        with pytest.raises(errors.ContainerNotFound):
            await containers.head_container("AUTH_test", "photos")
        with pytest.raises(errors.ContainerNotFound):
            await containers.delete_container("AUTH_test", "photos")
        account = await containers.list_account("AUTH_test")
        assert [e["name"] for e in account.entries] == ["docs"]
        empty = await containers.list_account("AUTH_nobody")
        assert empty.entries == []

    cluster.run(go)


def test_read_falls_through_to_the_next_replica(cluster: Cluster) -> None:
    """A replica that fails before any byte is sent is skipped for the next one."""
    async def go(proxy: Proxy) -> None:
        await proxy.put_object("AUTH_test", "c", "o", chunks(b"payload"), PutOptions())
        handle = await proxy.open_object("AUTH_test", "c", "o")
        assert len(handle.holders) == 3
        dead = Target("127.0.0.1", 9, handle.holders[0].device)    # nothing listens on 9
        handle.holders = [dead, *handle.holders]
        stream = await handle.read()
        assert b"".join([c async for c in stream.body]) == b"payload"
        handle.holders = [dead]
        with pytest.raises(errors.ServiceUnavailable):
            await handle.read()

    cluster.run(go)


def test_write_with_a_primary_down_lands_on_a_handoff(tmp_path: Path) -> None:
    """Four nodes, three replicas: with a primary down, the write goes to the fourth
    node instead (the handoff), and reads still find the object."""
    cluster, builder = start_cluster(tmp_path, 4)
    try:
        ring = builder.ring_data()
        part, primaries = ring.get_nodes("AUTH_test", "c", "o")
        down = primaries[0].id
        handoff = next(ring.handoffs(part)).id
        cluster.nodes[down].stop()
        cluster.run(lambda p: p.put_object("AUTH_test", "c", "o", chunks(b"handed off"),
                                           PutOptions()))
        assert len(cluster.data_files(handoff)) == 1, "the handoff holds a replica"
        assert cluster.data_files(down) == []
        assert cluster.run(lambda p: read(p, "o")) == b"handed off"
    finally:
        for n in cluster.nodes:
            n.stop()


def test_a_version_replaced_between_look_and_read_is_not_served(cluster: Cluster) -> None:
    async def go(proxy: Proxy) -> None:
        await proxy.put_object("AUTH_test", "c", "o", chunks(b"old"), PutOptions())
        handle = await proxy.open_object("AUTH_test", "c", "o")
        await proxy.put_object("AUTH_test", "c", "o", chunks(b"newer and longer"), PutOptions())
        with pytest.raises(errors.ServiceUnavailable):
            await handle.read()          # its headers describe a version no longer there
        assert await read(proxy, "o") == b"newer and longer"

    cluster.run(go)


def test_a_body_failing_after_its_last_byte_stores_nothing(cluster: Cluster) -> None:
    """The check that fails may come only after the last byte (a digest); the proxy holds
    the last chunk back until the body ended cleanly, so no node sees it complete."""
    async def checked() -> AsyncIterator[bytes]:
        yield b"a" * 100_000
        yield b"b" * 100_000
        raise errors.UnprocessableEntity("digest mismatch")

    async def go(proxy: Proxy) -> None:
        with pytest.raises(errors.UnprocessableEntity):
            await proxy.put_object("AUTH_test", "c", "late", checked(),
                                   PutOptions(length=200_000))
        await asyncio.sleep(0.3)
        with pytest.raises(errors.ObjectNotFound):
            await proxy.get_object("AUTH_test", "c", "late")

    cluster.run(go)
    assert not any(cluster.data_files(i) for i in range(3))


def test_a_name_every_node_refuses_is_a_bad_request_not_unavailable(cluster: Cluster) -> None:
    """The nodes answer 400 to an empty name (the edges never send one): a quorum
    agreeing on that refusal is the client's error, not failing nodes (503) -- for reads
    and deletes as for writes."""
    async def go(proxy: Proxy) -> None:
        containers = Containers(proxy)
        await containers.put_container("AUTH_test", "c", {})
        for call in (lambda: proxy.head_object("AUTH_test", "c", ""),
                     lambda: proxy.open_object("AUTH_test", "c", ""),
                     lambda: proxy.delete_object("AUTH_test", "c", ""),
                     lambda: proxy.put_object("AUTH_test", "c", "", chunks(b"x"),
                                              PutOptions(length=1)),
                     lambda: containers.head_container("AUTH_test", ""),
                     lambda: containers.list_container("AUTH_test", "")):
            with pytest.raises(errors.BadRequest):
                await call()

    cluster.run(go)
