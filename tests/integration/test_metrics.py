"""/metrics of a real `objectstore serve`: scraped over HTTP after real S3 (boto3) and
Swift (swiftclient) requests, on the proxy port and on each node's port; who may read
it ([metrics] allow and token); the daemons' last passes, also of a pass run by hand."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import swiftclient

from tests.integration.s3_clients import client
from tests.integration.serving import serving
from tests.metrics_scrape import (
    data_files,
    eventually,
    labelled,
    samples,
    scrape,
    value,
)

BODY = b"x" * 4096
NODE_DAEMONS = {"replicator", "auditor", "updater"}


def node_urls(root: Path) -> list[str]:
    ports = json.loads((root / "data" / "serve.json").read_text())["node_ports"]
    return [f"http://127.0.0.1:{p}" for p in ports]


def swift(url: str) -> swiftclient.Connection:
    return swiftclient.Connection(authurl=f"{url}/auth/v1.0", user="test:tester",
                                  key="testing", retries=0)


def test_requests_nodes_and_daemons_are_counted(tmp_path: Path) -> None:
    with serving(tmp_path, "") as url:
        before = samples(url)
        s3 = client(url)
        s3.create_bucket(Bucket="counted")
        s3.put_object(Bucket="counted", Key="k", Body=BODY)
        conn = swift(url)
        assert conn.get_object("counted", "k")[1] == BODY
        conn.close()
        after = samples(url)

        put = {"api": "s3", "operation": "REST.PUT.OBJECT"}
        get = {"api": "swift", "operation": "GET object"}
        assert value(after, "objectstore_requests_total", **put, status="200") == \
            value(before, "objectstore_requests_total", **put, status="200") + 1
        assert value(after, "objectstore_requests_total", **get, status="200") == \
            value(before, "objectstore_requests_total", **get, status="200") + 1
        assert value(after, "objectstore_requests_total", api="s3",
                     operation="REST.PUT.BUCKET", status="200") == 1
        # the histogram: every bucket, cumulative, +Inf is the count
        buckets = {labels["le"]: after[("objectstore_request_duration_seconds_bucket",
                                        frozenset(labels.items()))]
                   for labels in labelled(after, "objectstore_request_duration_seconds_bucket")
                   if labels["api"] == "swift" and labels["operation"] == "GET object"}
        assert {"0.001", "0.1", "1.0", "+Inf"} <= set(buckets)
        assert buckets["+Inf"] == value(after, "objectstore_request_duration_seconds_count",
                                        **get) == 1
        ordered = sorted(buckets.items(), key=lambda kv: float(kv[0]))
        assert [v for _, v in ordered] == sorted(v for _, v in ordered)
        assert value(after, "objectstore_request_duration_seconds_sum", **get) > 0
        # bytes: the object's body came in through S3 and went out through Swift
        assert value(after, "objectstore_request_received_bytes_total", **put) >= 4096
        assert value(after, "objectstore_request_sent_bytes_total", **get) == 4096
        # what the proxy asked of the nodes: the PUT went to all three replicas
        assert value(after, "objectstore_proxy_node_requests_total", method="PUT",
                     outcome="201") >= value(before, "objectstore_proxy_node_requests_total",
                                             method="PUT", outcome="201") + 3
        assert value(after, "objectstore_ring_version") >= 1
        assert value(after, "objectstore_ring_replicas") == 3
        assert value(after, "objectstore_proxy_error_limited_nodes") == 0
        assert value(after, "objectstore_proxy_quorum_failures_total") == 0
        assert value(after, "objectstore_requests_total", api="metrics",
                     operation="scrape", status="200") >= 1

        for i, node in enumerate(node_urls(tmp_path)):
            device = tmp_path / "data" / f"node{i}" / f"d{i}"

            def figures_match(node: str = node, device: Path = device, i: int = i) -> bool:
                found = samples(node)
                return value(found, "objectstore_device_objects", device=f"d{i}") == \
                    data_files(device) >= 1 and \
                    value(found, "objectstore_device_free_bytes", device=f"d{i}") > 0
            eventually(figures_match)
            found = samples(node)
            assert value(found, "objectstore_device_size_bytes", device=f"d{i}") >= \
                value(found, "objectstore_device_used_bytes", device=f"d{i}") > 0
            assert value(found, "objectstore_device_quarantined_files", device=f"d{i}") == 0
            assert ("objectstore_device_async_pendings",
                    frozenset({("device", f"d{i}")})) in found
            assert value(found, "objectstore_node_requests_total", method="PUT",
                         status="201") >= 1
            assert value(found, "objectstore_ring_version") >= 1
            # the node's daemons ran their first passes at start (and serve's one
            # expirer and lifecycle worker record theirs with node 0)
            want = NODE_DAEMONS | ({"expirer", "lifecycle"} if i == 0 else set())

            def passes_seen(node: str = node, want: set[str] = want) -> bool:
                found = samples(node)
                return want <= {labels["daemon"] for labels in labelled(
                    found, "objectstore_daemon_last_pass_end_timestamp_seconds")}
            eventually(passes_seen)
            for daemon in want:
                assert 0 < value(samples(node),
                                 "objectstore_daemon_last_pass_end_timestamp_seconds",
                                 daemon=daemon) <= time.time()


def test_head_and_other_methods(tmp_path: Path) -> None:
    with serving(tmp_path, "") as url:
        status, body, headers = scrape(url, method="HEAD")
        assert status == 200 and body == ""
        assert headers["content-type"].startswith("text/plain; version=")
        status, body, headers = scrape(url, method="POST")
        assert status == 405 and "GET or HEAD" in body and headers["allow"] == "GET, HEAD"
        node = node_urls(tmp_path)[0]
        assert scrape(node, method="DELETE")[0] == 405
        assert scrape(node)[0] == 200


TOKEN_ONLY = '[metrics]\nallow = []\ntoken = "scrape-me-9d2f"\n'


def test_allow_nothing_but_the_token(tmp_path: Path) -> None:
    with serving(tmp_path, TOKEN_ONLY) as url:
        for base in (url, *node_urls(tmp_path)):
            status, body, _ = scrape(base)
            assert status == 403 and "[metrics] allow" in body and "token" in body
            status, body, _ = scrape(base, {"Authorization": "Bearer wrong"})
            assert (status, body) == (403, "wrong metrics token\n")
            status, body, _ = scrape(base, {"Authorization": "Basic c2NyYXBlOm1l"})
            assert status == 403 and "Bearer" in body
            status, body, _ = scrape(base, {"Authorization": "Bearer scrape-me-9d2f"})
            assert status == 200 and "# TYPE objectstore_ring_version gauge" in body
        # a signed request to /metrics is S3's: a bucket may be named so
        s3 = client(url)
        s3.create_bucket(Bucket="metrics")
        s3.put_object(Bucket="metrics", Key="m", Body=b"mine")
        assert s3.get_object(Bucket="metrics", Key="m")["Body"].read() == b"mine"
        assert [o["Key"] for o in s3.list_objects_v2(Bucket="metrics")["Contents"]] == ["m"]
        # and the refusals were counted
        _, body, _ = scrape(url, {"Authorization": "Bearer scrape-me-9d2f"})
        assert 'objectstore_requests_total{api="metrics",operation="scrape",status="403"}' \
            in body


def test_a_bad_metrics_table_stops_serve(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('[metrics]\nallow = ["not-a-range"]\n')
    done = subprocess.run([sys.executable, "-m", "objectstore", "serve", "--data-dir",
                           str(tmp_path / "data"), "--port", "0", "--config",
                           str(tmp_path / "bad.toml")], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0
    assert "'not-a-range' is not an address range" in done.stderr


@pytest.mark.parametrize("kind", ["audit", "replicate"])
def test_a_pass_run_by_hand_shows_on_the_node(tmp_path: Path, kind: str) -> None:
    with serving(tmp_path, "") as url:
        s3 = client(url)
        s3.create_bucket(Bucket="audited")
        s3.put_object(Bucket="audited", Key="k", Body=BODY)
        data = tmp_path / "data"
        layout = json.loads((data / "serve.json").read_text())
        (tmp_path / "node0.toml").write_text(
            f'[node]\nhost = "127.0.0.1"\nport = {layout["node_ports"][0]}\n'
            f'devices = "{data / "node0"}"\nring = "{data / "object.ring"}"\n\n'
            f'[cluster]\nsecret = "{layout["secret"]}"\n'
            f'hash_prefix = "{layout["hash_prefix"]}"\n')
        began = time.time()
        done = subprocess.run([sys.executable, "-m", "objectstore", kind, "--once",
                               "--config", str(tmp_path / "node0.toml")],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        daemon = {"audit": "auditor", "replicate": "replicator"}[kind]
        node = node_urls(tmp_path)[0]

        def recorded() -> bool:
            return value(samples(node), "objectstore_daemon_last_pass_end_timestamp_seconds",
                         daemon=daemon) >= began
        eventually(recorded)
        found = samples(node)
        assert value(found, "objectstore_daemon_last_pass_items", daemon=daemon) >= 1
        assert value(found, "objectstore_daemon_last_pass_errors", daemon=daemon) == 0
        assert value(found, "objectstore_daemon_last_pass_duration_seconds",
                     daemon=daemon) >= 0
        if kind == "audit":     # every object file of the device was read
            assert value(found, "objectstore_daemon_last_pass_bytes", daemon=daemon) >= 4096
        record = json.loads((data / "node0" / f"{daemon}.pass.json").read_text())
        assert record["daemon"] == daemon and record["items"] >= 1
