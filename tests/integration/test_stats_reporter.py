"""A container's stats reports to its account replicas: one replica that does not
answer (a frozen node: it accepts, never answers) holds up none of the others, and
rests -- it gets no new connection per change -- until its rest is over. Real
sockets, a real container database."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

from objectstore.node.client import NodeClient, Target
from objectstore.node.listingdb import ListingDB
from objectstore.node.stats_reporter import StatsReporter, report_spec
from objectstore.timestamps import Timestamp


class Replica:
    """A listening socket that answers 201 to each request (`frozen`: reads, never
    answers), counting connections and requests."""

    def __init__(self, frozen: bool) -> None:
        self.frozen = frozen
        self.connections = 0
        self.requests = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> Target:
        self.server = await asyncio.start_server(self._one, "127.0.0.1", 0)
        return Target("127.0.0.1", self.server.sockets[0].getsockname()[1], "d0")

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                self.requests += 1
                if self.frozen:
                    await asyncio.sleep(3600)
                writer.write(b"HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()


def test_a_replica_that_does_not_answer_rests_and_holds_up_no_other(tmp_path: Path) -> None:
    async def scenario() -> None:
        healthy, frozen = Replica(frozen=False), Replica(frozen=True)
        targets = [await frozen.start(), await healthy.start()]
        db = ListingDB(tmp_path / "c.db")
        db.initialize("c", Timestamp.now(), report_spec(3, [t.spec for t in targets]))
        now = [0.0]
        client = NodeClient(b"s" * 32)
        reporter = StatsReporter(client, timeout=0.5, rest=30.0, clock=lambda: now[0])
        try:
            first = asyncio.create_task(reporter.report(db, "a", "c"))
            while healthy.requests == 0:
                await asyncio.sleep(0.005)
            assert not reporter.resting(targets[0]), "the healthy one waited for the other"
            await first
            assert (frozen.connections, frozen.requests) == (1, 1)
            assert reporter.resting(targets[0]) and not reporter.resting(targets[1])
            for _ in range(5):          # changes while it rests: no new connection
                await reporter.report(db, "a", "c")
            assert healthy.requests == 6
            assert (frozen.connections, frozen.requests) == (1, 1)
            now[0] = 31.0               # its rest is over: told again
            await reporter.report(db, "a", "c")
            assert frozen.requests == 2
        finally:
            await client.close()
            for r in (healthy, frozen):
                assert r.server is not None
                r.server.close()

    asyncio.run(scenario())


def test_a_replica_that_refuses_is_told_again_at_the_next_change(tmp_path: Path) -> None:
    """Down or restarting (connection refused): trying again costs nothing, so it does
    not rest -- it has its counts as soon as it is back."""
    async def scenario() -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            down = Target("127.0.0.1", probe.getsockname()[1], "d0")   # nobody listens
        db = ListingDB(tmp_path / "c.db")
        db.initialize("c", Timestamp.now(), report_spec(3, [down.spec]))
        client = NodeClient(b"s" * 32)
        reporter = StatsReporter(client, timeout=0.5, rest=30.0)
        try:
            await reporter.report(db, "a", "c")
            assert not reporter.resting(down)
        finally:
            await client.close()

    asyncio.run(scenario())
