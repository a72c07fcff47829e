"""A cluster of separate processes from `objectstore cluster init`: three node processes
and a proxy, one node killed with SIGKILL mid-way."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import swiftclient

from tests.servers import wait_healthy

COMMAND = [sys.executable, "-m", "objectstore"]


def ports_free(base: int, n: int) -> bool:
    for port in range(base, base + n):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


@dataclass
class ProcessCluster:
    root: Path
    base_port: int
    proxy_port: int
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> None:
        log = open(self.root / f"{name}.log", "ab")  # noqa: SIM115 -- kept by the process
        kind = "proxy" if name == "proxy" else "node"
        proc = subprocess.Popen([*COMMAND, kind, "--config", str(self.root / f"{name}.toml")],
                                stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.procs[name] = proc
        port = self.proxy_port if name == "proxy" else self.base_port + int(name[4:])
        wait_healthy(port, proc)

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(timeout=10)

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[ProcessCluster]:
    while True:
        base = random.randrange(20000, 40000)
        if ports_free(base, 4):
            break
    root = tmp_path / "cluster"
    subprocess.run([*COMMAND, "cluster", "init", str(root), "--base-port", str(base),
                    "--proxy-port", str(base + 3), "--part-power", "6"], check=True,
                   capture_output=True)
    c = ProcessCluster(root, base, base + 3)
    try:
        for name in ("node0", "node1", "node2", "proxy"):
            c.start(name)
        yield c
    finally:
        c.stop_all()


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
