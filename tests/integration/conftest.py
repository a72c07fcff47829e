"""A real `objectstore serve` process for the API tests of this directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.integration.s3_clients import client
from tests.servers import free_port, stop_gracefully, wait_healthy

# the default user, a second account for tests of who may see what, a non-admin, and a
# reseller admin (every account's owner: account quotas)
USERS = """
[[users]]
account = "test"
user = "tester"
key = "testing"

[[users]]
account = "other"
user = "someone"
key = "secret2"

[[users]]
account = "test"
user = "reader"
key = "readkey"
admin = false

[[users]]
account = "reseller"
user = "root"
key = "rootkey"
reseller_admin = true
"""


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("serve") / "data"
    config = data.parent / "users.toml"
    config.write_text(USERS)
    port = free_port()
    cmd = [sys.executable, "-m", "objectstore"]
    log = open(data.parent / "serve.log", "w")  # noqa: SIM115 -- closed at teardown
    proc = subprocess.Popen([*cmd, "serve", "--data-dir", str(data), "--port", str(port),
                             "--config", str(config)],
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(port, proc)
    except RuntimeError:
        proc.kill()
        log.close()
        raise RuntimeError(f"serve did not start: {(data.parent / 'serve.log').read_text()}") \
            from None
    try:
        yield url
    finally:
        try:
            stop_gracefully(proc)
        finally:
            log.close()
        assert proc.returncode == 0, "serve stops cleanly on SIGTERM"




@pytest.fixture
def s3(server: str) -> Iterator[Any]:
    """boto3 at its defaults, as the default user (a module may define its own)."""
    s3 = client(server)
    yield s3
    s3.close()


@pytest.fixture
def bucket(s3: Any) -> str:
    """A new bucket of the default user's."""
    name = f"b-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=name)
    return name
