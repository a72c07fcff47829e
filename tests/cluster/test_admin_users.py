"""The admin API over a cluster of processes with two proxies: a user made, disabled or
given a new key through one proxy holds on the other within its reload time, with no
restart (users are kept in the cluster); `objectstore status` sees a node go down."""

from __future__ import annotations

import json
import subprocess
import time
import tomllib
import urllib.error
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.integration.admin_client import signed_by, swift_token
from tests.launch import COMMAND, ProcessCluster, launch
from tests.servers import free_port, wait_healthy

RELOAD = 5.0            # admin/users.py RELOAD_SECONDS


@pytest.fixture
def two_proxies(tmp_path: Path) -> Iterator[tuple[ProcessCluster, str, str, tuple[str, str]]]:
    cluster = launch(tmp_path / "cluster")
    try:
        root = cluster.root
        config = tomllib.loads((root / "proxy.toml").read_text())
        admin = next(u for u in config["users"] if u.get("reseller_admin"))
        port = free_port()
        text = (root / "proxy.toml").read_text().replace(
            f"port = {cluster.proxy_port}", f"port = {port}", 1)
        (root / "proxy2.toml").write_text(text)
        log = open(root / "proxy2.log", "ab")  # noqa: SIM115 -- kept by the process
        proc = subprocess.Popen([*COMMAND, "proxy", "--config", str(root / "proxy2.toml")],
                                stdout=log, stderr=subprocess.STDOUT)
        log.close()
        cluster.procs["proxy2"] = proc
        wait_healthy(port, proc)
        yield (cluster, f"http://127.0.0.1:{cluster.proxy_port}", f"http://127.0.0.1:{port}",
               (f"{admin['account']}:{admin['user']}", admin["key"]))
    finally:
        cluster.stop_all()


def logs_in(server: str, user: str, key: str) -> bool:
    try:
        swift_token(server, user, key)
        return True
    except urllib.error.HTTPError as exc:
        exc.close()
        assert exc.code == 401
        return False


def within(seconds: float, check: Callable[[], bool]) -> float:
    """How long until `check()` held (AssertionError if not within `seconds`)."""
    start = time.monotonic()
    while not check():
        if time.monotonic() - start > seconds:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(0.2)
    return time.monotonic() - start


def test_a_change_through_one_proxy_holds_on_the_other(
        two_proxies: tuple[ProcessCluster, str, str, tuple[str, str]]) -> None:
    _, first, second, admin = two_proxies
    assert logs_in(second, "acme:ann", "annsecret1") is False   # before: unknown there
    status, made = signed_by(first, "POST", "/_admin/v1/users", *admin,
                             {"account": "acme", "user": "ann", "key": "annsecret1"})
    assert status == 201, made
    within(RELOAD + 5, lambda: logs_in(second, "acme:ann", "annsecret1"))
    status, _ = signed_by(second, "PATCH", "/_admin/v1/users/acme/ann", *admin,
                          {"disabled": True})
    assert status == 200
    assert not logs_in(second, "acme:ann", "annsecret1")        # at once where it was made
    within(RELOAD + 5, lambda: not logs_in(first, "acme:ann", "annsecret1"))
    listed = signed_by(first, "GET", "/_admin/v1/users/acme/ann", *admin)[1]
    assert listed["disabled"]


def test_status_through_a_proxy_and_from_the_config(
        two_proxies: tuple[ProcessCluster, str, str, tuple[str, str]]) -> None:
    cluster, first, _, (user, key) = two_proxies
    by_api = subprocess.run([*COMMAND, "status", "--json", "--url", first, "--user", user,
                             "--key", key], capture_output=True, text=True, timeout=60)
    assert by_api.returncode == 0, by_api.stderr
    doc = json.loads(by_api.stdout)
    assert doc["down"] == 0 and len(doc["nodes"]) == 3 and doc["moving"] == 0
    cluster.kill("node1")
    direct = subprocess.run([*COMMAND, "status", "--config", str(cluster.root / "proxy.toml")],
                            capture_output=True, text=True, timeout=60)
    assert direct.returncode == 1 and "UNREACHABLE" in direct.stdout
    by_api = subprocess.run([*COMMAND, "status", "--json", "--url", first, "--user", user,
                             "--key", key], capture_output=True, text=True, timeout=60)
    assert by_api.returncode == 1 and json.loads(by_api.stdout)["down"] == 1
