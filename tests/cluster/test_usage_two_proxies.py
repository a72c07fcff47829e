"""Usage over a cluster of processes with two proxies: transfers counted by each are
summed (each writes its own objects, neither overwrites the other's), a sample taken
by one proxy is read through the other (samples are kept in the cluster), and counts
that could not be written while the nodes were down are written once they are back."""

from __future__ import annotations

import subprocess
import time
import tomllib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import boto3
import pytest
from botocore.config import Config

from tests.integration.admin_client import signed_by
from tests.launch import COMMAND, ProcessCluster, launch
from tests.servers import free_port, stop_gracefully, wait_healthy

T = TypeVar("T")
# the first proxy samples every second; the second (almost) never: what it reports
# of stored bytes, the first one sampled
SAMPLING = "\n[usage]\nsample_seconds = 1\nflush_seconds = 0.5\n"
NOT_SAMPLING = "\n[usage]\nsample_seconds = 1000000\nflush_seconds = 0.5\n"


@pytest.fixture
def two_proxies(tmp_path: Path
                ) -> Iterator[tuple[str, str, tuple[str, str], ProcessCluster]]:
    cluster: ProcessCluster = launch(tmp_path / "cluster")
    try:
        root = cluster.root
        stop_gracefully(cluster.procs.pop("proxy"))
        text = (root / "proxy.toml").read_text()
        config = tomllib.loads(text)
        admin = next(u for u in config["users"] if u.get("reseller_admin"))
        (root / "proxy.toml").write_text(text + SAMPLING)
        cluster.start("proxy")
        port = free_port()
        (root / "proxy2.toml").write_text(text.replace(
            f"port = {cluster.proxy_port}", f"port = {port}", 1) + NOT_SAMPLING)
        log = open(root / "proxy2.log", "ab")  # noqa: SIM115 -- kept by the process
        proc = subprocess.Popen([*COMMAND, "proxy", "--config", str(root / "proxy2.toml")],
                                stdout=log, stderr=subprocess.STDOUT)
        log.close()
        cluster.procs["proxy2"] = proc
        wait_healthy(port, proc)
        yield (f"http://127.0.0.1:{cluster.proxy_port}", f"http://127.0.0.1:{port}",
               (f"{admin['account']}:{admin['user']}", admin["key"]), cluster)
    finally:
        cluster.stop_all()


def s3_of(server: str) -> Any:
    return boto3.client("s3", endpoint_url=server, aws_access_key_id="test:tester",
                        aws_secret_access_key="testing", region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


def poll(read: Callable[[], T], good: Callable[[T], bool], timeout: float = 30) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if good(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.3)


def report(server: str, admin: tuple[str, str]) -> Any:
    status, doc = signed_by(server, "GET", "/_admin/v1/usage?account=test", *admin)
    assert status == 200, doc
    return doc


def rows(doc: Any, bucket: str) -> dict[str, tuple[int, int, int]]:
    out: dict[str, tuple[int, int, int]] = {}
    for row in doc["accounts"].get("test", {}).get("transfer", []):
        if row["bucket"] == bucket:
            r, i, o = out.get(row["class"], (0, 0, 0))
            out[row["class"]] = (r + row["requests"], i + row["bytes_in"],
                                 o + row["bytes_out"])
    return out


def test_transfers_through_both_are_summed_and_a_sample_is_read_through_either(
        two_proxies: tuple[str, str, tuple[str, str], ProcessCluster]) -> None:
    first, second, admin, _ = two_proxies
    one, two = s3_of(first), s3_of(second)
    try:
        one.create_bucket(Bucket="shared")
        one.put_object(Bucket="shared", Key="a", Body=b"1" * 1500)
        two.put_object(Bucket="shared", Key="b", Body=b"2" * 2500)
        two.put_object(Bucket="shared", Key="c", Body=b"3" * 10)
        assert one.get_object(Bucket="shared", Key="b")["Body"].read() == b"2" * 2500
        assert two.get_object(Bucket="shared", Key="a")["Body"].read() == b"1" * 1500
    finally:
        one.close()
        two.close()

    def complete(doc: Any) -> bool:
        stored = doc["accounts"]["test"]["stored"]
        return rows(doc, "shared").get("read", (0, 0, 0))[0] == 2 and \
            rows(doc, "shared").get("write", (0, 0, 0))[0] == 3 and stored is not None \
            and stored["buckets"].get("shared", {}).get("objects") == 3
    for server in (second, first):
        doc = poll(partial(report, server, admin), complete)
        got = rows(doc, "shared")
        assert got["write"] == (3, 4010, 0), got
        assert got["read"] == (2, 0, 4000), got
        stored = doc["accounts"]["test"]["stored"]
        assert stored["buckets"]["shared"] == {"bytes": 4010, "objects": 3}, stored
        assert stored["bytes"] == 4010 and stored["objects"] == 3
    # the second proxy never sampled: every sample it reports, the first one took
    series = report(second, admin)["accounts"]["test"]["stored_series"]
    assert len(series) >= 2


def test_counts_a_flush_could_not_write_are_written_when_the_nodes_are_back(
        two_proxies: tuple[str, str, tuple[str, str], ProcessCluster]) -> None:
    first, second, admin, cluster = two_proxies
    cluster.kill("node1")
    cluster.kill("node2")       # no quorum: neither proxy can write its counts now
    for server in (first, second):
        s3 = s3_of(server)
        try:
            for _ in range(3):
                with pytest.raises(s3.exceptions.ClientError):
                    s3.head_object(Bucket="while-down", Key="k")
        finally:
            s3.close()
    time.sleep(2.5)             # a few flushes fail meanwhile
    logs = (cluster.root / "proxy.log").read_text() + \
        (cluster.root / "proxy2.log").read_text()
    assert logs.count("could not write the transfers") >= 2
    sent = logs.count('"HEAD /while-down/k 503"')     # (boto3 tries a 503 twice)
    assert sent >= 6
    cluster.start("node1")
    cluster.start("node2")
    doc = poll(lambda: report(first, admin),
               lambda d: rows(d, "while-down").get("read", (0, 0, 0))[0] == sent, 60)
    assert rows(doc, "while-down")["read"][0] == sent, doc["accounts"]["test"]["transfer"]
