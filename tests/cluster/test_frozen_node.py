"""A frozen node (SIGSTOP) on a real cluster of processes: writes and reads answer from
the two live replicas without waiting for it, and once the proxy has error-limited it
(after real read timeouts) no new request reaches it -- from the proxy, nor from the
other nodes (their stats reports rest a replica that did not answer).

Prints the latencies: `pytest -s tests/cluster/test_frozen_node.py`."""

from __future__ import annotations

import os
import signal
import statistics
import time
from pathlib import Path

from tests.cluster.test_durability import Swift
from tests.launch import ProcessCluster, launch

FROZEN = 2
READ_TIMEOUT = 10.0         # the proxy's node_read_timeout (cluster init's default)


def bytes_queued_at(port: int) -> dict[str, int]:
    """Bytes sent to a port's sockets and not read (a stopped process reads nothing):
    it grows with every request that reaches the frozen node. (A connection the client
    closed counts its FIN as one more byte: not a request.)"""
    close_wait = "08"
    queued = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port:
            queued[fields[2]] = int(fields[4].split(":")[1], 16) - (fields[3] == close_wait)
    return queued


def limited(cluster: ProcessCluster) -> bool:
    return "error-limited" in (cluster.root / "proxy.log").read_text()


def test_a_frozen_node_is_not_waited_for_and_is_error_limited(tmp_path: Path) -> None:
    cluster = launch(tmp_path / "cluster")
    try:
        swift = Swift(cluster.proxy_port)
        assert swift.put("c") in (201, 202)
        for i in range(5):
            assert swift.put("c", f"warm{i}", os.urandom(2048)) == 201
        writes: list[float] = []
        reads: list[float] = []
        statuses: list[int] = []
        bodies: dict[str, bytes] = {}

        def one(name: str) -> None:
            body = os.urandom(2048)
            began = time.monotonic()
            statuses.append(swift.put("c", name, body))
            writes.append(time.monotonic() - began)
            began = time.monotonic()
            status, got = swift.get("c", name)
            reads.append(time.monotonic() - began)
            statuses.append(status)
            assert got == body, name
            bodies[name] = body

        cluster.procs[f"node{FROZEN}"].send_signal(signal.SIGSTOP)
        try:
            # until the background requests' read timeouts have limited the node
            deadline = time.monotonic() + 4 * READ_TIMEOUT
            i = 0
            while not limited(cluster) and time.monotonic() < deadline:
                one(f"o{i}")
                i += 1
            was_limited = limited(cluster)
            queued = bytes_queued_at(cluster.base_port + FROZEN)
            for j in range(30):
                one(f"after{j}")
            queued_after = bytes_queued_at(cluster.base_port + FROZEN)
        finally:
            cluster.procs[f"node{FROZEN}"].send_signal(signal.SIGCONT)
        print(f"\nfrozen node: {len(writes)} PUTs of 2 KiB, write p50 "
              f"{statistics.median(writes):.3f} s max {max(writes):.3f} s; read p50 "
              f"{statistics.median(reads):.3f} s max {max(reads):.3f} s; "
              f"limited after {i} pairs")
        assert all(200 <= s < 300 for s in statuses), statuses
        assert was_limited, "the frozen node was never error-limited"
        grown = {k: (queued.get(k), v) for k, v in queued_after.items() if queued.get(k) != v}
        asked = [line for line in (cluster.root / "proxy.log").read_text().splitlines()
                 if "asking error-limited" in line]
        assert sum(queued_after.values()) == sum(queued.values()), (
            f"requests reached the node after it was limited: {grown}; the proxy: {asked}")
        assert max(writes) < READ_TIMEOUT / 2, "a write waited for the frozen node"
        assert max(reads) < READ_TIMEOUT / 2, "a read waited for the frozen node"
        for name, body in bodies.items():       # still there with all three nodes up
            assert swift.get("c", name) == (200, body)
    finally:
        cluster.stop_all()
