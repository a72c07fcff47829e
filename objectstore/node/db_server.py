"""The container and account half of a storage node, over ListingDB replicas.

    PUT    /containers/dev/part/a/c        create (or revive) a container replica
    PUT    /containers/dev/part/a/c/o      an object row (X-Size, X-Etag, X-Content-Type)
    DELETE /containers/dev/part/a/c/o      an object row's tombstone
    GET    /containers/dev/part/a/c        listing (JSON), stats and metadata in headers
    HEAD / POST / DELETE the container itself; the same shapes for /accounts/.../a[/c]
    (an account's rows are its containers: X-Object-Count, X-Bytes-Used).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectstore.errors import BadRequest, NotFound
from objectstore.node import paths, wire
from objectstore.node.config import NodeConfig
from objectstore.node.dbconnections import Connections
from objectstore.node.listing import ListingParams, Subdir
from objectstore.node.listingdb import Info, Item, ListingDB
from objectstore.node.object_server import request_timestamp
from objectstore.node.request import NodeTarget
from objectstore.node.stats_reporter import StatsReporter, report_spec
from objectstore.node.update_batcher import ROWS_HEADER
from objectstore.timestamps import Timestamp

MAX_ROWS_BODY = 4 * 1024 * 1024


def listing_params(request: Request) -> ListingParams:
    q = request.query_params
    try:
        limit = int(q.get("limit", "10000"))
    except ValueError:
        raise BadRequest("limit must be a number") from None
    params = ListingParams(prefix=q.get("prefix", ""), delimiter=q.get("delimiter", ""),
                           marker=q.get("marker", ""), end_marker=q.get("end_marker", ""),
                           limit=limit, reverse=q.get("reverse", "") in ("1", "true", "on"))
    return params.under(q["path"]) if "path" in q else params


def info_headers(info: Info) -> dict[str, str]:
    headers = {"x-put-timestamp": info.put_timestamp.internal,
               "x-item-count": str(info.item_count), "x-bytes-used": str(info.bytes_used),
               wire.BACKEND_TIMESTAMP: info.put_timestamp.internal}
    if info.delete_timestamp is not None:
        headers["x-backend-delete-timestamp"] = info.delete_timestamp.internal
    headers.update({k: v for k, (v, _) in info.metadata.items() if v})
    stamps = [info.put_timestamp, *(Timestamp.parse(t) for _, t in info.metadata.values())]
    headers[wire.METADATA_TIMESTAMP] = max(stamps).internal
    return headers


def _entry(item: Item | Subdir) -> dict[str, Any]:
    if isinstance(item, Subdir):
        return {"subdir": item.name}
    return {"name": item.name, "timestamp": item.timestamp.internal, "bytes": item.size,
            "content_type": item.content_type, "hash": item.etag, "count": item.count}


class DBServer:
    def __init__(self, config: NodeConfig, reporter: StatsReporter,
                 connections: Connections | None = None) -> None:
        self.config = config
        self.hasher = config.hasher()
        self.reporter = reporter
        self.connections = connections

    def db(self, t: NodeTarget) -> ListingDB:
        if t.kind == paths.CONTAINERS:
            digest = self.hasher.digest(t.account, t.container)
        else:
            digest = self.hasher.digest(t.account)
        return ListingDB(paths.db_path(self.config.devices, t.device, t.kind, t.partition,
                                       digest.hex()), self.connections)

    async def handle(self, request: Request, t: NodeTarget) -> Response:
        row_level = (t.obj is not None) if t.kind == paths.CONTAINERS else (
            t.container is not None)
        db = self.db(t)
        if row_level:
            return await self.row(request, t, db)
        method = request.method
        if method == "POST" and ROWS_HEADER in request.headers and t.kind == paths.CONTAINERS:
            return await self.rows(request, t, db)
        if method == "PUT":
            targets = [x for x in request.headers.get(wire.ACCOUNT_UPDATE, "").split(",") if x]
            report = report_spec(int(request.headers.get(wire.ACCOUNT_PARTITION, "0")),
                                 targets) if targets else ""
            created = await asyncio.to_thread(db.initialize, t.name, request_timestamp(request),
                                              report)
            fixed = {k: v for k, v in request.headers.items() if k == wire.POLICY_SYSMETA}
            if created and fixed:     # a container's storage policy: set when it is made
                await asyncio.to_thread(db.update_metadata, fixed, request_timestamp(request))
            if not created:          # its account row (put anew by the proxy) gets the counts
                self._changed(db, t)
            return Response(status_code=201 if created else 202)
        info = await self._live_info(db)
        if method in ("GET", "HEAD"):
            headers = info_headers(info)
            if t.kind == paths.ACCOUNTS:
                totals = await asyncio.to_thread(db.policy_totals)
                headers["x-object-count"] = str(sum(t[1] for t in totals.values()))
                for index, (containers, objects, size) in sorted(totals.items()):
                    headers[wire.policy_stat(index, "container-count")] = str(containers)
                    headers[wire.policy_stat(index, "object-count")] = str(objects)
                    headers[wire.policy_stat(index, "bytes-used")] = str(size)
            if method == "HEAD":
                return Response(status_code=204, headers=headers)
            items = await asyncio.to_thread(db.list_items, listing_params(request))
            body = json.dumps([_entry(i) for i in items]).encode()
            return Response(body, status_code=200, headers=headers,
                            media_type="application/json")
        if method == "POST":
            changes = {k: v for k, v in request.headers.items()
                       if k.startswith(("x-container-meta-", "x-account-meta-",
                                         "x-container-sysmeta-", "x-account-sysmeta-"))}
            await asyncio.to_thread(db.update_metadata, changes, request_timestamp(request))
            return Response(status_code=204)
        if method == "DELETE":
            await asyncio.to_thread(db.mark_deleted, request_timestamp(request),
                                    t.kind == paths.CONTAINERS)
            return Response(status_code=204)
        return Response(status_code=405)

    async def _live_info(self, db: ListingDB) -> Info:
        info = await asyncio.to_thread(db.info)      # NotFound if never created
        if info.deleted:
            raise NotFound("deleted")
        return info

    def _changed(self, db: ListingDB, t: NodeTarget) -> None:
        if t.kind == paths.CONTAINERS and t.container is not None:
            self.reporter.changed(db, t.account, t.container)

    async def rows(self, request: Request, t: NodeTarget, db: ListingDB) -> Response:
        """A batch of object rows from one object node (update_batcher), merged in one
        transaction."""
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_ROWS_BODY:
                raise BadRequest("too many rows in one batch")
        try:
            rows = json.loads(body)
            if not isinstance(rows, list):
                raise TypeError("not a list")
            items = [(Item(str(name), Timestamp.parse(ts), int(size), str(ctype), str(etag)),
                      bool(deleted))
                     for name, ts, size, ctype, etag, deleted in rows]
        except (ValueError, TypeError, RecursionError):
            raise BadRequest("rows must be [name, timestamp, size, type, etag, deleted]"
                             ) from None
        if any(not item.name for item, _ in items):
            raise BadRequest("empty object name")
        if not db.exists():
            return Response(status_code=404)
        await asyncio.to_thread(db.merge_items, items)
        self._changed(db, t)
        return Response(status_code=204)

    async def row(self, request: Request, t: NodeTarget, db: ListingDB) -> Response:
        name = t.obj if t.kind == paths.CONTAINERS else t.container
        assert name is not None
        timestamp = request_timestamp(request)
        if not db.exists():
            return Response(status_code=404)
        h = request.headers
        if request.method == "PUT":
            try:
                item = Item(name, timestamp, int(h.get("x-size", h.get("x-bytes-used", "0"))),
                            h.get("x-content-type", ""), h.get("x-etag", ""),
                            int(h.get("x-object-count", "0")))
            except ValueError:
                raise BadRequest("sizes and counts must be numbers") from None
            # a container's stats report may repeat its timestamp with new counts
            await asyncio.to_thread(db.put_item, item, "x-stats-report" in h)
            self._changed(db, t)
            return Response(status_code=201)
        if request.method == "DELETE":
            await asyncio.to_thread(db.delete_item, name, timestamp)
            self._changed(db, t)
            return Response(status_code=204)
        return Response(status_code=405)
