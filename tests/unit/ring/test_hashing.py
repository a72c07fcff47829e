from __future__ import annotations

import pytest

from objectstore.ring.hashing import PathHasher, partition_of, path_bytes


def test_paths_are_slash_joined_utf8() -> None:
    assert path_bytes("a") == b"/a"
    assert path_bytes("a", "c") == b"/a/c"
    assert path_bytes("a", "c", "o/with/slashes") == b"/a/c/o/with/slashes"
    assert path_bytes("ä", "c", "☃") == "/ä/c/☃".encode()
    with pytest.raises(ValueError):
        path_bytes("a", None, "o")


def test_digest_depends_on_secret_and_every_part() -> None:
    plain, salted = PathHasher(), PathHasher("pre", "suf")
    assert plain.digest("a", "c", "o") != salted.digest("a", "c", "o")
    assert PathHasher("pre", "suf").digest("a", "c", "o") == salted.digest("a", "c", "o")
    # prefix and suffix are not interchangeable or concatenable
    assert PathHasher("pres", "uf").digest("a") != salted.digest("a")
    assert len({salted.digest("a"), salted.digest("a", "c"), salted.digest("a", "c", "o"),
                salted.digest("a", "co")}) == 4
    assert len(salted.digest("a")) == 16


@pytest.mark.parametrize("power", [0, 1, 8, 20, 24])
def test_partition_is_top_bits_in_range(power: int) -> None:
    h = PathHasher("x", "y")
    for i in range(200):
        digest = h.digest("acct", "cont", f"obj{i}")
        part = partition_of(digest, power)
        assert 0 <= part < (1 << power)
        assert part == int.from_bytes(digest[:4], "big") >> (32 - power)


def test_partitions_spread_evenly() -> None:
    h = PathHasher("secret", "")
    counts = [0] * 16
    for i in range(16000):
        counts[partition_of(h.digest("a", "c", str(i)), 4)] += 1
    assert min(counts) > 800 and max(counts) < 1200
