"""`objectstore users|quota|status` against a real `serve`: the admin API from a shell."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from tests.integration.conftest import USERS, serving


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("admin-cli") / "data", USERS) as served:
        yield served.url


def cli(store: str, *args: str, user: str = "reseller:root", key: str = "rootkey"
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "objectstore", *args, "--url", store,
                           "--user", user, "--key", key],
                          capture_output=True, text=True, timeout=60)


def test_users_from_the_command_line(store: str) -> None:
    made = cli(store, "users", "create", "clia", "bob", "--secret", "bobsecret1")
    assert made.returncode == 0, made.stderr
    assert "secret key: bobsecret1" in made.stdout
    s3 = boto3.client("s3", endpoint_url=store, aws_access_key_id="clia:bob",
                      aws_secret_access_key="bobsecret1", region_name="us-east-1")
    s3.create_bucket(Bucket="clia-bucket")
    listed = cli(store, "users", "list", "--json")
    assert {"account": "clia", "user": "bob", "disabled": False}.items() <= next(
        u for u in json.loads(listed.stdout) if u["user"] == "bob").items()
    table = cli(store, "users", "list").stdout
    assert "clia:bob" in table and "reseller:root" in table and "bobsecret1" not in table
    assert "DISABLED" in cli(store, "users", "disable", "clia", "bob").stdout
    with pytest.raises(ClientError):
        s3.list_buckets()
    cli(store, "users", "enable", "clia", "bob")
    rotated = cli(store, "users", "rotate", "clia", "bob").stdout
    new_key = rotated.split("new secret key: ")[1].strip()
    s3 = boto3.client("s3", endpoint_url=store, aws_access_key_id="clia:bob",
                      aws_secret_access_key=new_key, region_name="us-east-1")
    assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["clia-bucket"]
    assert cli(store, "users", "delete", "clia", "bob").returncode == 0
    again = cli(store, "users", "delete", "clia", "bob")
    assert again.returncode == 1 and "404" in again.stderr and "Traceback" not in again.stderr


def test_a_non_reseller_is_told_no_in_one_line(store: str) -> None:
    refused = cli(store, "users", "list", user="test:tester", key="testing")
    assert refused.returncode == 1 and "403" in refused.stderr
    assert "Traceback" not in refused.stderr
    bad = cli(store, "status", user="test:tester", key="wrong")
    assert bad.returncode == 1 and "cannot log in" in bad.stderr


def test_quota_from_the_command_line(store: str) -> None:
    shown = cli(store, "quota", "test", "--bytes", "5000")
    assert shown.returncode == 0, shown.stderr
    assert "quota: 5,000" in shown.stdout
    assert "no limit" in cli(store, "quota", "test", "--bytes", "none").stdout
    assert cli(store, "quota", "test", "--objects", "many").returncode == 2


def test_status_of_serve_through_the_proxy(store: str) -> None:
    out = cli(store, "status")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len([line for line in lines if "127.0.0.1:" in line]) >= 3
    assert "on every node" in lines[-1]
    doc = json.loads(cli(store, "status", "--json").stdout)
    assert doc["down"] == 0 and len(doc["nodes"]) == 3
    # serve's daemons pass at once: each node's auditor, replicator and updater show
    deadline = time.monotonic() + 60
    while {n for n, p in doc["passes"].items() if p["nodes"] == 3} < \
            {"auditor", "replicator", "updater"}:
        assert time.monotonic() < deadline, doc["passes"]
        time.sleep(1)
        doc = json.loads(cli(store, "status", "--json").stdout)
    for node in doc["nodes"]:
        auditor = node["passes"]["auditor"]
        assert auditor["errors"] == 0 and 0 <= auditor["age"] < 120
    assert any(line.startswith("auditor: last pass on 3 node(s)")
               for line in cli(store, "status").stdout.splitlines())


def test_serve_without_a_config_has_a_reseller_admin(tmp_path: Path) -> None:
    """The default user of a bare `serve` may read the status, as `objectstore status`
    with no options asks (its defaults are serve's)."""
    with serving(tmp_path / "data", "") as served:
        out = subprocess.run([sys.executable, "-m", "objectstore", "status", "--url",
                              served.url], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
