"""The storage node as one ASGI app: check the cluster secret, parse the path once,
dispatch to the object or database half, map errors to statuses in one place
(the mapping itself is node/wire.py's, shared with the proxy)."""

from __future__ import annotations

import asyncio
import errno
import logging
import sqlite3

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from objectstore import errors
from objectstore.node import (
    auth,
    db_replication_server,
    paths,
    replication_server,
    ring_server,
    status_server,
    wire,
)
from objectstore.node.client import NodeClient
from objectstore.node.config import NodeConfig
from objectstore.node.db_server import DBServer
from objectstore.node.dbconnections import Connections
from objectstore.node.diskfile import clear_tmp
from objectstore.node.object_server import ObjectServer
from objectstore.node.replay import RecentSignatures
from objectstore.node.request import parse_target
from objectstore.node.stats_reporter import StatsReporter

log = logging.getLogger(__name__)

def device_full(exc: sqlite3.Error | OSError) -> bool:
    """A full disk, as SQLite (databases, their journals) or the OS says it."""
    if isinstance(exc, sqlite3.Error):
        return getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)


class NodeApp:
    def __init__(self, config: NodeConfig, client: NodeClient | None = None) -> None:
        """`client` is for talking to other nodes; `serve` passes its in-process one."""
        self.config = config
        self.client = client or NodeClient(config.secret, config.connect_timeout,
                                           config.read_timeout)
        self.objects = ObjectServer(config, self.client)
        self.reporter = StatsReporter(self.client)
        self.connections = Connections()
        self.dbs = DBServer(config, self.reporter, self.connections)
        self.replication = replication_server.ReplicationServer(config)
        self.rings = ring_server.RingServer(config)
        self.status = status_server.StatusServer(config, self.rings.held)
        self.db_replication = db_replication_server.DBReplicationServer(
            config, self.reporter, self.connections)
        self.signatures = RecentSignatures()       # each accepted once (replay)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self.respond(request, scope.get("raw_path") or b"/",
                                      scope.get("query_string") or b"")
        await response(scope, receive, send)

    async def respond(self, request: Request, raw_path: bytes, query: bytes) -> Response:
        """Answer one request; every error becomes its status (wire.status_for) and its
        message, here and nowhere else."""
        try:
            return await self._dispatch(request, raw_path, query)
        except errors.ObjectStoreError as exc:
            # refused before its body was read: the rest of the body must not be taken
            # for the next request on the connection, so the connection ends here
            close = {"connection": "close"} if _has_body(request) else None
            return Response(f"{exc}\n".encode(), status_code=wire.status_for(exc),
                            headers=close)
        except ClientDisconnect:          # the proxy aborted an upload: nothing was kept
            return Response(b"", status_code=499)

    async def _dispatch(self, request: Request, raw_path: bytes, query: bytes) -> Response:
        path = raw_path.decode("latin-1")
        if path == "/healthcheck":
            return Response(b"OK", media_type="text/plain")
        signed = path + ("?" + query.decode("latin-1") if query else "")
        proof = auth.verify(self.config.secret, request.method, signed,
                            request.scope["headers"])
        if proof is None:
            raise errors.Unauthorized("node requests need the cluster secret")
        if not self.signatures.first_time(proof):
            raise errors.Unauthorized("this signature was used before (a replay?)")
        try:
            if path == ring_server.PATH:
                return await self.rings.handle(request)
            if path == status_server.PATH:
                return await self.status.handle(request)
            if path.startswith(db_replication_server.PREFIX):
                return await self.db_replication.handle(request, path)
            if path.startswith(replication_server.PREFIX):
                return await self.replication.handle(request, path)
            target = parse_target(raw_path)
            if target.kind == paths.OBJECTS:
                return await self.objects.handle(request, target)
            return await self.dbs.handle(request, target)
        except (sqlite3.Error, OSError) as exc:
            if not device_full(exc):
                raise
            # as for object writes: the proxy takes the write to a handoff
            raise errors.InsufficientStorage(f"device is full: {exc}") from exc

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                removed = await asyncio.to_thread(clear_tmp, self.config.devices)
                if removed:
                    log.info("removed %d temporary files of interrupted writes", removed)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.reporter.close()
                await self.client.close()
                self.connections.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def _has_body(request: Request) -> bool:
    headers = request.headers
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers
