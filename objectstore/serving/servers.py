"""One uvicorn configuration for every port we serve (proxy and nodes, `serve` and the
cluster commands): bounded request heads, our logging instead of uvicorn's (its access
log off: the request layer writes ours), no websockets."""

from __future__ import annotations

import socket
from typing import Any, Literal

import uvicorn

from objectstore.serving.head_limits import HeadLimits, LimitedHttpToolsProtocol

# How long a node port keeps an idle connection: longer than its peers' pools keep
# theirs (node/client.py POOL_KEEPALIVE, 60 s; a test holds the two apart), so it is
# always the client that closes an idle one. With uvicorn's 5 s a node could close a
# pooled connection just as the client sent a request on it: a healthy node's answer
# lost, its slot given to another node -- an error-limited one, if none was left.
NODE_KEEP_ALIVE = 75
CLIENT_KEEP_ALIVE = 5           # the client port: uvicorn's default


def uvicorn_config(app: Any, host: str, port: int, *, limits: HeadLimits | None = None,
                   lifespan: Literal["auto", "on", "off"] = "on",
                   keep_alive: int = CLIENT_KEEP_ALIVE) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, lifespan=lifespan,
                          timeout_keep_alive=keep_alive,
                          http=LimitedHttpToolsProtocol.with_limits(limits or HeadLimits()),
                          ws="none", access_log=False, log_config=None,
                          log_level="warning")


class ListenError(Exception):
    """A port we cannot listen on (in use, not ours to bind): one line, not a traceback."""


def listen(host: str, port: int) -> socket.socket:
    """Bind the port before the server starts, so that a port in use is a clear error
    (uvicorn would exit from inside the event loop, amid pending tasks' tracebacks)."""
    try:
        family = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM,
                                    flags=socket.AI_PASSIVE)[0][0]
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        raise ListenError(f"cannot listen on {host}:{port}: "
                          f"{exc.strerror or exc}") from None
