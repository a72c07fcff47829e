"""Launch a cluster of separate objectstore processes (`cluster init`, then one process
per node and a proxy), for cluster tests and benchmarks."""

from __future__ import annotations

import random
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

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

    def start_daemons(self, nodes: int) -> None:
        """Each node's replicator, auditor and updater, as in production."""
        for i in range(nodes):
            for kind in ("replicate", "audit", "update"):
                log = open(self.root / f"{kind}{i}.log", "ab")  # noqa: SIM115 -- kept by it
                self.procs[f"{kind}{i}"] = subprocess.Popen(
                    [*COMMAND, kind, "--config", str(self.root / f"node{i}.toml")],
                    stdout=log, stderr=subprocess.STDOUT)
                log.close()

    def kill(self, name: str) -> None:
        self.procs[name].send_signal(signal.SIGKILL)
        self.procs[name].wait(timeout=10)

    def stop_all(self) -> None:
        stop(list(self.procs.values()))


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM to every process still running, then SIGKILL to any that lingers."""
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def launch(root: Path, nodes: int = 3, replicas: int = 3, part_power: int = 6
           ) -> ProcessCluster:
    """cluster init in `root` on free ports, then start every process."""
    while True:
        base = random.randrange(20000, 40000)
        if ports_free(base, nodes + 1):
            break
    subprocess.run([*COMMAND, "cluster", "init", str(root), "--base-port", str(base),
                    "--proxy-port", str(base + nodes), "--part-power", str(part_power),
                    "--nodes", str(nodes), "--replicas", str(replicas)], check=True,
                   capture_output=True)
    cluster = ProcessCluster(root, base, base + nodes)
    try:
        for i in range(nodes):
            cluster.start(f"node{i}")
        cluster.start("proxy")
    except BaseException:
        cluster.stop_all()
        raise
    return cluster
