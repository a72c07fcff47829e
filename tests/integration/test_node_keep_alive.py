"""A node port keeps an idle keep-alive connection longer than its peers' pools keep
theirs, so the client side always closes first (a node closing one as a request went
out on it lost that request). Real sockets, uvicorn as the node commands start it."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from typing import Any

import uvicorn

from objectstore.node.client import POOL_KEEPALIVE
from objectstore.serving.servers import NODE_KEEP_ALIVE, uvicorn_config

IDLE = 6.0          # past uvicorn's default of 5 s


async def ok(scope: dict[str, Any], receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"2")]})
    await send({"type": "http.response.body", "body": b"ok"})


def test_nodes_outlast_the_pools() -> None:
    assert NODE_KEEP_ALIVE > POOL_KEEPALIVE


def test_an_idle_connection_to_a_node_port_stays_open() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(ok, "127.0.0.1", port, lifespan="off",
                                           keep_alive=NODE_KEEP_ALIVE))
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            for _ in range(2):
                conn.sendall(b"GET / HTTP/1.1\r\nhost: n\r\n\r\n")
                answer = b""
                while not answer.endswith(b"ok"):
                    chunk = conn.recv(4096)
                    assert chunk, "the node closed an idle connection"
                    answer += chunk
                assert answer.startswith(b"HTTP/1.1 200")
                time.sleep(IDLE)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
