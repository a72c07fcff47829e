"""The lifecycle worker over real nodes and a real proxy: two workers on the same
buckets at once leave what one would (one delete marker, not two), and a worker
stopped mid-pass is resumed where it stopped. Time is a fake clock ten days ahead,
so every rule is due."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path

from objectstore.daemons.lifecycle import LifecycleWorker
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.lifecycle_rules import DAY, Configuration, Filter, Rule
from objectstore.proxy.lifecycle_store import LifecycleStore
from objectstore.proxy.put_options import PutOptions
from objectstore.proxy.versions import Versions
from tests.proxies import body, run_with_proxy, three_nodes

ACCOUNT = "AUTH_t"


def later() -> float:
    return time.time() + 10 * DAY


async def setup(proxy: Proxy) -> tuple[Containers, Versions]:
    containers = Containers(proxy)
    versions = Versions(proxy, containers)
    store = LifecycleStore(proxy, containers)
    await containers.put_container(ACCOUNT, "plain", {})
    for key in ("old/1", "old/2", "old/3", "keep/1"):
        await proxy.put_object(ACCOUNT, "plain", key, body(b"x"), PutOptions(length=1))
    await containers.put_container(ACCOUNT, "vers",
                                   await versions.prepare(ACCOUNT, "vers", True))
    for i in range(3):
        await versions.put(ACCOUNT, "vers", "doc", body(f"v{i}".encode()),
                           PutOptions(length=2))
    await store.put(ACCOUNT, "plain", Configuration((
        Rule("old", True, Filter(prefix="old/"), expiration_days=1),)))
    await store.put(ACCOUNT, "vers", Configuration((
        Rule("all", True, expiration_days=1),)))
    return containers, versions


async def names(containers: Containers, bucket: str) -> list[str]:
    return [r["name"] for r in (await containers.list_container(ACCOUNT, bucket)).entries]


def test_two_workers_at_once(tmp_path: Path) -> None:
    async def scenario(proxy: Proxy) -> None:
        containers, versions = await setup(proxy)
        before = await versions.list_versions(ACCOUNT, "vers")
        one, two = (LifecycleWorker(proxy, clock=later) for _ in range(2))
        stats = await asyncio.gather(one.run_once(), two.run_once())
        assert await names(containers, "plain") == ["keep/1"]
        after = await versions.list_versions(ACCOUNT, "vers")
        markers = [v for v in after if v.is_marker]
        assert len(markers) == 1 and markers[0].is_latest      # one marker, not two
        assert [v.version_id for v in after if not v.is_marker] == \
            [v.version_id for v in before]                      # all kept, noncurrent
        assert sum(s.expired for s in stats) >= 4 and not any(s.failures for s in stats)
        # with noncurrent versions expiring too, both workers together empty it: the
        # versions go, then the marker left alone
        await LifecycleStore(proxy, containers).put(ACCOUNT, "vers", Configuration((
            Rule("all", True, expiration_days=1, noncurrent_days=1),)))
        for _ in range(2):
            await asyncio.gather(one.run_once(), two.run_once())
        assert await versions.list_versions(ACCOUNT, "vers") == []
    with three_nodes(tmp_path) as ring:
        run_with_proxy(ring, scenario)


def test_a_stopped_pass_is_resumed(tmp_path: Path) -> None:
    async def scenario(proxy: Proxy) -> None:
        containers, _ = await setup(proxy)
        steps = 0

        async def stop_after_a_few(seconds: float) -> None:
            nonlocal steps
            steps += 1
            if steps > 2:      # the listing, then the first removal
                raise asyncio.CancelledError       # as a killed process stops: anywhere

        # every step waits (1 a second on a frozen clock), every key is checkpointed
        frozen = later()
        slow = LifecycleWorker(proxy, per_second=1, clock=lambda: frozen,
                               sleep=stop_after_a_few)
        with contextlib.suppress(asyncio.CancelledError):
            await slow.run_once()
        assert len(await names(containers, "plain")) > 1        # stopped mid-pass
        fresh = LifecycleWorker(proxy, clock=later)
        stats = await fresh.run_once()
        assert stats.resumed >= 1
        assert await names(containers, "plain") == ["keep/1"]
        assert await LifecycleStore(proxy, containers).progress(ACCOUNT, "plain") == ""
    with three_nodes(tmp_path) as ring:
        run_with_proxy(ring, scenario)
