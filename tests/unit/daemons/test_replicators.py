"""The object and database replicators' pass over real partitions and SQLite files on
three in-process nodes: what one replica holds reaches the others, old tombstones are
reclaimed by the injected clock, and a damaged partition or database is counted
without ending the pass."""

from __future__ import annotations

import asyncio
from pathlib import Path

from objectstore.daemons.object_replicator import ObjectReplicator
from objectstore.node import paths
from objectstore.node.diskfile import verify_file
from objectstore.node.listingdb import Item, ListingDB, ListingParams
from tests.clock import FakeClock
from tests.unit.daemons.nodes import HASHER, T0, Nodes, put, running_nodes, ts

DAY = 86400.0


def replicator(nodes: Nodes, i: int, clock: FakeClock | None = None) -> ObjectReplicator:
    clock = clock or FakeClock(T0 + 10)
    return ObjectReplicator(nodes.configs[i], nodes.ring, nodes.client, reclaim_age=DAY,
                            clock=clock, sleep=clock.sleep)


def files_of(nodes: Nodes, i: int, obj: str) -> list[str]:
    directory = nodes.diskfile(i, obj).directory
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def test_a_pass_pushes_what_the_others_lack_and_goes_past_a_damaged_partition(
        tmp_path: Path) -> None:
    async def main() -> None:
        async with running_nodes(tmp_path) as nodes:
            for i in range(5):
                put(nodes.diskfile(0, f"o{i}"), b"x" * (i + 1), ts(1))
            nodes.diskfile(0, "gone").write_tombstone(ts(2))
            # a partition with a file where an object directory should be: listing it
            # fails; the other partitions must still be replicated
            ring = nodes.ring.current()
            used = {ring.partition("AUTH_test", "c", o) for o in [f"o{i}" for i in range(5)]
                    + ["gone"]}
            spare = min(set(range(ring.parts)) - used)
            suffix = nodes.configs[0].devices / "d0" / "objects" / str(spare) / "abc"
            suffix.mkdir(parents=True)
            (suffix / ("f" * 29 + "abc")).write_bytes(b"not a directory")

            stats = await replicator(nodes, 0).run_once()

            assert stats.files_pushed == 2 * 6
            assert stats.failures == 1
            for node in (1, 2):
                for i in range(5):
                    [name] = files_of(nodes, node, f"o{i}")
                    meta = verify_file(nodes.diskfile(node, f"o{i}").directory / name)
                    assert meta is not None and meta.size == i + 1
                assert files_of(nodes, node, "gone") == [f"{ts(2).internal}.ts"]
            again = await replicator(nodes, 1).run_once()
            assert (again.files_pushed, again.failures) == (0, 0), "all in step"

    asyncio.run(main())


def test_tombstones_are_reclaimed_once_older_than_the_reclaim_age(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_nodes(tmp_path) as nodes:
            nodes.diskfile(0, "deleted").write_tombstone(ts(1))
            clock = FakeClock(T0 + DAY / 2)
            stats = await replicator(nodes, 0, clock).run_once()
            assert stats.files_pushed == 2, "young: every replica must learn of it"
            assert files_of(nodes, 1, "deleted") == [f"{ts(1).internal}.ts"]

            clock.advance(DAY)                      # a day later, no sleeping
            for i in range(3):
                await replicator(nodes, i, clock).run_once()
                assert files_of(nodes, i, "deleted") == []

    asyncio.run(main())


def container_db(nodes: Nodes, i: int, container: str) -> ListingDB:
    ring = nodes.ring.current()
    part = ring.partition("AUTH_test", container)
    name_hash = HASHER.digest("AUTH_test", container, None).hex()
    return ListingDB(paths.db_path(nodes.configs[i].devices, f"d{i}", paths.CONTAINERS,
                                   part, name_hash))


def test_databases_reach_the_other_replicas_past_a_damaged_one(tmp_path: Path) -> None:
    async def main() -> None:
        async with running_nodes(tmp_path) as nodes:
            names = [f"c{i}" for i in range(4)]
            for name in names:
                db = container_db(nodes, 0, name)
                db.initialize(f"/AUTH_test/{name}", ts(1))
                db.put_item(Item("obj", ts(2), 7))
            broken = container_db(nodes, 0, "broken")
            broken.path.parent.mkdir(parents=True)
            broken.path.write_bytes(b"not a database" * 100)   # the auditor's to find

            stats = await replicator(nodes, 0).run_once()

            assert stats.databases is not None
            assert stats.databases.failures == 1, "the damaged one, counted"
            assert stats.databases.databases == 5
            for node in (1, 2):
                for name in names:
                    rows = container_db(nodes, node, name).list_items(ListingParams())
                    assert [(r.name, r.size) for r in rows if isinstance(r, Item)] == [
                        ("obj", 7)]

    asyncio.run(main())
