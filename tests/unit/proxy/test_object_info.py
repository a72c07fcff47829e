"""ObjectInfo: an object's headers read once into named fields -- from a table of
headers, and from what real node servers answer through the proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.manifests import ManifestHandle, Segment, manifest_body
from objectstore.proxy.object_info import ObjectInfo, SystemMetadata
from objectstore.proxy.put_options import PutOptions, Stored
from objectstore.timestamps import Timestamp
from tests.proxies import body, run_with_proxy, three_nodes

TS = Timestamp.now()


def test_fields_are_read_from_the_headers() -> None:
    info = ObjectInfo.from_headers("a/b", {
        "content-length": "42", "etag": "abc", "content-type": "text/plain",
        "x-timestamp": TS.internal, "x-object-meta-colour": "blue",
        "x-object-meta-shape": "round", "x-object-sysmeta-checksum-crc32": "AAAA",
        "x-object-sysmeta-checksum-type": "FULL_OBJECT",
        "x-object-sysmeta-s3-checksum-algorithm": "crc32",
        "x-object-sysmeta-s3-owner": "AUTH_x", "x-object-sysmeta-future": "1",
        "x-backend-timestamp": TS.internal})
    assert (info.name, info.size, info.etag, info.content_type) == ("a/b", 42, "abc",
                                                                    "text/plain")
    assert info.timestamp == TS
    assert info.user_metadata == {"colour": "blue", "shape": "round"}
    assert info.system == SystemMetadata(
        checksums={"crc32": "AAAA"}, checksum_type="FULL_OBJECT",
        s3_checksum_algorithm="crc32", s3_owner="AUTH_x",
        other={"x-object-sysmeta-future": "1"})
    assert not info.system.manifest


def test_content_headers_are_read_and_other_headers_are_not() -> None:
    info = ObjectInfo.from_headers("o", {
        "x-timestamp": TS.internal, "content-encoding": "gzip", "cache-control": "no-cache",
        "expires": "0", "content-disposition": "inline", "content-language": "fr",
        "x-object-checksum": "1234", "content-range": "bytes 0-1/2"})
    assert info.content_headers == {"content-encoding": "gzip", "cache-control": "no-cache",
                                    "expires": "0", "content-disposition": "inline",
                                    "content-language": "fr"}


@pytest.mark.parametrize("headers", [
    {},
    {"x-object-sysmeta-checksum-crc32": "AAAA", "x-object-sysmeta-checksum-type": "COMPOSITE",
     "x-object-sysmeta-s3-checksum-algorithm": "crc32",
     "x-object-sysmeta-s3-checksum-type": "COMPOSITE"},
    {"x-object-sysmeta-manifest": "1", "x-object-sysmeta-manifest-size": "0",
     "x-object-sysmeta-manifest-etag": "e-1", "x-object-sysmeta-s3-upload-id": "u",
     "x-object-sysmeta-s3-owner": "AUTH_o", "x-object-sysmeta-future": "x"},
])
def test_system_metadata_goes_back_to_the_headers_it_was_read_from(
        headers: dict[str, str]) -> None:
    """What a rewrite onto itself stores again (Swift's POST of a new Content-Type)."""
    system = SystemMetadata.from_headers({**headers, "etag": "x", "x-object-meta-a": "b"})
    assert system.headers() == headers
    assert SystemMetadata.from_headers(system.headers()) == system


def test_defaults_when_headers_are_absent() -> None:
    info = ObjectInfo.from_headers("o", {"x-timestamp": TS.internal})
    assert (info.size, info.etag, info.content_type) == (0, "", "application/octet-stream")
    assert info.user_metadata == {} and info.system == SystemMetadata()


def test_a_manifest_names_the_whole_objects_size_and_etag() -> None:
    system = SystemMetadata.from_headers({
        "x-object-sysmeta-manifest": "1", "x-object-sysmeta-manifest-size": "300",
        "x-object-sysmeta-manifest-etag": "e-2", "x-object-sysmeta-s3-upload-id": "u1"})
    assert system.manifest and system.manifest_size == 300
    assert (system.manifest_etag, system.s3_upload_id) == ("e-2", "u1")
    assert system.other == {}


@pytest.fixture
def ring_path(tmp_path: Path) -> Iterator[Path]:
    with three_nodes(tmp_path) as ring:
        yield ring


def test_head_and_open_answer_the_stored_fields(ring_path: Path) -> None:
    async def main(proxy: Proxy) -> tuple[ObjectInfo, ObjectInfo, ObjectInfo, Stored]:
        await Containers(proxy).put_container("AUTH_t", "c", {})
        await Containers(proxy).put_container("AUTH_t", "c+segments", {})
        stored = await proxy.put_object("AUTH_t", "c", "plain", body(b"hello"), PutOptions(
            length=5, content_type="text/plain", user_metadata={"colour": "blue"}))
        for name, data in (("p1", b"abc"), ("p2", b"defg")):
            await proxy.put_object("AUTH_t", "c+segments", name, body(data),
                                   PutOptions(length=len(data)))
        segments = [Segment("c+segments", "p1", 3, ""), Segment("c+segments", "p2", 4, "")]
        listed = manifest_body(segments)
        await proxy.put_object("AUTH_t", "c", "big", body(listed), PutOptions(
            length=len(listed), system_metadata={
                "x-object-sysmeta-manifest": "1", "x-object-sysmeta-manifest-size": "7",
                "x-object-sysmeta-manifest-etag": "whole-2"}))
        head = await proxy.head_object_info("AUTH_t", "c", "plain")
        opened = await proxy.open_object("AUTH_t", "c", "plain")
        opened.discard()
        manifest = await proxy.open_object("AUTH_t", "c", "big")
        assert isinstance(manifest, ManifestHandle)
        return head, opened.info, manifest.info, stored

    head, opened, manifest, stored = run_with_proxy(ring_path, main)
    assert head == opened
    assert (head.name, head.size, head.etag, head.content_type) == (
        "plain", 5, stored.etag, "text/plain")
    assert head.etag == "5d41402abc4b2a76b9719d911017c592"     # md5 of b"hello"
    assert head.timestamp == stored.timestamp
    assert head.user_metadata == {"colour": "blue"}
    assert not head.system.manifest
    assert (manifest.name, manifest.size, manifest.etag) == ("big", 7, "whole-2")
    assert manifest.system.manifest and manifest.system.manifest_size == 7
