"""Real servers on real sockets for tests: uvicorn in a thread, waited on."""

from __future__ import annotations

import asyncio
import http.client
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

import uvicorn

from objectstore.serving.servers import uvicorn_config


class ServerThread:
    """One app served on 127.0.0.1; stop() and start() again keep the same port."""

    def __init__(self, app: Any, port: int = 0, lifespan: Literal["on", "off"] = "on") -> None:
        self.app = app
        self.port = port
        self.lifespan: Literal["on", "off"] = lifespan
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ServerThread:
        # as the servers run: bounded request heads, our logging
        server = uvicorn.Server(uvicorn_config(self.app, "127.0.0.1", self.port,
                                               lifespan=self.lifespan))
        thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.01)
        self.port = server.servers[0].sockets[0].getsockname()[1]
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = self._thread = None


@contextmanager
def running(app: Any) -> Iterator[int]:
    """Serve `app` on 127.0.0.1 and a free port; yields the port."""
    server = ServerThread(app).start()
    try:
        yield server.port
    finally:
        server.stop()


def wait_healthy(port: int, proc: subprocess.Popen[bytes] | subprocess.Popen[str],
                 timeout: float = 30) -> None:
    """Poll GET /healthcheck on 127.0.0.1:port until 200; fail if the process exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            conn.request("GET", "/healthcheck")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.1)
    raise RuntimeError(f"nothing healthy on port {port}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def stop_gracefully(proc: subprocess.Popen[Any], timeout: float = 15.0,
                    strict: bool = True) -> int | None:
    """SIGTERM, then wait; a process that does not stop in time is killed (and, when
    `strict`, that is an error: servers must stop cleanly). Returns its exit status."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        if strict:
            raise
        return None
