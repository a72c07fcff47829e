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

from tests.launch import COMMAND, stop
from tests.replicas import placement, primary_copies

ROOT = Path(__file__).resolve().parents[2]
LAB_TOOL = ROOT.parent / "shared" / "tools" / "cluster" / "netns-lab.sh"
LAB = {"LAB": "ostest", "PREFIX": "10.78.0"}
PORT, PROXY_PORT = 6200, 8080
NODE_HOSTS = (1, 2, 3, 5)           # node i runs on host NODE_HOSTS[i]; the proxy on 4


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

    def replicate(self, nodes: int = 3) -> None:
        for i in range(nodes):
            done = subprocess.run(in_host(NODE_HOSTS[i], *COMMAND, "replicate", "--config",
                                          str(self.root / f"node{i}.toml"), "--once"),
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr

    def status(self) -> str:
        out = subprocess.run(in_host(4, *COMMAND, "status", "--config",
                                     str(self.root / "proxy.toml")),
                             capture_output=True, text=True, timeout=60)
        return out.stdout.strip().splitlines()[-1]


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
    lab("up", "5")                  # hosts 1-3 nodes, 4 the proxy, 5 a node to add
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
        stop(procs)
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


def test_add_a_node_on_a_new_host_under_load(netlab: Lab) -> None:
    """As in test_grow_live, across hosts: node3 on host 5 joins (a zone of its own)
    while a client in the proxy's host writes and reads without pause."""
    root = netlab.root
    first = netlab.client("put", "a/", 40)
    assert first["ok"] == 40, first
    (root / "node3" / "d3").mkdir(parents=True)
    (root / "node3.toml").write_text((root / "node2.toml").read_text().replace(
        addr(3), addr(5)).replace('devices = "node2"', 'devices = "node3"'))
    log = open(root / "node3.log", "ab")  # noqa: SIM115 -- kept by the process
    netlab.procs.append(subprocess.Popen(in_host(5, *COMMAND, "node", "--config",
                                                 str(root / "node3.toml")),
                                         stdout=log, stderr=subprocess.STDOUT))
    log.close()
    deadline = time.monotonic() + 30
    while not healthy(4, f"http://{addr(5)}:{PORT}/healthcheck"):
        assert time.monotonic() < deadline, "node3 did not come up"
        time.sleep(0.3)

    stop = root / "stop-load"
    load = subprocess.Popen(in_host(4, sys.executable, "-m", "tests.netns_client",
                                    netlab.endpoint, "load", "lab", "live/", str(stop)),
                            stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        time.sleep(1)
        builder = str(root / "object.builder")
        for args in (["add", builder, "--region", "1", "--zone", "4", "--host", addr(5),
                      "--port", str(PORT), "--device", "d3", "--weight", "100"],
                     ["pretend-min-part-hours-passed", builder],
                     ["rebalance", builder, "--ring", str(root / "grown.ring")]):
            subprocess.run([*COMMAND, "ring", *args], check=True, capture_output=True)
        pushed = subprocess.run(in_host(4, *COMMAND, "ring", "push", str(root / "grown.ring"),
                                        "--config", str(root / "proxy.toml")),
                                capture_output=True, text=True)
        assert pushed.returncode == 0, pushed.stdout + pushed.stderr
        began = time.monotonic()
        progress = [netlab.status()]
        while "placement settled" not in progress[-1]:
            assert len(progress) <= 6, f"not settled after {len(progress) - 1} passes"
            netlab.replicate(nodes=4)
            progress.append(netlab.status())
        took = time.monotonic() - began
        time.sleep(1)
    finally:
        stop.touch()
        out, _ = load.communicate(timeout=120)
    result = json.loads(out.strip().splitlines()[-1])
    assert not result["failed"], result["failed"][:5]
    assert result["requests"] > 20
    keys = [f"a/{i:03d}" for i in range(40)] + list(result["written"])
    held = placement(root, 4, "AUTH_test", "lab", keys)
    moved = sum("d3" in devices for devices in held.values())
    assert moved > len(keys) / 4
    assert "settled" not in progress[0], "status showed the move before it was done"
    print(f"netns add: {result['requests']} requests during the move, 0 failed; {moved} of "
          f"{len(keys)} objects got a replica on the new host; settled {took:.1f} s after "
          f"the push, {len(progress) - 1} replication passes; every object on exactly its "
          f"3 primaries ({progress[0]})")
