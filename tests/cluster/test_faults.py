"""Faults on a real cluster of processes: a full device, a frozen node, the proxy and a
node killed in the middle of a large upload, container updates held back while the
container's replicas were down. Tests run as root (mount, like CI)."""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from objectstore.cli.configs import load_node_config
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.node.pending import read_record
from objectstore.ring.files import load_ring
from objectstore.timestamps import Timestamp
from tests.cluster.test_durability import ACCOUNT, Swift
from tests.launch import ProcessCluster, launch
from tests.replicas import container_db, primary_copies, run_pass

MiB = 1024 * 1024


def _set_proxy_timeouts(cluster: ProcessCluster, connect: float, read: float) -> None:
    path = cluster.root / "proxy.toml"
    text = path.read_text()
    text = text.replace("node_connect_timeout = 2.0", f"node_connect_timeout = {connect}")
    text = text.replace("node_read_timeout = 10.0", f"node_read_timeout = {read}")
    path.write_text(text)
    cluster.kill("proxy")
    cluster.start("proxy")


def put_and_read_back(swift: Swift, bodies: dict[str, bytes]) -> None:
    for name, body in bodies.items():
        assert swift.put("c", name, body) == 201
    for name, body in bodies.items():
        assert swift.get("c", name) == (200, body)


@pytest.fixture
def four(tmp_path: Path) -> Iterator[ProcessCluster]:
    """4 nodes, 3 replicas: every partition has a handoff to fall back on."""
    c = launch(tmp_path / "cluster", nodes=4)
    try:
        yield c
    finally:
        c.stop_all()


def test_a_full_device_answers_507_and_writes_go_to_handoffs(four: ProcessCluster) -> None:
    device = four.root / "node1" / "d1"
    four.kill("node1")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(device)],
                   check=True)
    try:
        with open(device / "filler", "wb") as f:          # leave less than the reserve
            f.write(b"\0" * 12 * MiB)
        four.start("node1")
        swift = Swift(four.proxy_port)
        swift.put("c")
        put_and_read_back(swift, {f"o{i}": os.urandom(300_000) for i in range(40)})
        assert _direct_put_status(four, 1, MiB) == 507, "the full node says so"
        assert not list(device.rglob("*.data")), "the full device took no object"
        assert not list(device.glob("tmp/*")), "and kept no partial file"
        assert "Traceback" not in (four.root / "node1.log").read_text()
    finally:
        four.kill("node1")
        subprocess.run(["umount", str(device)], check=False)


def _direct_put_status(cluster: ProcessCluster, node: int, size: int) -> int:
    """A PUT straight to a node's object API (with the cluster secret)."""
    secret = bytes.fromhex((cluster.root / "secret").read_text().strip())

    async def put() -> int:
        client = NodeClient(secret)
        try:
            target = Target("127.0.0.1", cluster.base_port + node, f"d{node}")
            path = node_path("objects", f"d{node}", 0, ACCOUNT, "c", "direct")
            resp = await client.request("PUT", target, path, {
                "x-timestamp": Timestamp.now().internal, "content-length": str(size),
                "expect": "100-continue"}, b"x" * size)
            async with resp:
                return resp.status
        finally:
            await client.close()

    return asyncio.run(put())


def test_a_frozen_node_costs_a_timeout_not_an_error(tmp_path: Path) -> None:
    cluster = launch(tmp_path / "cluster")
    try:
        _set_proxy_timeouts(cluster, 0.5, 1.0)
        swift = Swift(cluster.proxy_port)
        swift.put("c")
        for i in range(10):
            assert swift.put("c", f"o{i}", b"before") == 201
        cluster.procs["node2"].send_signal(signal.SIGSTOP)
        try:
            for i in range(10):
                began = time.monotonic()
                assert swift.put("c", f"o{i}", b"during") == 201
                assert swift.get("c", f"o{i}") == (200, b"during")
                assert time.monotonic() - began < 5, "bounded by the node timeouts"
        finally:
            cluster.procs["node2"].send_signal(signal.SIGCONT)
        run_pass(cluster.root, "replicate")
        run_pass(cluster.root, "update")
        for i in range(10):                          # converged: 3 replicas of the new
            assert swift.get("c", f"o{i}") == (200, b"during")
            assert primary_copies(cluster.root, ACCOUNT, "c", f"o{i}") == \
                [hashlib.md5(b"during").hexdigest()] * 3
    finally:
        cluster.stop_all()


