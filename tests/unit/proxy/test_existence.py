"""The proxy's memory of containers it saw exist: positive, short-lived, forgettable."""

from __future__ import annotations

from objectstore.proxy.existence import ExistenceCache
from tests.clock import FakeClock


def test_a_container_is_trusted_for_its_ttl_only() -> None:
    clock = FakeClock()
    cache = ExistenceCache(ttl=5, clock=clock)
    assert not cache.known("AUTH_a", "c")
    cache.remember("AUTH_a", "c")
    assert cache.known("AUTH_a", "c")
    assert not cache.known("AUTH_b", "c")          # per account
    clock.advance(4.9)
    assert cache.known("AUTH_a", "c")
    clock.advance(0.2)
    assert not cache.known("AUTH_a", "c")


def test_forgetting_is_immediate() -> None:
    cache = ExistenceCache(ttl=60)
    cache.remember("AUTH_a", "c")
    cache.forget("AUTH_a", "c")
    assert not cache.known("AUTH_a", "c")
    cache.forget("AUTH_a", "never-seen")          # no error


def test_the_cache_stays_bounded() -> None:
    cache = ExistenceCache(ttl=60, max_entries=10)
    for i in range(25):
        cache.remember("AUTH_a", f"c{i}")
    assert sum(cache.known("AUTH_a", f"c{i}") for i in range(25)) <= 10
    assert cache.known("AUTH_a", "c24")


def test_system_metadata_is_kept_with_the_container_and_goes_with_it() -> None:
    """What object writes consult (a versions location) without asking the container."""
    cache = ExistenceCache(ttl=60)
    assert cache.sysmeta("AUTH_a", "c") == {}
    cache.remember("AUTH_a", "c", sysmeta={"x-container-sysmeta-versions-location": "v"})
    assert cache.sysmeta("AUTH_a", "c") == {"x-container-sysmeta-versions-location": "v"}
    assert cache.sysmeta("AUTH_a", "other") == {}
    cache.remember("AUTH_a", "c")                   # seen again without any: none kept
    assert cache.sysmeta("AUTH_a", "c") == {}
    cache.remember("AUTH_a", "c", sysmeta={"x-container-sysmeta-versions-mode": "stack"})
    cache.forget("AUTH_a", "c")
    assert cache.sysmeta("AUTH_a", "c") == {}


def test_the_versioning_state_is_read_from_the_system_metadata() -> None:
    cache = ExistenceCache(ttl=60)
    cache.remember("AUTH_a", "c", sysmeta={"x-container-sysmeta-versions-enabled": "true"})
    cache.remember("AUTH_a", "plain")
    assert cache.versioning("AUTH_a", "c") == "true"
    assert cache.versioning("AUTH_a", "plain") == ""
