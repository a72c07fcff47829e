"""The proxy keeps its ring as new as the newest one its nodes hold.

`objectstore ring push` gives a new ring to the nodes; every `ring_check_interval`
the proxy asks each node which ring it holds (HEAD /ring), fetches a newer one from a
node that has it, checks it and uses it from then on -- no restart, and no ring file
to copy by hand to proxies on other hosts. A node found holding an older ring than the
proxy's keeps being used (handoffs and replication repair what it places wrongly) and
is named in the log until it catches up.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from objectstore.node.client import NodeClient, Target
from objectstore.proxy.fanout import NODE_ERRORS
from objectstore.ring import RingError
from objectstore.ring.files import RingFile

log = logging.getLogger(__name__)

ASK_TIMEOUT = 5.0


class RingSync:
    def __init__(self, ring: RingFile, client: NodeClient, interval: float) -> None:
        self.ring = ring
        self.client = client
        self.interval = interval
        self.behind: dict[tuple[str, int], int] = {}    # node -> older version it holds

    async def run_forever(self) -> None:
        while True:
            with contextlib.suppress(Exception):    # a bad round must not end the loop
                await self.check_once()
            await asyncio.sleep(self.interval)

    async def _held(self, node: tuple[str, int]) -> int | None:
        try:
            resp = await self.client.request("HEAD", Target(*node, ""), "/ring",
                                             timeout=ASK_TIMEOUT)
            async with resp:
                version = resp.headers.get("x-ring-version", "")
                return int(version) if resp.status == 200 and version.isdigit() else None
        except NODE_ERRORS:
            return None

    async def check_once(self) -> int:
        """Ask every node; take a newer ring if one has it. Returns the version in use."""
        current = self.ring.current()
        nodes = sorted({(d.host, d.port) for d in current.devices})
        held = dict(zip(nodes, await asyncio.gather(*(self._held(n) for n in nodes)),
                        strict=True))
        newer = sorted((v, n) for n, v in held.items() if v is not None
                       and v > current.version)
        if newer and await self._fetch(newer[-1][1], newer[-1][0]):
            current = self.ring.current()
        for node, version in held.items():
            if version is not None and version < current.version:
                if self.behind.get(node) != version:
                    log.warning("node %s:%d holds ring version %d, older than this "
                                "proxy's %d (push the ring to it)", node[0], node[1], version,
                                current.version)
                self.behind[node] = version
            else:
                self.behind.pop(node, None)
        return current.version

    async def _fetch(self, node: tuple[str, int], version: int) -> bool:
        try:
            resp = await self.client.request("GET", Target(*node, ""), "/ring",
                                             timeout=ASK_TIMEOUT)
            async with resp:
                data = await resp.read()
                if resp.status != 200:
                    return False
            ring = await asyncio.to_thread(self.ring.install, data)
        except (*NODE_ERRORS, RingError):
            return False
        log.info("now using ring version %d (%s) from %s:%d", ring.version,
                 ring.checksum[:12], node[0], node[1])
        return ring.version >= version
