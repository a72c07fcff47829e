"""One uvicorn configuration for every port we serve (proxy and nodes, `serve` and the
cluster commands): bounded request heads, our logging instead of uvicorn's (its access
log off: the request layer writes ours), no websockets."""

from __future__ import annotations

import socket
from typing import Any, Literal

import uvicorn

from objectstore.serving.head_limits import HeadLimits, LimitedHttpToolsProtocol


def uvicorn_config(app: Any, host: str, port: int, *, limits: HeadLimits | None = None,
                   lifespan: Literal["auto", "on", "off"] = "on") -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, lifespan=lifespan,
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
