"""/metrics of a cluster of separate processes: the proxy and every node scraped over
HTTP; daemons run as their own processes show on their node's port; nodes killed with
SIGKILL show as refused node requests, handoffs, an error-limited node and, once too
few are left, quorum failures."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.launch import COMMAND, ProcessCluster, launch
from tests.metrics_scrape import data_files, eventually, labelled, samples, value

BODY = b"y" * 5000


def s3(proxy: str) -> Any:
    return boto3.client("s3", endpoint_url=proxy, aws_access_key_id="test:tester",
                        aws_secret_access_key="testing", region_name="us-east-1",
                        config=Config(retries={"total_max_attempts": 1}))


@pytest.fixture
def four(tmp_path: Path) -> Iterator[ProcessCluster]:
    """Four nodes, three replicas: every partition has a handoff."""
    c = launch(tmp_path / "cluster", nodes=4)
    try:
        yield c
    finally:
        c.stop_all()


def test_every_process_is_scraped(cluster: ProcessCluster) -> None:
    root = cluster.root
    for name in ("proxy", "node0", "node1", "node2"):
        assert '[metrics]\n' in (root / f"{name}.toml").read_text(), name
    proxy = f"http://127.0.0.1:{cluster.proxy_port}"
    nodes = [f"http://127.0.0.1:{cluster.base_port + i}" for i in range(3)]
    client = s3(proxy)
    client.create_bucket(Bucket="scraped")
    for i in range(5):
        client.put_object(Bucket="scraped", Key=f"k{i}", Body=BODY)
    found = samples(proxy)
    assert value(found, "objectstore_requests_total", api="s3",
                 operation="REST.PUT.OBJECT", status="200") == 5
    assert value(found, "objectstore_request_received_bytes_total", api="s3",
                 operation="REST.PUT.OBJECT") >= 5 * len(BODY)
    assert value(found, "objectstore_proxy_node_requests_total", method="PUT",
                 outcome="201") >= 15
    assert value(found, "process_cpu_seconds_total") > 0
    version = value(found, "objectstore_ring_version")
    assert version >= 1
    for i, node in enumerate(nodes):
        device = root / f"node{i}" / f"d{i}"

        def objects_match(node: str = node, device: Path = device, i: int = i) -> bool:
            return value(samples(node), "objectstore_device_objects",
                         device=f"d{i}") == data_files(device) >= 5
        eventually(objects_match)
        found = samples(node)
        assert value(found, "objectstore_node_requests_total", method="PUT",
                     status="201") >= 5
        assert value(found, "objectstore_ring_version") == version
        assert value(found, "process_resident_memory_bytes") > 0    # its own process
        assert value(found, "objectstore_device_free_bytes", device=f"d{i}") > 0

    # daemons as processes of their own record their passes for their node's port
    began = time.time()
    for kind in ("audit", "replicate", "update"):
        subprocess.run([*COMMAND, kind, "--once", "--config", str(root / "node1.toml")],
                       check=True, capture_output=True, timeout=120)

    def passes_seen() -> bool:
        found = samples(nodes[1])
        return all(value(found, "objectstore_daemon_last_pass_end_timestamp_seconds",
                         daemon=d) >= began for d in ("auditor", "replicator", "updater"))
    eventually(passes_seen)
    found = samples(nodes[1])
    assert value(found, "objectstore_daemon_last_pass_items", daemon="auditor") >= 5
    assert value(found, "objectstore_daemon_last_pass_bytes", daemon="auditor") >= \
        5 * len(BODY)
    assert value(found, "objectstore_daemon_last_pass_items", daemon="replicator") >= 1
    assert value(found, "objectstore_daemon_last_pass_errors", daemon="replicator") == 0
    # the other nodes ran no daemon
    assert labelled(samples(nodes[0]), "objectstore_daemon_last_pass_items") == []


def test_dead_nodes_are_counted(four: ProcessCluster) -> None:
    proxy = f"http://127.0.0.1:{four.proxy_port}"
    client = s3(proxy)
    client.create_bucket(Bucket="failing")
    before = samples(proxy)
    assert value(before, "objectstore_proxy_error_limited_nodes") == 0
    four.kill("node3")
    for i in range(12):
        client.put_object(Bucket="failing", Key=f"k{i}", Body=BODY)
    found = samples(proxy)
    refused = sum(v for (name, labels), v in found.items()
                  if name == "objectstore_proxy_node_requests_total"
                  and dict(labels)["outcome"] == "error")
    assert refused >= 1
    assert value(found, "objectstore_proxy_handoffs_total") > \
        value(before, "objectstore_proxy_handoffs_total")
    assert value(found, "objectstore_proxy_error_limited_nodes") == 1
    assert value(found, "objectstore_proxy_error_limitings_total") >= 1
    assert value(found, "objectstore_proxy_quorum_failures_total") == 0
    # with one node of four left no write can reach its quorum
    four.kill("node2")
    four.kill("node1")
    with pytest.raises(ClientError) as info:
        client.put_object(Bucket="failing", Key="lost", Body=BODY)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    found = samples(proxy)
    assert value(found, "objectstore_proxy_quorum_failures_total") >= 1
    assert value(found, "objectstore_requests_total", api="s3",
                 operation="REST.PUT.OBJECT", status="503") == 1
