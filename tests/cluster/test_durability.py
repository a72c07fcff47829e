"""Durability on a real cluster of processes (`cluster init`: 3 nodes, 3 replicas):
nothing acknowledged is lost when a node dies, corrupted files are never served and are
repaired, deletes stay deleted. Replication, audit and update passes are the real
commands (`objectstore replicate|audit|update --once`)."""

from __future__ import annotations

import hashlib
import os
import random
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from tests.launch import ProcessCluster
from tests.replicas import container_db, damage_some, primary_copies, run_pass

ACCOUNT = "AUTH_test"


class Swift:
    """A minimal Swift client on one keep-alive session per thread."""

    def __init__(self, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        auth = requests.get(f"{self.base}/auth/v1.0", timeout=10,
                            headers={"X-Auth-User": "test:tester", "X-Auth-Key": "testing"})
        self.token = auth.headers["X-Auth-Token"]
        self.local = threading.local()

    def session(self) -> requests.Session:
        if not hasattr(self.local, "s"):
            self.local.s = requests.Session()
        s: requests.Session = self.local.s
        return s

    def url(self, container: str, obj: str = "") -> str:
        return f"{self.base}/v1/{ACCOUNT}/{container}" + (f"/{obj}" if obj else "")

    def put(self, container: str, obj: str = "", body: bytes = b"") -> int:
        return self.session().put(self.url(container, obj), data=body, timeout=30,
                                  headers={"X-Auth-Token": self.token}).status_code

    def get(self, container: str, obj: str) -> tuple[int, bytes]:
        r = self.session().get(self.url(container, obj), timeout=30,
                               headers={"X-Auth-Token": self.token})
        return r.status_code, r.content

    def delete(self, container: str, obj: str) -> int:
        return self.session().delete(self.url(container, obj), timeout=30,
                                     headers={"X-Auth-Token": self.token}).status_code

    def names(self, container: str) -> list[str]:
        r = self.session().get(self.url(container) + "?format=json", timeout=30,
                               headers={"X-Auth-Token": self.token})
        return [e["name"] for e in r.json()]


def _size(rng: random.Random) -> int:
    """1 KiB .. 1 MiB, log-uniform (most objects small, some large)."""
    return int(2 ** rng.uniform(10, 20))


def test_sigkill_during_writes_loses_nothing(cluster: ProcessCluster) -> None:
    swift = Swift(cluster.proxy_port)
    assert swift.put("c") in (201, 202)
    rng = random.Random(7)
    total = 1000                # a third acked before the kill, the rest in flight
    sizes = [_size(rng) for _ in range(total)]
    acked: dict[str, str] = {}
    lock = threading.Lock()

    def write(i: int) -> None:
        body = os.urandom(sizes[i])
        try:
            status = swift.put("c", f"o{i:05d}", body)
        except requests.RequestException:
            return
        if status == 201:
            with lock:
                acked[f"o{i:05d}"] = hashlib.md5(body).hexdigest()

    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(write, i) for i in range(total)]
        while len(acked) < total // 3:
            time.sleep(0.05)
        cluster.kill("node0")                      # mid-stream
        for f in futures:
            f.result()
    assert len(acked) >= total * 0.95, "writes go on with one node down"
    for name, md5 in acked.items():                # readable right away, right bytes
        status, body = swift.get("c", name)
        assert status == 200 and hashlib.md5(body).hexdigest() == md5, name

    cluster.start("node0")
    run_pass(cluster.root, "replicate")            # one pass
    bad = [n for n, md5 in acked.items()
           if primary_copies(cluster.root, ACCOUNT, "c", n) != [md5] * 3]
    assert bad == [], f"{len(bad)} objects without 3 good replicas on their primaries"
    leftover = sorted(p for p in (cluster.root / "node0").glob("d0/objects/*")
                      if p.is_dir() and not _is_primary(cluster.root, "d0", int(p.name)))
    assert leftover == [], "handoff partitions are removed once delivered"


def _is_primary(root: Path, device: str, part: int) -> bool:
    from objectstore.cli.configs import load_node_config
    from objectstore.ring.files import load_ring
    ring = load_ring(root / "object.ring", load_node_config(root / "node0.toml").hasher())
    return any(d.device == device for d in ring.primaries(part))


def test_flipped_bytes_are_never_served_and_get_repaired(cluster: ProcessCluster) -> None:
    swift = Swift(cluster.proxy_port)
    swift.put("c")
    bodies = {f"o{i:03d}": os.urandom(random.randint(2_000, 200_000)) for i in range(200)}
    for name, body in bodies.items():
        assert swift.put("c", name, body) == 201
    damaged = damage_some(cluster.root / "node1", 0.05, random.Random(11))
    aborted = 0
    for name, body in bodies.items():              # no GET returns corrupted bytes
        try:
            status, got = swift.get("c", name)
        except requests.RequestException:          # cut short mid-stream: never silent
            aborted += 1
            status, got = swift.get("c", name)     # that replica is quarantined now
        assert status == 200 and got == body, name
    assert aborted <= len(damaged)

    summaries = run_pass(cluster.root, "audit")    # finds the ones no GET touched
    quarantined = len(list((cluster.root / "node1" / "d1" / "quarantined").rglob("*.data")))
    assert quarantined == len(damaged), summaries
    assert not any(p.exists() for p in damaged)
    run_pass(cluster.root, "replicate")
    bad = [n for n, body in bodies.items()
           if primary_copies(cluster.root, ACCOUNT, "c", n) != [hashlib.md5(body).hexdigest()] * 3]
    assert bad == []


def test_deletes_stay_deleted(cluster: ProcessCluster) -> None:
    swift = Swift(cluster.proxy_port)
    swift.put("c")
    for i in range(30):
        assert swift.put("c", f"o{i}", b"x" * 100) == 201
    cluster.kill("node2")
    for i in range(0, 30, 2):
        assert swift.delete("c", f"o{i}") == 204
    cluster.start("node2")
    run_pass(cluster.root, "replicate")
    run_pass(cluster.root, "update")
    for i in range(30):
        assert swift.get("c", f"o{i}")[0] == (404 if i % 2 == 0 else 200)
        copies = primary_copies(cluster.root, ACCOUNT, "c", f"o{i}")
        assert copies == ([None] * 3 if i % 2 == 0
                          else [hashlib.md5(b"x" * 100).hexdigest()] * 3)
    assert swift.names("c") == sorted(f"o{i}" for i in range(1, 30, 2))


def test_a_broken_database_is_quarantined_and_rebuilt(cluster: ProcessCluster) -> None:
    swift = Swift(cluster.proxy_port)
    swift.put("c")
    for i in range(50):
        assert swift.put("c", f"o{i:02d}", b"x") == 201
    cluster.kill("node1")
    # container c's replica (the bucket-name registry's container has one here too)
    dbs = [container_db(cluster.root, 1, ACCOUNT, "c")]
    assert dbs[0].exists()
    for damaged in (dbs[0], Path(f"{dbs[0]}-wal")):   # wreck the headers (the WAL may
        if damaged.exists():                            # hold page 1 until checkpointed)
            with open(damaged, "r+b") as f:
                f.write(os.urandom(100))
    summaries = run_pass(cluster.root, "audit")
    assert not dbs[0].exists(), summaries
    assert list((cluster.root / "node1").rglob("quarantined/databases/*/*.db"))
    cluster.start("node1")
    run_pass(cluster.root, "replicate")
    assert dbs[0].exists(), "rebuilt from the other replicas"
    assert _listed(dbs[0]) == [f"o{i:02d}" for i in range(50)]


def _listed(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT name FROM items ORDER BY name")]
