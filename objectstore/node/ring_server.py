"""The node's copy of the ring, over the node API.

    HEAD /ring   which ring the node holds: X-Ring-Version, X-Ring-Checksum
    GET  /ring   the ring file itself (a proxy fetches a newer ring this way)
    PUT  /ring   install a ring file (what `objectstore ring push` sends): 201 if it
                 is newer than the one held, 200 if it is that one already, 409 if it
                 is older or another ring of the same version, 422 if it is damaged

The node's daemons read the same file and pick a new one up within a second, as the
node's own ring users do; nothing restarts.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from objectstore.errors import BadRequest
from objectstore.node.config import NodeConfig
from objectstore.ring.errors import RingError
from objectstore.ring.files import RingFile, ring_from_bytes, write_atomic
from objectstore.ring.ringdata import RingData

log = logging.getLogger(__name__)

PATH = "/ring"
MAX_RING_BYTES = 256 << 20      # part power 20 with 5 replicas fits many times over


def ring_headers(ring: RingData) -> dict[str, str]:
    return {"x-ring-version": str(ring.version), "x-ring-checksum": ring.checksum}


class RingServer:
    def __init__(self, config: NodeConfig) -> None:
        self.path: Path | None = config.ring
        self._lock = asyncio.Lock()         # one install at a time
        self._file: RingFile | None = None  # made once the file exists

    def held(self) -> RingData | None:
        """The ring in the node's file now (one stat; re-read only when it changed)."""
        if self._file is None:
            if self.path is None or not self.path.exists():
                return None
            try:
                self._file = RingFile(self.path)
            except RingError:
                return None
        self._file.reload_if_changed()
        return self._file.current()

    async def handle(self, request: Request) -> Response:
        if self.path is None:
            return Response(b"this node has no ring file configured\n", status_code=404)
        if request.method in ("GET", "HEAD"):
            held = await asyncio.to_thread(self.held)
            if held is None:
                return Response(b"no ring here yet\n", status_code=404)
            body = await asyncio.to_thread(self.path.read_bytes) \
                if request.method == "GET" else b""
            return Response(body, headers=ring_headers(held),
                            media_type="application/octet-stream")
        if request.method == "PUT":
            return await self._install(await _read_capped(request))
        return Response(status_code=405)

    async def _install(self, data: bytes) -> Response:
        try:
            new = ring_from_bytes(data)
        except RingError as exc:
            return Response(f"{exc}\n".encode(), status_code=422)
        assert self.path is not None
        async with self._lock:
            held = await asyncio.to_thread(self.held)
            if held is not None and (held.version, held.checksum) == (new.version,
                                                                     new.checksum):
                return Response(status_code=200, headers=ring_headers(held))
            if held is not None and new.version <= held.version:
                return Response(f"this node holds ring version {held.version}\n".encode(),
                                status_code=409, headers=ring_headers(held))
            try:
                await asyncio.to_thread(write_atomic, self.path, data)
            except OSError as exc:
                return Response(f"cannot write {self.path}: {exc.strerror}\n".encode(),
                                status_code=500)
        log.info("installed ring version %d (%s)", new.version, new.checksum[:12])
        return Response(status_code=201, headers=ring_headers(new))


async def _read_capped(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_RING_BYTES:
            raise BadRequest("ring file too large")
        chunks.append(chunk)
    return b"".join(chunks)
