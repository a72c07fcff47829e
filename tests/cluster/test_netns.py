"""Several hosts with real addresses: one Linux network namespace per host
(../shared/tools/cluster/netns-lab.sh), a storage node in each of three, the proxy in a
fourth. A node is cut off while the clients keep writing and reading, then healed and
the replicators bring it up to date; then the proxy alone is partitioned from one node.
No request the quorum could serve fails; after healing every object is on all three of
its primaries. Needs root and iptables (installed here from Debian if missing)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.launch import COMMAND
from tests.replicas import primary_copies

ROOT = Path(__file__).resolve().parents[2]
LAB_TOOL = ROOT.parent / "shared" / "tools" / "cluster" / "netns-lab.sh"
LAB = {"LAB": "ostest", "PREFIX": "10.78.0"}
PORT, PROXY_PORT = 6200, 8080


def lab(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LAB_TOOL), *args], capture_output=True, text=True,
                          check=check, env={**os.environ, **LAB})


def addr(host: int) -> str:
    return f"{LAB['PREFIX']}.{10 + host}"


def in_host(host: int, *cmd: str, **kwargs: object) -> list[str]:
    return ["ip", "netns", "exec", f"{LAB['LAB']}-h{host}", *cmd]


@dataclass
class Lab:
    root: Path
    endpoint: str
    procs: list[subprocess.Popen[bytes]]

    def client(self, op: str, prefix: str, n: int, bucket: str = "lab") -> dict[str, object]:
        out = subprocess.run(in_host(4, sys.executable, "-m", "tests.netns_client",
                                     self.endpoint, op, bucket, prefix, str(n)),
                             capture_output=True, text=True, cwd=ROOT, timeout=600)
        logs = "".join(f"--- {p.name}\n{p.read_text()[-1500:]}"
                       for p in sorted(self.root.glob("*.log")))
        assert out.returncode == 0, out.stderr[-1000:] + logs
        return dict(json.loads(out.stdout.strip().splitlines()[-1]))

    def replicate(self) -> None:
        for i in range(3):
            done = subprocess.run(in_host(i + 1, *COMMAND, "replicate", "--config",
                                          str(self.root / f"node{i}.toml"), "--once"),
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr


def healthy(host: int, url: str) -> bool:
    return subprocess.run(in_host(host, *COMMAND, "healthcheck", url),
                          capture_output=True).returncode == 0


@pytest.fixture
def netlab(tmp_path: Path) -> Iterator[Lab]:
    if os.geteuid() != 0:
        pytest.fail("the multi-host tests make network namespaces: run them as root")
    if shutil.which("iptables") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "iptables"], check=True,
                       capture_output=True, env={**os.environ,
                                                 "DEBIAN_FRONTEND": "noninteractive"})
    lab("down", check=False)
    lab("up", "4")
    root = tmp_path / "cluster"
    nodes = [arg for i in range(1, 4) for arg in ("--node", f"{addr(i)}:{PORT}")]
    subprocess.run([*COMMAND, "cluster", "init", str(root), *nodes, "--host", addr(4),
                    "--proxy-port", str(PROXY_PORT), "--part-power", "6"], check=True,
                   capture_output=True)
    # short node timeouts: a silent node should cost a request little
    proxy_toml = root / "proxy.toml"
    proxy_toml.write_text(proxy_toml.read_text().replace(
        "node_connect_timeout = 2.0", "node_connect_timeout = 1.0").replace(
        "node_read_timeout = 10.0", "node_read_timeout = 3.0"))
    procs = []
    try:
        for i, name in enumerate(["node0", "node1", "node2", "proxy"]):
            kind = "proxy" if name == "proxy" else "node"
            log = open(root / f"{name}.log", "ab")  # noqa: SIM115 -- kept by the process
            procs.append(subprocess.Popen(in_host(i + 1, *COMMAND, kind, "--config",
                                                  str(root / f"{name}.toml")),
                                          stdout=log, stderr=subprocess.STDOUT))
            log.close()
        deadline = time.monotonic() + 60
        urls = [(4, f"http://{addr(i)}:{PORT}/healthcheck") for i in range(1, 4)]
        urls.append((4, f"http://{addr(4)}:{PROXY_PORT}/healthcheck"))
        while not all(healthy(h, u) for h, u in urls):
            assert time.monotonic() < deadline, "the lab's servers did not come up"
            time.sleep(0.3)
        yield Lab(root, f"http://{addr(4)}:{PROXY_PORT}", procs)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
        lab("down", check=False)


def all_on_primaries(root: Path, prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:03d}" for i in range(n)
            if None in primary_copies(root, "AUTH_test", "lab", f"{prefix}{i:03d}")]


def test_cut_a_node_then_partition_the_proxy_from_one(netlab: Lab) -> None:
    first = netlab.client("put", "a/", 20)
    assert first["ok"] == 20, first

    lab("cut", "2", "drop")                     # host 2 vanishes: packets dropped
    wrote = netlab.client("put", "b/", 20)
    read = netlab.client("get", "a/", 20)
    assert wrote["ok"] == 20 and read["ok"] == 20, (wrote, read)
    assert netlab.client("get", "b/", 20)["ok"] == 20
    lab("heal", "2")
    netlab.replicate()
    missing = all_on_primaries(netlab.root, "b/", 20)
    assert not missing, f"after healing, {len(missing)} objects lack a replica: {missing[:3]}"

    lab("partition", "4", "1")                  # the proxy alone loses host 1
    wrote_p = netlab.client("put", "c/", 20)
    read_p = netlab.client("get", "a/", 20)
    assert wrote_p["ok"] == 20 and read_p["ok"] == 20, (wrote_p, read_p)
    lab("heal", "4")
    lab("heal", "1")
    netlab.replicate()
    missing = all_on_primaries(netlab.root, "c/", 20)
    assert not missing, f"after healing, {len(missing)} objects lack a replica: {missing[:3]}"
    print(f"netns: node 2 cut (dropped packets): 20 writes in {wrote['seconds']} s, 20 reads "
          f"in {read['seconds']} s, 0 failed; proxy partitioned from node 1: 20 writes in "
          f"{wrote_p['seconds']} s, 20 reads in {read_p['seconds']} s, 0 failed; after each "
          "heal one replication pass put every object on all 3 primaries")
