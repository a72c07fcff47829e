"""The node API for replicating container and account databases (another node's
replicator, with the cluster secret):

    GET  /replication-db/<kind>/<device>/<partition>/<hash>?remote=<db id>
         {"point": the last of that replica's rows merged here (0: none)}
    POST /replication-db/<kind>/<device>/<partition>/<hash>
         {"state": {...}, "rows": [[rowid, name, ...], ...], "point": n}: merge them
         (the database is created if this replica has none), remember the point

Rows merge by timestamp like any write, so pushes may repeat or cross in any order.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectstore.errors import BadRequest
from objectstore.node import paths
from objectstore.node.config import NodeConfig
from objectstore.node.dbconnections import Connections
from objectstore.node.listingdb import ListingDB, Replica
from objectstore.node.stats_reporter import StatsReporter

PREFIX = "/replication-db/"
_HASH = re.compile(r"^[0-9a-f]{32}$")
MAX_BODY = 16 * 1024 * 1024


class DBReplicationServer:
    def __init__(self, config: NodeConfig, reporter: StatsReporter,
                 connections: Connections | None = None) -> None:
        self.config = config
        self.reporter = reporter
        self.connections = connections

    async def handle(self, request: Request, path: str) -> Response:
        parts = path[len(PREFIX):].split("/")
        if len(parts) != 4 or parts[0] not in (paths.CONTAINERS, paths.ACCOUNTS) \
                or not parts[2].isdigit() or not _HASH.match(parts[3]):
            raise BadRequest("expected /replication-db/<kind>/<device>/<partition>/<hash>")
        kind, device, partition, name_hash = parts[0], parts[1], int(parts[2]), parts[3]
        if not (self.config.devices / paths.checked_device(device)).is_dir():
            return Response(b"no such device\n", status_code=507)
        replica = Replica(ListingDB(paths.db_path(self.config.devices, device, kind,
                                                  partition, name_hash), self.connections))
        if request.method == "GET":
            point = await asyncio.to_thread(replica.incoming_point,
                                            request.query_params.get("remote", ""))
            return Response(json.dumps({"point": point}).encode(),
                            media_type="application/json")
        if request.method != "POST":
            return Response(status_code=405)
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_BODY:
                raise BadRequest("replication batch too large")
        try:
            doc: dict[str, Any] = json.loads(body)
            state, rows, point = dict(doc["state"]), list(doc["rows"]), int(doc["point"])
            await asyncio.to_thread(replica.merge, state, rows, point)
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            raise BadRequest(f"bad replication batch: {exc!r}") from None
        if kind == paths.CONTAINERS and rows:
            _, account, container = str(state["name"]).split("/", 2)   # "/a/c"
            self.reporter.changed(replica.db, account, container)
        return Response(status_code=204)
