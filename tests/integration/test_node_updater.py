"""The updater over records left on disk (node/pending.py), against a real node on a
real socket: it delivers them, keeps the part a down replica did not take, and drops
the record of a write that never got into place -- but not of a write still under way,
nor a record still being written."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from objectstore.daemons.updater import Updater, UpdaterStats
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.node.config import NodeConfig
from objectstore.node.diskfile import DiskFile
from objectstore.node.pending import IN_FLIGHT, PendingRecord
from objectstore.node.server import NodeApp
from objectstore.timestamps import Timestamp
from tests.integration.conftest import free_port
from tests.servers import running

SECRET = b"cluster-secret"
TS = Timestamp(1_700_000_000 * 100_000)
NAME_HASH = "ab" * 16
CONT = node_path("containers", "sdb1", 5, "AUTH_test", "c")


@pytest.fixture
def node(tmp_path: Path) -> Iterator[tuple[Target, Path]]:
    devices = tmp_path / "devices"
    (devices / "sdb1").mkdir(parents=True)
    with running(NodeApp(NodeConfig(devices=devices, secret=SECRET))) as port:
        target = Target("127.0.0.1", port, "sdb1")
        asyncio.run(_call(target, "PUT", CONT, {"x-timestamp": TS.internal}))
        yield target, devices


async def _call(target: Target, method: str, path: str, headers: dict[str, str] | None = None
                ) -> tuple[int, bytes]:
    client = NodeClient(SECRET)
    try:
        resp = await client.request(method, target, path, headers)
        async with resp:
            return resp.status, await resp.read()
    finally:
        await client.close()


def listed(target: Target) -> list[str]:
    status, body = asyncio.run(_call(target, "GET", CONT))
    assert status == 200
    return [e["name"] for e in json.loads(body)]


def leave(devices: Path, obj: str, targets: list[str], age: float = 0) -> Path:
    """A record as a delete leaves it (a link to its tombstone), `age` seconds old."""
    update = {
        "method": "PUT", "targets": targets, "partition": 5, "account": "AUTH_test",
        "container": "c", "obj": obj, "headers": {"x-timestamp": TS.internal, "x-size": "1",
                                                  "x-etag": "e", "x-content-type": "t"},
        "object_partition": 3, "hash": NAME_HASH}
    written = devices / "sdb1" / f"written-{obj}"
    written.write_text(json.dumps({"name": obj, "update": update}))
    if age:
        then = written.stat().st_mtime - age
        os.utime(written, (then, then))
    rec = PendingRecord(devices, "sdb1", update)
    os.close(rec.link(written, "ts"))
    assert rec.path is not None
    return rec.path


def run_pass(devices: Path) -> UpdaterStats:
    async def go() -> UpdaterStats:
        client = NodeClient(SECRET, connect_timeout=1, read_timeout=2)
        try:
            return await Updater(NodeConfig(devices=devices, secret=SECRET), client).run_once()
        finally:
            await client.close()
    return asyncio.run(go())


def test_delivered_to_the_live_replica_kept_for_the_down_one(
        node: tuple[Target, Path]) -> None:
    target, devices = node
    DiskFile(devices, "sdb1", 3, "/AUTH_test/c/o", NAME_HASH).write_tombstone(TS)  # in place
    down = f"127.0.0.1:{free_port()}/sdb1"
    path = leave(devices, "o", [target.spec, down])
    stats = run_pass(devices)
    assert (stats.sent, stats.left) == (1, 1)
    assert listed(target) == ["o"]
    assert not path.exists()
    assert json.loads(path.with_suffix(".json").read_bytes())["targets"] == [down]


def test_a_write_never_in_place_lists_nothing(node: tuple[Target, Path]) -> None:
    target, devices = node
    young = leave(devices, "young", [target.spec])
    old = leave(devices, "old", [target.spec], age=IN_FLIGHT + 5)
    half = devices / "sdb1" / "async_pending" / "half.json"
    half.write_text('{"method": "PU')            # a record being written right now
    stats = run_pass(devices)
    assert listed(target) == []
    assert stats.dropped == 1 and not old.exists()
    assert young.exists(), "its write may still be under way"
    assert stats.damaged == 0 and half.exists()
