"""A new ring reaches a running cluster without restarts: `objectstore ring push`
installs it on every node, the proxy fetches it from them (its own ring file is a
separate copy here, as on another host), an older ring is refused, and the data
written before stays readable."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import swiftclient

from tests.launch import COMMAND, ProcessCluster


def ring_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, "ring", *args], capture_output=True, text=True)


def info_ring(port: int) -> dict[str, object]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/info", timeout=5) as resp:
        return dict(json.loads(resp.read())["objectstore_ring"])


def node_ring_version(port: int, secret: bytes) -> str:
    import asyncio

    from objectstore.node.client import NodeClient, Target

    async def ask() -> str:
        client = NodeClient(secret)
        try:
            resp = await client.request("HEAD", Target("127.0.0.1", port, ""), "/ring")
            async with resp:
                return str(resp.headers.get("x-ring-version"))
        finally:
            await client.close()
    return asyncio.run(ask())


def test_ring_push_reaches_nodes_and_proxy(cluster: ProcessCluster) -> None:
    root = cluster.root
    secret = bytes.fromhex((root / "secret").read_text().strip())
    # the proxy on its own copy of the ring (as on its own host), asking every second
    cluster.kill("proxy")
    shutil.copy(root / "object.ring", root / "proxy.ring")
    text = (root / "proxy.toml").read_text().replace('ring = "object.ring"',
                                                     'ring = "proxy.ring"')
    (root / "proxy.toml").write_text(text.replace("[proxy]\n",
                                                  "[proxy]\nring_check_interval = 0.5\n"))
    cluster.start("proxy")
    conn = swiftclient.Connection(authurl=f"http://127.0.0.1:{cluster.proxy_port}/auth/v1.0",
                                  user="test:tester", key="testing", retries=0)
    conn.put_container("c")
    for i in range(10):
        conn.put_object("c", f"o{i}", f"v{i}".encode())
    before = info_ring(cluster.proxy_port)

    old = root / "old.ring"
    shutil.copy(root / "object.ring", old)
    assert ring_cli("set-weight", str(root / "object.builder"), "0", "50").returncode == 0
    made = ring_cli("rebalance", str(root / "object.builder"), "--ring", str(root / "new.ring"))
    assert made.returncode == 0, made.stderr
    pushed = ring_cli("push", str(root / "new.ring"), "--config", str(root / "node0.toml"))
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    version = int(before["version"]) + 1
    assert "3 of 3 nodes hold it" in pushed.stdout
    for i in range(3):
        assert node_ring_version(cluster.base_port + i, secret) == str(version)

    deadline = time.monotonic() + 20
    while info_ring(cluster.proxy_port)["version"] != version and time.monotonic() < deadline:
        time.sleep(0.2)
    now = info_ring(cluster.proxy_port)
    assert now["version"] == version and now["checksum"] != before["checksum"]
    assert (root / "proxy.ring").read_bytes() == (root / "new.ring").read_bytes()
    for i in range(10):
        assert conn.get_object("c", f"o{i}")[1] == f"v{i}".encode()

    refused = ring_cli("push", str(old), "--config", str(root / "node0.toml"))
    assert refused.returncode == 1 and "REFUSED" in refused.stdout
    assert node_ring_version(cluster.base_port, secret) == str(version)
    damaged = root / "damaged.ring"
    raw = bytearray((root / "new.ring").read_bytes())
    raw[len(raw) // 2] ^= 1
    damaged.write_bytes(bytes(raw))
    bad = ring_cli("push", str(damaged), "--config", str(root / "node0.toml"))
    assert bad.returncode == 1 and "checksum" in bad.stderr
    assert info_ring(cluster.proxy_port)["version"] == version


def test_the_ring_api_refuses_what_it_must(cluster: ProcessCluster, tmp_path: Path) -> None:
    """PUT /ring straight to a node: damaged bytes 422, the held ring 200."""
    import asyncio

    from objectstore.node.client import NodeClient, Target
    secret = bytes.fromhex((cluster.root / "secret").read_text().strip())
    data = (cluster.root / "object.ring").read_bytes()

    async def put(body: bytes) -> int:
        client = NodeClient(secret)
        try:
            resp = await client.request("PUT", Target("127.0.0.1", cluster.base_port, ""),
                                        "/ring", {}, body)
            async with resp:
                await resp.read()
                return resp.status
        finally:
            await client.close()

    assert asyncio.run(put(b"not a ring")) == 422
    assert asyncio.run(put(data[:-3])) == 422
    assert asyncio.run(put(data)) == 200
