"""`objectstore serve` SIGKILLed in the middle of a burst of concurrent PUTs: after a
restart on the same data dir, every acknowledged object -- and every object that can
be read at all -- is in the container listing within a bounded wait. (Before, the
listing update of a write was only in memory until a replica took it: 7-85 readable
objects of 200 were never listed, and a bucket could be "emptied" and deleted over
them.)"""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.servers import free_port, stop_gracefully, wait_healthy

CONTAINER = "/v1/AUTH_test/burst"
THREADS = 16


def start(data: Path, port: int, log: Path) -> subprocess.Popen[bytes]:
    out = open(log, "ab")  # noqa: SIM115 -- the child holds it; closed with the test
    proc = subprocess.Popen([sys.executable, "-m", "objectstore", "serve", "--data-dir",
                             str(data), "--port", str(port)], stdout=out,
                            stderr=subprocess.STDOUT)
    out.close()
    wait_healthy(port, proc, timeout=60)
    return proc


def token(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/auth/v1.0", headers={"X-Auth-User": "test:tester",
                                              "X-Auth-Key": "testing"})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return resp.headers["X-Auth-Token"]


def request(port: int, tok: str, method: str, path: str, body: bytes | None = None
            ) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        conn.request(method, path, body=body, headers={"X-Auth-Token": tok})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


class Writer(threading.Thread):
    """PUTs new objects one after another on one connection until the server dies."""

    def __init__(self, port: int, tok: str, index: int) -> None:
        super().__init__(daemon=True)
        self.port, self.tok, self.index = port, tok, index
        self.tried: list[str] = []
        self.acked: list[str] = []

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            for i in range(10_000):
                name = f"o-{self.index:02d}-{i:04d}"
                self.tried.append(name)
                conn.request("PUT", f"{CONTAINER}/{name}", body=name.encode() * 100,
                             headers={"X-Auth-Token": self.tok})
                resp = conn.getresponse()
                resp.read()
                if resp.status == 201:
                    self.acked.append(name)
        except (OSError, http.client.HTTPException):
            return          # the server was killed
        finally:
            conn.close()


def listed(port: int, tok: str) -> set[str]:
    status, body = request(port, tok, "GET", CONTAINER + "?format=json")
    assert status == 200, body
    return {entry["name"] for entry in json.loads(body)}


def test_a_killed_serve_lists_every_object_it_holds(tmp_path: Path) -> None:
    data, log, port = tmp_path / "data", tmp_path / "serve.log", free_port()
    proc = start(data, port, log)
    try:
        tok = token(port)
        assert request(port, tok, "PUT", CONTAINER)[0] in (201, 202)
        writers = [Writer(port, tok, i) for i in range(THREADS)]
        for w in writers:
            w.start()
        deadline = time.monotonic() + 60
        while sum(len(w.acked) for w in writers) < 200 and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)        # in the middle of the burst
        proc.wait()
        for w in writers:
            w.join(timeout=30)
        acked = {n for w in writers for n in w.acked}
        tried = {n for w in writers for n in w.tried}
        assert len(acked) >= 200

        proc = start(data, port, log)
        tok = token(port)
        readable = acked | {n for n in tried - acked
                            if request(port, tok, "HEAD", f"{CONTAINER}/{n}")[0] == 200}
        deadline = time.monotonic() + 40        # the updater's first pass, and a margin
        while not readable <= (names := listed(port, tok)) and time.monotonic() < deadline:
            time.sleep(0.5)
        missing = readable - names
        assert not missing, (f"{len(missing)} of {len(readable)} readable objects "
                             f"({len(acked)} acknowledged) not listed: {sorted(missing)[:10]}")
        assert names <= tried
    finally:
        stop_gracefully(proc, strict=False)