def test_proxy_and_node_killed_mid_upload_leave_nothing(tmp_path: Path) -> None:
    cluster = launch(tmp_path / "cluster")
    try:
        swift = Swift(cluster.proxy_port)
        swift.put("c")
        # the container's name claimed in the bucket-name registry: objects already
        before = set(cluster.root.glob("node*/d*/objects/*/*/*/*.data"))
        conn = http.client.HTTPConnection("127.0.0.1", cluster.proxy_port, timeout=30)
        conn.putrequest("PUT", f"/v1/{ACCOUNT}/c/big")
        conn.putheader("X-Auth-Token", swift.token)
        conn.putheader("Content-Length", str(200 * MiB))
        conn.endheaders()
        chunk = os.urandom(MiB)
        for _ in range(60):                         # 60 of the 200 MiB
            conn.send(chunk)
        time.sleep(0.5)
        assert list(cluster.root.glob("node*/d*/tmp/*")), "the upload was being written"
        cluster.kill("proxy")
        cluster.kill("node0")
        conn.close()
        cluster.start("node0")                      # clears its tmp/ at start
        cluster.start("proxy")
        deadline = time.monotonic() + 10
        while list(cluster.root.glob("node*/d*/tmp/*")) and time.monotonic() < deadline:
            time.sleep(0.1)                         # the others drop their aborted writes
        assert list(cluster.root.glob("node*/d*/tmp/*")) == []
        swift = Swift(cluster.proxy_port)
        assert swift.get("c", "big")[0] == 404
        assert "big" not in swift.names("c")
        assert set(cluster.root.glob("node*/d*/objects/*/*/*/*.data")) == before
    finally:
        cluster.stop_all()


def _container_rows(root: Path, node: int, container: str) -> list[str]:
    with sqlite3.connect(container_db(root, node, ACCOUNT, container)) as conn:
        return [r[0] for r in conn.execute(
            "SELECT name FROM items WHERE deleted = 0 ORDER BY name")]


def test_held_back_container_updates_land_after_the_updater(tmp_path: Path) -> None:
    cluster = launch(tmp_path / "cluster")
    try:
        swift = Swift(cluster.proxy_port)
        swift.put("c")
        cluster.kill("node2")
        # Object replica i tells container replica i. Only names whose object replica
        # for node2's container slot is on a live node have an update to queue (the
        # others' goes from the proxy, best effort, and replication brings it): pick
        # those, so the test does not hang on the cluster's random hash salt.
        ring = load_ring(cluster.root / "object.ring",
                         load_node_config(cluster.root / "node0.toml").hasher())
        slot = [d.device for d in ring.get_nodes(ACCOUNT, "c")[1]].index("d2")
        names = [n for n in (f"o{i:03d}" for i in range(1000))
                 if ring.get_nodes(ACCOUNT, "c", n)[1][slot].device != "d2"][:30]
        assert len(names) == 30
        for name in names:
            assert swift.put("c", name, b"x") == 201
        # queued after a failed try (a .json naming one target), or at once for a node
        # the proxy error-limited (the write's own link, naming its targets)
        node2 = f":{cluster.base_port + 2}/d2"
        queued = {u["obj"] for u in map(read_record, cluster.root.glob(
                      "node*/d*/async_pending/*")) if any(
                      spec.endswith(node2) for spec in u.get("targets", [u.get("target")]))}
        assert queued, "updates for the down container replica were queued"
        cluster.start("node2")
        assert not queued & set(_container_rows(cluster.root, 2, "c"))
        summaries = run_pass(cluster.root, "update")
        assert list(cluster.root.glob("node*/d*/async_pending/*.json")) == [], summaries
        assert queued <= set(_container_rows(cluster.root, 2, "c")), "every one landed"
        run_pass(cluster.root, "replicate")                 # and replication does the rest
        assert _container_rows(cluster.root, 2, "c") == names
    finally:
        cluster.stop_all()


def test_handoffs_end_to_end(four: ProcessCluster) -> None:
    """Writes while a primary is down land on a handoff and are read from there; once
    the primary is back, replication moves them home and the handoff lets go."""
    swift = Swift(four.proxy_port)
    swift.put("c")
    four.kill("node1")
    bodies = {f"o{i:02d}": os.urandom(5000) for i in range(60)}
    put_and_read_back(swift, bodies)
    ring = load_ring(four.root / "object.ring", load_node_config(four.root / "node0.toml")
                     .hasher())

    def strays() -> list[Path]:
        """Object partitions held on a device the ring does not make their primary."""
        return [p for p in four.root.glob("node*/d*/objects/*")
                if not any(d.device == p.parent.parent.name
                           for d in ring.primaries(int(p.name)))]

    assert strays(), "some writes went to a handoff"
    four.start("node1")
    run_pass(four.root, "replicate", nodes=4)
    assert strays() == [], "handoff partitions are removed once delivered"
    for name, body in bodies.items():
        assert primary_copies(four.root, ACCOUNT, "c", name) == \
            [hashlib.md5(body).hexdigest()] * 3
