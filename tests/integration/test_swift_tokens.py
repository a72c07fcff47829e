"""Swift tokens are signed with a key from the cluster secret: a restarted `serve` still
accepts the tokens it issued, and `[tempauth] token_life` sets how long they last."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from tests.integration.test_swift_api import raw
from tests.servers import free_port, stop_gracefully, wait_healthy


def start(data: Path, port: int, config: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "objectstore", "serve", "--data-dir",
                             str(data), "--port", str(port), "--config", str(config)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_healthy(port, proc)
    return proc


def login(server: str) -> tuple[str, int]:
    status, headers, _ = raw(server, "GET", "/auth/v1.0",
                             {"X-Auth-User": "test:tester", "X-Auth-Key": "testing"})
    assert status == 200
    return headers["x-auth-token"], int(headers["x-auth-token-expires"])


def test_a_token_outlives_a_restart_and_expires_on_time(tmp_path: Path) -> None:
    users = '[[users]]\naccount = "test"\nuser = "tester"\nkey = "testing"\n\n'
    config = tmp_path / "users.toml"
    config.write_text(users + "[tempauth]\ntoken_life = 600\n")
    port = free_port()
    server = f"http://127.0.0.1:{port}"
    proc = start(tmp_path / "data", port, config)
    try:
        token, left = login(server)
        assert 590 <= left <= 600
        assert raw(server, "PUT", "/v1/AUTH_test/kept", {"X-Auth-Token": token,
                                                          "Content-Length": "0"})[0] == 201
    finally:
        stop_gracefully(proc)
    # restarted, now with 4-second tokens: the old token still holds its own expiry
    config.write_text(users + "[tempauth]\ntoken_life = 4\n")
    proc = start(tmp_path / "data", port, config)
    try:
        assert raw(server, "HEAD", "/v1/AUTH_test/kept", {"X-Auth-Token": token})[0] == 204
        short, left = login(server)
        assert left <= 4
        assert raw(server, "HEAD", "/v1/AUTH_test/kept", {"X-Auth-Token": short})[0] == 204
        time.sleep(4.5)
        assert raw(server, "HEAD", "/v1/AUTH_test/kept", {"X-Auth-Token": short})[0] == 401
        assert raw(server, "HEAD", "/v1/AUTH_test/kept", {"X-Auth-Token": token})[0] == 204
    finally:
        stop_gracefully(proc)
