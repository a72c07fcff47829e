"""A real `objectstore serve` with a config of the test's own, for tests that need users
or a shape (nodes, replicas) the session's shared server does not have."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.servers import free_port, stop_gracefully, wait_healthy


@contextmanager
def serving(root: Path, config: str, *args: str) -> Iterator[str]:
    """Run `serve` on `root`/data with `config` (TOML) and extra `args`; yields its URL.
    Stopped with SIGTERM, and it must stop cleanly."""
    (root / "config.toml").write_text(config)
    port = free_port()
    log_path = root / "serve.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "objectstore", "serve", "--data-dir", str(root / "data"),
             "--port", str(port), "--config", str(root / "config.toml"), *args],
            stdout=log, stderr=subprocess.STDOUT, text=True)
        try:
            wait_healthy(port, proc)
        except RuntimeError:
            proc.kill()
            proc.wait()
            raise RuntimeError(f"serve did not start: {log_path.read_text()}") from None
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            stop_gracefully(proc)
        assert proc.returncode == 0, f"serve stops cleanly: {log_path.read_text()}"
