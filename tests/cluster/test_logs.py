"""What the processes write to stderr, read as an operator would: one JSON object per
line with time, level, role and request id; one access-log line per client request; the
request id of a client request in the node's lines that served it -- in `serve` (one
process) and in a cluster of separate processes. And the expected conditions that must
not end in a traceback."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import swiftclient

from tests.integration.conftest import free_port
from tests.launch import COMMAND, launch
from tests.servers import wait_healthy

FIELDS = {"time", "level", "role", "request_id", "logger", "message"}
ACCESS_FIELDS = {"method", "path", "status", "bytes_in", "bytes_out", "duration_ms",
                 "account", "user_agent"}


def s3_client(port: int) -> Any:
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}",
                        aws_access_key_id="test:tester", aws_secret_access_key="testing",
                        region_name="us-east-1")


def json_lines(text: str) -> list[dict[str, Any]]:
    """Every line parsed; a line that is not one JSON object fails the test."""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    for line in lines:
        assert line.keys() >= FIELDS, line
    return lines


def wait_for(path: Path, predicate: Any, timeout: float = 10) -> list[dict[str, Any]]:
    """The log's lines once one satisfies `predicate` (lines are written as they happen)."""
    deadline = time.monotonic() + timeout
    while True:
        lines = json_lines(path.read_text())
        if any(predicate(line) for line in lines) or time.monotonic() > deadline:
            return lines
        time.sleep(0.1)


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    root = tmp_path_factory.mktemp("logs")
    port = free_port()
    err = root / "serve.err"
    with open(err, "wb") as stderr, open(root / "serve.out", "wb") as stdout:
        proc = subprocess.Popen([*COMMAND, "serve", "--data-dir", str(root / "data"),
                                 "--port", str(port), "--log-level", "debug"],
                                stdout=stdout, stderr=stderr)
    try:
        wait_healthy(port, proc)
        yield port, err
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    assert proc.returncode == 0
    assert "Traceback" not in err.read_text()


def test_serve_logs_a_json_access_line_per_request_with_the_id_clients_see(
        serve: tuple[int, Path]) -> None:
    port, err = serve
    s3 = s3_client(port)
    s3.create_bucket(Bucket="logged")
    put = s3.put_object(Bucket="logged", Key="k", Body=b"12345")
    rid = put["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]
    lines = wait_for(err, lambda x: x["request_id"] == rid and x["logger"] == "objectstore.access")
    access = [line for line in lines if line["logger"] == "objectstore.access"
              and line["request_id"] == rid]
    assert len(access) == 1, "one access line per request"
    line = access[0]
    assert line.keys() >= ACCESS_FIELDS
    assert (line["method"], line["path"], line["status"], line["bytes_in"],
            line["account"], line["role"], line["level"]) == \
        ("PUT", "/logged/k", 200, 5, "test", "proxy", "info")
    assert line["user_agent"].startswith("Boto3/")
    assert line["time"].endswith("Z") and line["duration_ms"] > 0
    # the nodes that stored it say so, with the same id and their own role
    node_lines = [x for x in lines if x["request_id"] == rid and x["role"].startswith("node@")]
    assert node_lines and {x["method"] for x in node_lines} >= {"PUT"}


def test_swift_requests_carry_the_same_id_in_answer_and_log(serve: tuple[int, Path]) -> None:
    port, err = serve
    conn = swiftclient.Connection(f"http://127.0.0.1:{port}/auth/v1.0", "test:tester",
                                  "testing")
    answer: dict[str, Any] = {}
    conn.put_container("swiftlogged", response_dict=answer)
    tx = answer["headers"]["x-trans-id"]
    assert answer["headers"]["x-openstack-request-id"] == tx
    conn.close()
    lines = wait_for(err, lambda x: x["request_id"] == tx and x["logger"] == "objectstore.access")
    access = [x for x in lines if x["logger"] == "objectstore.access" and x["request_id"] == tx]
    assert [(x["method"], x["status"], x["account"]) for x in access] == \
        [("PUT", 201, "AUTH_test")]
    assert any(x["role"].startswith("node@") for x in lines if x["request_id"] == tx)


def test_a_cluster_sends_the_request_id_to_its_node_processes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OBJECTSTORE_LOG_LEVEL", "debug")   # the processes inherit it
    cluster = launch(tmp_path, nodes=3, replicas=3)
    try:
        s3 = s3_client(cluster.proxy_port)
        s3.create_bucket(Bucket="clustered")
        rid = s3.put_object(Bucket="clustered", Key="k", Body=b"x")[
            "ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]
        proxy_lines = wait_for(tmp_path / "proxy.log", lambda x: x["request_id"] == rid
                               and x["logger"] == "objectstore.access")
        assert [x["status"] for x in proxy_lines if x["request_id"] == rid
                and x["logger"] == "objectstore.access"] == [200]
        seen_by = set()
        for i in range(3):
            lines = wait_for(tmp_path / f"node{i}.log", lambda x: x["request_id"] == rid)
            seen_by |= {x["role"] for x in lines if x["request_id"] == rid}
        assert seen_by == {f"node@127.0.0.1:{cluster.base_port + i}" for i in range(3)}
    finally:
        cluster.stop_all()


@pytest.mark.parametrize("command", ["serve", "proxy", "node"])
def test_a_port_in_use_is_one_line_and_exit_status_1(tmp_path: Path, command: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        if command == "serve":
            args = ["serve", "--data-dir", str(tmp_path / "data"), "--port", str(port)]
        else:
            subprocess.run([*COMMAND, "cluster", "init", str(tmp_path), "--nodes", "1",
                            "--replicas", "1", "--base-port", str(port), "--proxy-port",
                            str(port), "--part-power", "2"], check=True, capture_output=True)
            args = [command, "--config", str(tmp_path / f"{command}{'0' * (command == 'node')}"
                                                        ".toml")]
        done = subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"127.0.0.1:{port}" in done.stderr and "in use" in done.stderr


def test_version() -> None:
    done = subprocess.run([*COMMAND, "--version"], capture_output=True, text=True,
                          check=True)
    assert done.stdout.startswith("objectstore 0.")


@pytest.mark.parametrize("command", [["status", "--json"], ["ring", "show"]])
def test_output_into_a_closed_pipe_ends_quietly(tmp_path: Path, command: list[str]) -> None:
    subprocess.run([*COMMAND, "cluster", "init", str(tmp_path), "--part-power", "8",
                    "--base-port", str(free_port())], check=True, capture_output=True)
    target = ["--config", str(tmp_path / "proxy.toml")] if command[0] == "status" else \
        [str(tmp_path / "object.builder")]
    read, write = os.pipe()
    os.close(read)          # like `| head` that has already gone
    done = subprocess.run([*COMMAND, *command, *target], stdout=write,
                          stderr=subprocess.PIPE, text=True, timeout=60)
    os.close(write)
    assert done.stderr == ""
    assert done.returncode == 141


def test_serve_prints_the_users_it_really_has(tmp_path: Path) -> None:
    config = tmp_path / "users.toml"
    config.write_text('[[users]]\naccount = "acme"\nuser = "ops"\nkey = "s3cr3t"\n'
                      'access_key = "AKIDACME"\n')
    port = free_port()
    with open(tmp_path / "out", "wb") as out:
        proc = subprocess.Popen([*COMMAND, "serve", "--data-dir", str(tmp_path / "data"),
                                 "--port", str(port), "--config", str(config)],
                                stdout=out, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port, proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    printed = (tmp_path / "out").read_text()
    assert "acme:ops" in printed and "AKIDACME" in printed
    assert "test:tester" not in printed and "s3cr3t" not in printed
