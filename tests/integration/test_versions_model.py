"""The version model itself (proxy/versions.py) over three real node servers, as both
APIs use it: the merged listing pages exactly (every limit, both directions, resuming
from any (marker, version_marker)), which version is latest, S3's promotion of the
previous version, and the null version kept with its metadata."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.put_options import PutOptions
from objectstore.proxy.version_names import NULL, VERSION_ID
from objectstore.proxy.versions import DeleteMarker, VersionEntry, Versions
from tests.integration.test_proxy_core import Cluster, chunks, start_cluster

A = "AUTH_test"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    c, _ = start_cluster(Path(tmp_path_factory.mktemp("versions")), 3)
    try:
        yield c
    finally:
        for n in c.nodes:
            n.stop()


async def body(proxy: Proxy, container: str, name: str) -> bytes:
    stream = await proxy.get_object(A, container, name)
    return b"".join([c async for c in stream.body])


async def setup(proxy: Proxy, container: str) -> Versions:
    containers = Containers(proxy)
    versions = Versions(proxy, containers)
    await containers.put_container(A, container, await versions.prepare(A, container, True))
    return versions


async def put(versions: Versions, container: str, name: str, data: bytes) -> str:
    written = await versions.put(A, container, name, chunks(data),
                                 PutOptions(length=len(data), content_type="text/x"))
    return written.version_id


def key(e: VersionEntry) -> tuple[str, str]:
    return (e.subdir or e.name, e.version_id)


def test_listings_page_exactly_in_both_directions(cluster: Cluster) -> None:
    async def go(proxy: Proxy) -> None:
        versions = await setup(proxy, "pages")
        # a plain object first (kept as the null version when versioned writes come)
        await proxy.put_object(A, "pages", "a", chunks(b"plain"), PutOptions(length=5))
        for name, count in (("a", 2), ("b/1", 3), ("b/2", 1), ("c", 2)):
            for i in range(count):
                await put(versions, "pages", name, f"{name}{i}".encode())
        await versions.delete(A, "pages", "c")          # c: a marker is newest
        await versions.delete(A, "pages", "d")          # d: a marker alone
        for reverse in (False, True):
            whole = await versions.list_versions(A, "pages", reverse=reverse)
            names = [e.name for e in whole]
            assert names == sorted(names, reverse=reverse)
            assert len(whole) == 3 + 3 + 1 + 3 + 1
            for limit in (1, 2, 3, 5):
                seen: list[VersionEntry] = []
                marker = version = ""
                while True:
                    page = await versions.list_versions(
                        A, "pages", marker=marker, version_marker=version, limit=limit,
                        reverse=reverse)
                    if not page:
                        break
                    assert len(page) <= limit
                    seen += page
                    marker, version = page[-1].name, page[-1].version_id
                assert [key(e) for e in seen] == [key(e) for e in whole], (reverse, limit)
                assert [e.is_latest for e in seen] == [e.is_latest for e in whole]
        latest = {e.name: e for e in await versions.list_versions(A, "pages") if e.is_latest}
        assert set(latest) == {"a", "b/1", "b/2", "c", "d"}
        assert latest["c"].is_marker and latest["d"].is_marker
        # the null version: "a"'s plain object, second newest now
        a = [e for e in await versions.list_versions(A, "pages", prefix="a")]
        assert [e.is_latest for e in a] == [True, False, False] and a[2].size == 5
        # a delimiter folds b/ into one common prefix, in its place
        folded = await versions.list_versions(A, "pages", delimiter="/")
        assert [e.subdir for e in folded if e.subdir] == ["b/"]

    cluster.run(go)


def test_deleting_the_current_version_promotes_the_previous_one_for_s3(
        cluster: Cluster) -> None:
    async def go(proxy: Proxy) -> None:
        versions = await setup(proxy, "promote")
        v1 = await put(versions, "promote", "o", b"one")
        v2 = await put(versions, "promote", "o", b"two")
        removed = await versions.delete_version(A, "promote", "o", v2, promote=True)
        assert (removed.version_id, removed.current) == (v2, v1)
        assert await body(proxy, "promote", "o") == b"one"
        # Swift's way: the current one goes and nothing takes its place
        v3 = await put(versions, "promote", "o", b"three")
        removed = await versions.delete_version(A, "promote", "o", v3, promote=False)
        assert removed.current == NULL
        with pytest.raises(errors.ObjectNotFound):
            await body(proxy, "promote", "o")
        # a marker by id: removing it lets the version below show again (S3)
        v4 = await put(versions, "promote", "o", b"four")
        marker, existed = await versions.delete(A, "promote", "o")
        assert existed
        with pytest.raises(DeleteMarker):
            await versions.open_version(A, "promote", "o", marker)
        removed = await versions.delete_version(A, "promote", "o", marker, promote=True)
        assert removed.was_marker and removed.current == v4
        assert await body(proxy, "promote", "o") == b"four"

    cluster.run(go)


def test_a_null_version_is_kept_whole(cluster: Cluster) -> None:
    async def go(proxy: Proxy) -> None:
        versions = await setup(proxy, "nulls")
        await proxy.put_object(A, "nulls", "o", chunks(b"x" * 300_000), PutOptions(
            length=300_000, content_type="image/png", user_metadata={"colour": "red"},
            content_headers={"content-disposition": "inline"}))
        await put(versions, "nulls", "o", b"new")
        [new, kept] = await versions.list_versions(A, "nulls")
        handle = await versions.open_version(A, "nulls", "o", kept.version_id)
        assert handle.headers["x-object-meta-colour"] == "red"
        assert handle.headers["content-disposition"] == "inline"
        assert handle.headers["content-type"] == "image/png" and handle.size == 300_000
        assert handle.headers[VERSION_ID] == kept.version_id
        handle.discard()
        head = await proxy.head_object(A, "nulls", "o")
        assert head[VERSION_ID] == new.version_id and head["content-length"] == "3"

    cluster.run(go)
