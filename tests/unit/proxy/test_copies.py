"""The one COPY skeleton (objectstore.proxy.copies) through a real proxy to three real
node servers: the source's conditions, the destination's options built from the
source's info, the destination's own conditions, nothing to copy, a streamed source
and a manifest source (copied as the whole object)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.copies import SourceConditions, copy_object
from objectstore.proxy.core import Proxy
from objectstore.proxy.manifests import (
    MANIFEST,
    MANIFEST_ETAG,
    MANIFEST_SIZE,
    Segment,
    manifest_body,
)
from objectstore.proxy.object_info import ObjectInfo
from objectstore.proxy.put_options import PutOptions
from objectstore.timestamps import Timestamp
from tests.proxies import body, run_with_proxy, three_nodes

LARGE = os.urandom(150_000)
A = ("AUTH_t", "c", "a")


@pytest.fixture
def ring_path(tmp_path: Path) -> Iterator[Path]:
    with three_nodes(tmp_path) as ring:
        run_with_proxy(ring, setup)
        yield ring


async def setup(proxy: Proxy) -> None:
    for name in ("c", "c+segments"):
        await Containers(proxy).put_container("AUTH_t", name, {})
    await proxy.put_object(*A, body(b"source"), PutOptions(
        content_type="text/a", length=6, user_metadata={"m": "1"}))


def same_type(source: ObjectInfo) -> PutOptions:
    return PutOptions(content_type=source.content_type, user_metadata=source.user_metadata)


def seconds(ts: Timestamp) -> float:
    return ts.seconds


async def read(proxy: Proxy, name: str) -> bytes:
    stream = await proxy.get_object("AUTH_t", "c", name)
    return b"".join([c async for c in stream.body])


def test_the_source_streams_into_the_destination(ring_path: Path) -> None:
    async def go(proxy: Proxy) -> None:
        source, stored = await copy_object(proxy, A, ("AUTH_t", "c", "b"), None, same_type)
        assert stored is not None and source.name == "a"
        b = await proxy.head_object_info("AUTH_t", "c", "b")
        assert (b.etag, b.timestamp) == (stored.etag, stored.timestamp)
        assert (b.content_type, b.user_metadata, b.size) == ("text/a", {"m": "1"}, 6)
        assert b.etag == source.etag and b.timestamp > source.timestamp
        await proxy.put_object("AUTH_t", "c", "large", body(LARGE),
                               PutOptions(length=len(LARGE)))
        await copy_object(proxy, ("AUTH_t", "c", "large"), ("AUTH_t", "c", "large2"), None,
                          same_type)
        assert await read(proxy, "large2") == LARGE

    run_with_proxy(ring_path, go)


@pytest.mark.parametrize(("headers", "as_read", "fails"), [
    ({"if-match": '"nope"'}, False, True), ({"if-match": '"nope"'}, True, True),
    ({"if-none-match": "*"}, False, True),
    ({"if-none-match": "*"}, True, True),                 # a 304 for a read: 412 here
    ({"if-unmodified-since": "Sat, 01 Jan 2000 00:00:00 GMT"}, False, True),
    ({"if-unmodified-since": "not a date"}, False, False),     # ignored, as the RFC says
    ({"if-none-match": '"other"'}, True, False),
])
def test_source_conditions(ring_path: Path, headers: dict[str, str], as_read: bool,
                           fails: bool) -> None:
    async def go(proxy: Proxy) -> None:
        conditions = SourceConditions(headers, seconds, as_read)
        if not fails:
            await copy_object(proxy, A, ("AUTH_t", "c", "b"), conditions, same_type)
            return
        with pytest.raises(errors.PreconditionFailed):
            await copy_object(proxy, A, ("AUTH_t", "c", "b"), conditions, same_type)
        with pytest.raises(errors.ObjectNotFound):
            await proxy.head_object("AUTH_t", "c", "b")

    run_with_proxy(ring_path, go)


def test_if_modified_since_counts_only_as_a_read(ring_path: Path) -> None:
    later = {"if-modified-since": "Fri, 01 Jan 2100 00:00:00 GMT"}

    async def go(proxy: Proxy) -> None:
        await copy_object(proxy, A, ("AUTH_t", "c", "b"),
                          SourceConditions(later, seconds, as_read=False), same_type)
        with pytest.raises(errors.PreconditionFailed):
            await copy_object(proxy, A, ("AUTH_t", "c", "b"),
                              SourceConditions(later, seconds, as_read=True), same_type)

    run_with_proxy(ring_path, go)


def test_nothing_to_copy(ring_path: Path) -> None:
    async def go(proxy: Proxy) -> None:
        source, stored = await copy_object(proxy, A, A, None, lambda info: None)
        assert stored is None and source.content_type == "text/a"
        assert (await proxy.head_object_info(*A)).timestamp == source.timestamp

    run_with_proxy(ring_path, go)


def test_the_destinations_conditions_are_checked_before_the_source_is_read(
        ring_path: Path) -> None:
    async def go(proxy: Proxy) -> None:
        await proxy.put_object("AUTH_t", "c", "b", body(b"kept"), PutOptions(length=4))

        def create_only(source: ObjectInfo) -> PutOptions:
            return PutOptions(if_none_match_any=True)

        with pytest.raises(errors.PreconditionFailed):
            await copy_object(proxy, A, ("AUTH_t", "c", "b"), None, create_only)
        assert await read(proxy, "b") == b"kept"

    run_with_proxy(ring_path, go)


def test_a_manifest_is_copied_as_the_whole_object(ring_path: Path) -> None:
    parts = [b"one,", b"two,", b"three"]

    async def go(proxy: Proxy) -> None:
        segments = []
        for i, data in enumerate(parts):
            stored = await proxy.put_object("AUTH_t", "c+segments", f"p{i}", body(data),
                                            PutOptions(length=len(data)))
            segments.append(Segment("c+segments", f"p{i}", len(data), stored.etag))
        listed = manifest_body(segments)
        await proxy.put_object("AUTH_t", "c", "m", body(listed), PutOptions(
            length=len(listed), system_metadata={
                MANIFEST: "1", MANIFEST_SIZE: "13", MANIFEST_ETAG: "whole-3"}))
        source, _ = await copy_object(proxy, ("AUTH_t", "c", "m"), ("AUTH_t", "c", "flat"),
                                      SourceConditions({"if-match": '"whole-3"'}, seconds,
                                                       as_read=True), same_type)
        assert (source.size, source.etag) == (13, "whole-3")
        assert await read(proxy, "flat") == b"".join(parts)
        assert not (await proxy.head_object_info("AUTH_t", "c", "flat")).system.manifest

    run_with_proxy(ring_path, go)
