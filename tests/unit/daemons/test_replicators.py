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
from objectstore.ring.policies import Policy
from tests.clock import FakeClock
from tests.unit.daemons.nodes import HASHER, T0, Nodes, put, running_nodes, ts

DAY = 86400.0


def replicator(nodes: Nodes, i: int, clock: FakeClock | None = None) -> ObjectReplicator:
    clock = clock or FakeClock(T0 + 10)
    return ObjectReplicator(nodes.configs[i], nodes.ring, nodes.client, reclaim_age=DAY,
                            clock=clock, sleep=clock.sleep)


def files_of(nodes: Nodes, i: int, obj: str, policy: int = 0) -> list[str]:
    directory = nodes.diskfile(i, obj, policy=policy).directory
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


def test_a_policy_of_fewer_replicas_is_replicated_among_its_own_primaries(
        tmp_path: Path) -> None:
    """Policy 1 keeps 2 replicas: on the first two primaries of each partition, in
    objects-1; the third primary holds one only as a handoff, delivered and removed."""
    async def main() -> None:
        reduced = (Policy(0, "default", 3), Policy(1, "reduced", 2))
        async with running_nodes(tmp_path, policies=reduced) as nodes:
            ring = nodes.ring.current()

            def primaries(obj: str) -> list[int]:
                part = ring.partition("AUTH_test", "c", obj)
                return [d.id for d in ring.primaries(part)]

            first, second, third = primaries("kept")
            put(nodes.diskfile(first, "kept", policy=1), b"kept", ts(1))
            stats = await replicator(nodes, first).run_once()
            assert stats.files_pushed == 1
            assert files_of(nodes, second, "kept", policy=1) == [f"{ts(1).internal}.data"]
            assert files_of(nodes, third, "kept", policy=1) == [], "not a primary of it"
            assert files_of(nodes, second, "kept") == [], "policy 0 holds nothing"

            a, b, spare = primaries("stray")
            put(nodes.diskfile(spare, "stray", policy=1), b"stray", ts(2))
            stats = await replicator(nodes, spare).run_once()
            assert stats.handoffs_removed == 1
            for node in (a, b):
                assert files_of(nodes, node, "stray", policy=1) == [f"{ts(2).internal}.data"]
            assert not nodes.diskfile(spare, "stray", policy=1).directory.exists()

            # a directory of a policy the ring does not list is left as it is
            unknown = nodes.configs[0].devices / "d0" / "objects-7" / "1"
            unknown.mkdir(parents=True)
            assert all(job[1] != 7 for job in replicator(nodes, 0).jobs())
            assert unknown.exists()
    asyncio.run(main())
