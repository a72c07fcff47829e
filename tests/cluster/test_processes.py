"""A cluster of separate processes from `objectstore cluster init`: three node processes
and a proxy, one node killed with SIGKILL mid-way."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import swiftclient

from tests.launch import COMMAND, ProcessCluster


def test_cluster_init_writes_everything(tmp_path: Path) -> None:
    out = subprocess.run([*COMMAND, "cluster", "init", str(tmp_path / "c"), "--nodes", "4",
                          "--replicas", "3"], check=True, capture_output=True, text=True)
    root = tmp_path / "c"
    for name in ("object.ring", "object.builder", "proxy.toml", "secret", "node3.toml"):
        assert (root / name).exists(), name
    assert (root / "secret").stat().st_mode & 0o077 == 0, "the secret is private"
    assert (root / "node3" / "d3").is_dir()
    assert "objectstore proxy --config" in out.stdout
    again = subprocess.run([*COMMAND, "cluster", "init", str(root)], capture_output=True,
                           text=True)
    assert again.returncode == 1 and "already" in again.stderr


def test_sigkill_a_node_and_keep_going(cluster: ProcessCluster) -> None:
    conn = swiftclient.Connection(authurl=f"http://127.0.0.1:{cluster.proxy_port}/auth/v1.0",
                                  user="test:tester", key="testing", retries=0)
    conn.put_container("c")
    for i in range(10):
        conn.put_object("c", f"o{i}", f"first {i}".encode())
    cluster.kill("node0")
    # every operation still succeeds with one node gone
    for i in range(10):
        conn.put_object("c", f"o{i}", f"second {i}".encode())
        assert conn.get_object("c", f"o{i}")[1] == f"second {i}".encode()
    conn.put_object("c", "new", os.urandom(100_000))
    conn.delete_object("c", "o9")
    assert len(conn.get_container("c")[1]) >= 10
    conn.head_container("c")
    # the killed node comes back holding old data; reads still return the newest
    cluster.start("node0")
    cluster.kill("node1")
    for i in range(9):
        assert conn.get_object("c", f"o{i}")[1] == f"second {i}".encode()
    with pytest.raises(swiftclient.ClientException) as info:
        conn.get_object("c", "o9")
    assert info.value.http_status == 404
