"""Lookups on a frozen ring."""

from __future__ import annotations

import itertools

from objectstore.ring import PathHasher, RingBuilder


def ring(hasher: PathHasher | None = None):  # type: ignore[no-untyped-def]
    b = RingBuilder(10, 3, 0)
    for r in (1, 2):
        for z in (1, 2, 3):
            for h in range(2):
                b.add_device(r, z, f"10.{r}.{z}.{h}", 6200, "sdb", 100)
    b.rebalance()
    data = b.ring_data()
    if hasher is not None:
        data.hasher = hasher
    return data


def test_get_nodes_matches_partition_and_table() -> None:
    data = ring(PathHasher("p", "s"))
    for i in range(100):
        part, devs = data.get_nodes("AUTH_test", "c", f"o{i}")
        assert part == data.partition("AUTH_test", "c", f"o{i}")
        assert devs == data.primaries(part)
        assert len({d.id for d in devs}) == 3
        assert [d.id for d in devs] == [row[part] for row in data.rows]


def test_secret_changes_placement() -> None:
    a, b = ring(PathHasher("one", "")), ring(PathHasher("two", ""))
    names = [f"obj{i}" for i in range(50)]
    assert [a.partition("a", "c", n) for n in names] != [b.partition("a", "c", n)
                                                          for n in names]


def test_handoffs_start_in_an_unused_region_and_zone() -> None:
    data = ring()
    for part in range(0, data.parts, 37):
        primaries = data.primaries(part)
        first = next(data.handoffs(part))
        regions = {d.region for d in primaries}
        if len(regions) < 2:
            assert first.region not in regions
        else:
            assert (first.region, first.zone) not in {(d.region, d.zone) for d in primaries}


def test_handoffs_differ_between_partitions() -> None:
    data = ring()
    firsts = {next(data.handoffs(p)).id for p in range(64)}
    assert len(firsts) > 4, "every partition hands off to the same few devices"


def test_handoffs_are_finite_and_complete() -> None:
    data = ring()
    all_ids = {d.id for d in data.devices}
    for part in (0, 1, data.parts - 1):
        ids = [d.id for d in data.handoffs(part)]
        assert sorted(ids) == sorted(all_ids - {d.id for d in data.primaries(part)})
        assert list(itertools.islice(data.handoffs(part), 3)) == [
            data.device(i) for i in ids[:3]]
