"""The compose cluster for real: the image built here (scripts/compose-image.sh), every
service up on the host network (compose.yaml + compose.hostnet.yaml), S3 and Swift
round trips through the proxy, a storage node killed and restarted, then down.

Needs root (it installs and starts a Docker engine). CI runs it; on a laptop without
Docker, OBJECTSTORE_SKIP_COMPOSE=1 leaves it out explicitly.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
import swiftclient
from botocore.config import Config

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "objectstore-ci"
NODE_PORTS = (6201, 6202, 6203)

pytestmark = pytest.mark.skipif(os.environ.get("OBJECTSTORE_SKIP_COMPOSE") == "1",
                                reason="OBJECTSTORE_SKIP_COMPOSE=1 (no Docker here)")


def compose(*args: str, port: int = 8080, check: bool = True
            ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker-compose", "-p", PROJECT, "-f", "compose.yaml", "-f",
                           "compose.hostnet.yaml", *args], cwd=ROOT, check=check,
                          capture_output=True, text=True,
                          env={**os.environ, "OBJECTSTORE_PORT": str(port)})


def listening(port: int) -> bool:
    """Something accepts connections there (a bind test would also trip on TIME_WAIT)."""
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def wait_until(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


TOOLS = ROOT.parent / "shared" / "tools" / "cluster"


@pytest.fixture(scope="module")
def docker_tools() -> None:
    """docker.io and docker-compose from Debian's packages (installed once)."""
    if os.geteuid() != 0:
        pytest.fail("the compose test installs and starts a Docker engine: run it as root "
                    "(or set OBJECTSTORE_SKIP_COMPOSE=1 to leave it out)")
    subprocess.run([str(TOOLS / "dockerd-ctl.sh"), "install"], check=True,
                   capture_output=True)


@pytest.fixture(scope="module")
def proxy_port(docker_tools: None) -> Iterator[int]:
    built = subprocess.run([str(ROOT / "scripts" / "compose-image.sh")], cwd=ROOT,
                           capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-3000:]
    compose("down", "-v", check=False)          # whatever an earlier run left
    for port in NODE_PORTS:
        assert not listening(port), f"port {port} (a node of compose.hostnet.yaml) is taken"
    port = 18080
    while listening(port):
        port += 1
    try:
        up = compose("up", "-d", "--no-build", port=port, check=False)
        assert up.returncode == 0, up.stderr
        wait_until(lambda: healthy(f"http://127.0.0.1:{port}/healthcheck"), 120,
                   "the proxy's health check")
        yield port
    finally:
        logs = compose("logs", "--no-color", "--tail", "30", port=port, check=False)
        down = compose("down", "-v", port=port, check=False)
        print(logs.stdout[-5000:], down.stderr[-2000:])
        subprocess.run([str(TOOLS / "dockerd-ctl.sh"), "stop"], capture_output=True)


def s3_client(port: int) -> object:
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}",
                        aws_access_key_id="test:tester", aws_secret_access_key="testing",
                        region_name="us-east-1", config=Config(retries={"max_attempts": 1}))


def test_both_compose_files_validate(docker_tools: None) -> None:
    for files in (["compose.yaml"], ["compose.yaml", "compose.hostnet.yaml"]):
        args = [a for f in files for a in ("-f", f)]
        out = subprocess.run(["docker-compose", *args, "config", "-q"], cwd=ROOT,
                             capture_output=True, text=True)
        assert out.returncode == 0, out.stderr


def test_s3_and_swift_round_trips(proxy_port: int) -> None:
    s3 = s3_client(proxy_port)
    s3.create_bucket(Bucket="compose")
    body = os.urandom(300_000)
    s3.put_object(Bucket="compose", Key="dir/one", Body=body)
    assert s3.get_object(Bucket="compose", Key="dir/one")["Body"].read() == body
    swift = swiftclient.Connection(authurl=f"http://127.0.0.1:{proxy_port}/auth/v1.0",
                                   user="test:tester", key="testing", retries=0)
    swift.put_object("compose", "two", b"from swift")
    assert swift.get_object("compose", "dir/one")[1] == body
    names = [o["Key"] for o in s3.list_objects_v2(Bucket="compose")["Contents"]]
    assert names == ["dir/one", "two"]


def test_a_new_ring_pushed_inside_the_cluster(proxy_port: int) -> None:
    """Rebalance in the cluster volume and push: every node takes the new ring (their
    cluster mount is writable for that) and the proxy uses it, no restart."""
    def objectstore(*args: str) -> subprocess.CompletedProcess[str]:
        return compose("exec", "-T", "node0", "objectstore", *args, port=proxy_port)

    before = info_ring_version(proxy_port)
    objectstore("ring", "set-weight", "/cluster/object.builder", "0", "50")
    objectstore("ring", "rebalance", "/cluster/object.builder", "--ring", "/cluster/new.ring")
    pushed = objectstore("ring", "push", "/cluster/new.ring", "--config",
                         "/cluster/node0.toml")
    assert "3 of 3 nodes hold it" in pushed.stdout, pushed.stdout + pushed.stderr
    wait_until(lambda: info_ring_version(proxy_port) == before + 1, 30,
               "the proxy to use the new ring")


def info_ring_version(port: int) -> int:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/info", timeout=5) as resp:
        return int(json.loads(resp.read())["objectstore_ring"]["version"])


def test_a_killed_storage_node_loses_nothing(proxy_port: int) -> None:
    s3 = s3_client(proxy_port)
    s3.create_bucket(Bucket="outage")
    compose("kill", "node1", port=proxy_port)
    assert not healthy(f"http://127.0.0.1:{NODE_PORTS[1]}/healthcheck")
    for i in range(20):                    # a quorum of two still takes every write
        s3.put_object(Bucket="outage", Key=f"k{i}", Body=f"value {i}".encode())
    compose("start", "node1", port=proxy_port)
    wait_until(lambda: healthy(f"http://127.0.0.1:{NODE_PORTS[1]}/healthcheck"), 60,
               "node1 back")
    compose("kill", "node0", port=proxy_port)   # now the restarted node must serve
    try:
        for i in range(20):
            got = s3.get_object(Bucket="outage", Key=f"k{i}")["Body"].read()
            assert got == f"value {i}".encode()
    finally:
        compose("start", "node0", port=proxy_port)
