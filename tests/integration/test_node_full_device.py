"""A storage node whose device is genuinely full (a small tmpfs mounted for the test;
needs root, skipped otherwise): container and account databases answer 507, as object
writes do, so the proxy goes to a handoff -- never a 500 with a traceback."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from objectstore.node.client import NodeClient, Target, node_path
from objectstore.node.config import NodeConfig
from objectstore.node.server import NodeApp
from objectstore.timestamps import Timestamp
from tests.servers import running

SECRET = b"cluster-secret"
CONT = node_path("containers", "sdb1", 5, "AUTH_test", "c")
ACCOUNT = node_path("accounts", "sdb1", 1, "AUTH_test")


def ts(n: int) -> dict[str, str]:
    return {"x-timestamp": Timestamp(1_700_000_000 * 100_000 + n).internal}


@pytest.fixture
def small_device(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a small filesystem needs root")
    devices = tmp_path / "devices"
    mount = devices / "sdb1"
    mount.mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield devices
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(directory: Path) -> None:
    """Take every free byte of the filesystem."""
    for name, size in (("filler", 4096), ("filler2", 64)):
        with open(directory / name, "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC


async def call(client: NodeClient, method: str, target: Target, path: str,
               headers: dict[str, str], body: bytes | None = None) -> tuple[int, bytes]:
    resp = await client.request(method, target, path, headers, body)
    async with resp:
        return resp.status, await resp.read()


def test_a_full_device_answers_507_for_databases(small_device: Path,
                                                capfd: pytest.CaptureFixture[str]) -> None:
    app = NodeApp(NodeConfig(devices=small_device, secret=SECRET, hash_prefix="p"))
    rows = json.dumps([[f"o{i}-" + "x" * 200, ts(10 + i)["x-timestamp"], 1, "t", "e", 0]
                       for i in range(2000)]).encode()

    async def go(port: int) -> list[int]:
        target = Target("127.0.0.1", port, "sdb1")
        client = NodeClient(SECRET)
        try:
            assert (await call(client, "PUT", target, CONT, ts(1)))[0] == 201
            fill(small_device / "sdb1")
            statuses = [
                (await call(client, "PUT", target, ACCOUNT, ts(2)))[0],       # new db
                (await call(client, "POST", target, CONT, {"x-backend-rows": "2000",
                                                           "content-type": "x"},
                            rows))[0],
                (await call(client, "PUT", target, CONT + "/big" + "y" * 900,
                            {**ts(3), "x-size": "1"}))[0],
                (await call(client, "POST", target, CONT,
                            {**ts(4), "x-container-meta-m": "v" * 4000}))[0],
            ]
            # a replicated database pushed by another node
            doc = {"state": {"name": "/AUTH_test/d", "put_timestamp": ts(5)["x-timestamp"],
                             "delete_timestamp": "0", "metadata": "{}", "db_id": "r1"},
                   "rows": [], "point": 0}
            replicated = f"/replication-db/containers/sdb1/7/{'ab' * 16}"
            statuses.append((await call(client, "POST", target, replicated, {},
                                        json.dumps(doc).encode()))[0])
            # and the node still answers what it can
            status, _ = await call(client, "HEAD", target, CONT, {})
            statuses.append(status)
            return statuses
        finally:
            await client.close()

    with running(app) as port:
        statuses = asyncio.run(go(port))
    assert statuses == [507] * 5 + [204]
    assert "Traceback" not in capfd.readouterr().err


def test_a_database_at_its_size_limit_answers_507(tmp_path: Path) -> None:
    """Without root: the same refusal from a real database held at its size limit
    (SQLite's max_page_count on the node's own connection) -- SQLITE_FULL either way."""
    devices = tmp_path / "devices"
    (devices / "sdb1").mkdir(parents=True)
    app = NodeApp(NodeConfig(devices=devices, secret=SECRET, hash_prefix="p"))
    rows = json.dumps([[f"o{i}-" + "x" * 200, ts(10 + i)["x-timestamp"], 1, "t", "e", 0]
                       for i in range(2000)]).encode()

    async def go(port: int) -> list[int]:
        target = Target("127.0.0.1", port, "sdb1")
        client = NodeClient(SECRET)
        try:
            assert (await call(client, "PUT", target, CONT, ts(1)))[0] == 201
            (db,) = devices.glob("sdb1/containers/**/*.db")
            with app.connections.use(db) as conn:
                pages = conn.execute("PRAGMA page_count").fetchone()[0]
                conn.execute(f"PRAGMA max_page_count = {pages}")
            statuses = [(await call(client, "POST", target, CONT,
                                    {"x-backend-rows": "2000", "content-type": "x"},
                                    rows))[0]]
            statuses.append((await call(client, "HEAD", target, CONT, {}))[0])
            return statuses
        finally:
            await client.close()

    with running(app) as port:
        assert asyncio.run(go(port)) == [507, 204]
