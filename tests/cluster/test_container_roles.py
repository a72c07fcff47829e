"""The cluster the compose file runs, as plain processes configured the same way
(environment variables, a shared cluster directory, each node's devices elsewhere):
init only once, nodes that bind one address and are named by another in the ring,
an admin from the environment, one process for a node's daemons, the health check."""

from __future__ import annotations

import os
import random
import subprocess
import time
from pathlib import Path

import boto3
import botocore.exceptions
import pytest
from botocore.config import Config

from tests.launch import COMMAND, ports_free, stop
from tests.servers import wait_healthy


def _ports(n: int) -> list[int]:
    while True:
        base = random.randrange(20000, 40000)
        if ports_free(base, n):
            return list(range(base, base + n))


def _s3(port: int, key: str, secret: str) -> object:
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"max_attempts": 1}))


def test_the_compose_roles_as_processes(tmp_path: Path) -> None:
    *node_ports, proxy_port = _ports(4)
    cluster = tmp_path / "cluster"
    env = {**os.environ,
           "OBJECTSTORE_NODES": ",".join(f"localhost:{p}" for p in node_ports),
           "OBJECTSTORE_DEVICES_ROOT": str(tmp_path / "srv"),
           "OBJECTSTORE_PROXY_PORT": str(proxy_port), "OBJECTSTORE_PART_POWER": "6",
           "OBJECTSTORE_INIT_IF_MISSING": "1"}
    first = subprocess.run([*COMMAND, "cluster", "init", str(cluster)], env=env,
                           capture_output=True, text=True, check=True)
    assert "localhost:" in first.stdout
    ring = (cluster / "object.ring").read_bytes()
    again = subprocess.run([*COMMAND, "cluster", "init", str(cluster)], env=env,
                           capture_output=True, text=True)
    assert again.returncode == 0 and "nothing to do" in again.stdout
    assert (cluster / "object.ring").read_bytes() == ring, "a second init changes nothing"
    assert not (tmp_path / "srv").exists(), "the devices live on the nodes' own volumes"

    procs: list[subprocess.Popen[bytes]] = []
    try:
        (tmp_path / "srv").mkdir()          # the node's volume: its devices made inside
        for i, port in enumerate(node_ports):
            node_env = {**env, "OBJECTSTORE_BIND": "127.0.0.1"}   # ring name: localhost
            proc = subprocess.Popen([*COMMAND, "node", "--config", str(cluster / f"node{i}.toml")],
                                    env=node_env)
            procs.append(proc)
            wait_healthy(port, proc)
            assert (tmp_path / "srv" / f"d{i}").is_dir()
        health = [*COMMAND, "healthcheck", f"http://127.0.0.1:{node_ports[0]}/healthcheck"]
        assert subprocess.run(health).returncode == 0
        proxy_env = {**env, "OBJECTSTORE_BIND": "127.0.0.1",
                     "OBJECTSTORE_ADMIN_USER": "acme:boss", "OBJECTSTORE_ADMIN_KEY": "s3cr3t"}
        proxy = subprocess.Popen([*COMMAND, "proxy", "--config", str(cluster / "proxy.toml")],
                                 env=proxy_env)
        procs.append(proxy)
        wait_healthy(proxy_port, proxy)
        daemons = subprocess.Popen([*COMMAND, "daemons", "--config", str(cluster / "node0.toml")],
                                   env=env)
        procs.append(daemons)

        s3 = _s3(proxy_port, "acme:boss", "s3cr3t")
        s3.create_bucket(Bucket="roles")
        s3.put_object(Bucket="roles", Key="k", Body=b"v" * 1000)
        assert s3.get_object(Bucket="roles", Key="k")["Body"].read() == b"v" * 1000
        with pytest.raises(botocore.exceptions.ClientError) as info:
            _s3(proxy_port, "test:tester", "testing").list_buckets()
        assert info.value.response["Error"]["Code"] == "InvalidAccessKeyId"
        time.sleep(1)
        assert daemons.poll() is None, "the node's daemons keep running"
        procs[0].kill()
        procs[0].wait()
        assert subprocess.run(health).returncode == 1, "a dead node is unhealthy"
    finally:
        stop(procs)


@pytest.mark.parametrize("user, key", [("nocolon", "k"), ("a:b", ""), ("", "k")])
def test_a_half_given_admin_is_refused(tmp_path: Path, user: str, key: str) -> None:
    subprocess.run([*COMMAND, "cluster", "init", str(tmp_path / "c")], check=True,
                   capture_output=True)
    env = {**os.environ, "OBJECTSTORE_ADMIN_USER": user, "OBJECTSTORE_ADMIN_KEY": key}
    out = subprocess.run([*COMMAND, "proxy", "--config", str(tmp_path / "c" / "proxy.toml")],
                         env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode == 1 and "OBJECTSTORE_ADMIN_USER" in out.stderr, out.stderr
