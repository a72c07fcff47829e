"""A real `objectstore serve` process for the API tests of this directory."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.integration.access_clients import USERS as ACCESS_USERS
from tests.integration.access_clients import client as access_client
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


class Served(NamedTuple):
    url: str
    proc: subprocess.Popen[str]


@contextmanager
def serving(data: Path, config_text: str, port: int | None = None
            ) -> Iterator[Served]:
    """`objectstore serve` on `data` with `config_text` as its config (e.g. USERS plus
    `[lifecycle] day_seconds = 2`); yields its URL and process, stops it with SIGTERM
    after (unless the test stopped it). The same `data` and `port` serve the same
    store again after a restart."""
    data.mkdir(parents=True, exist_ok=True)
    config = data.parent / f"{data.name}.toml"
    config.write_text(config_text)
    port = port or free_port()
    log_path = data.parent / f"{data.name}.log"
    log = open(log_path, "a")  # noqa: SIM115 -- closed at teardown
    proc = subprocess.Popen([sys.executable, "-m", "objectstore", "serve", "--data-dir",
                             str(data), "--port", str(port), "--config", str(config)],
                            stdout=log, stderr=subprocess.STDOUT, text=True)
    try:
        wait_healthy(port, proc)
    except RuntimeError:
        proc.kill()
        log.close()
        raise RuntimeError(f"serve did not start: {log_path.read_text()}") from None
    try:
        yield Served(f"http://127.0.0.1:{port}", proc)
    finally:
        try:
            if proc.poll() is None:
                stop_gracefully(proc)
                assert proc.returncode == 0, "serve stops cleanly on SIGTERM"
        finally:
            log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("serve") / "data", USERS) as served:
        yield served.url


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


# -- who may do what through S3 (test_s3_acls.py, test_s3_bucket_policy.py) ------------
@pytest.fixture(scope="module")
def acl_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("access") / "data", ACCESS_USERS) as served:
        yield served.url


@pytest.fixture(scope="module")
def alice(acl_server: str) -> Iterator[Any]:
    with closing(access_client(acl_server, "alice:admin", "alice-key")) as c:
        yield c


@pytest.fixture(scope="module")
def bob(acl_server: str) -> Iterator[Any]:
    with closing(access_client(acl_server, "bob:admin", "bob-key")) as c:
        yield c


@pytest.fixture(scope="module")
def clerk(acl_server: str) -> Iterator[Any]:
    with closing(access_client(acl_server, "alice:clerk", "clerk-key")) as c:
        yield c


@pytest.fixture(scope="module")
def anonymous(acl_server: str) -> Iterator[Any]:
    with closing(access_client(acl_server, None)) as c:
        yield c


