"""PutOptions: the node headers the proxy builds from them (a table), the conditions of
a write (a table of the pure decision), and conditional writes through a real proxy to
three real node servers -- checked before the body is read, with the errors each API
maps (412; ObjectNotFound, S3's NoSuchKey, for If-Match on a missing object)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.object_info import MANIFEST, MANIFEST_ETAG, MANIFEST_SIZE, ObjectInfo
from objectstore.proxy.put_options import (
    PutOptions,
    check_write,
    content_headers_of,
    node_headers,
)
from tests.proxies import body, run_with_proxy, three_nodes

SYS = "x-object-sysmeta-"


@pytest.mark.parametrize(("options", "headers"), [
    (PutOptions(), {"content-type": "application/octet-stream"}),
    (PutOptions(content_type="text/plain", length=5), {"content-type": "text/plain"}),
    (PutOptions(content_headers={"content-encoding": "gzip", "expires": "0",
                                 "cache-control": "no-cache", "content-language": "fr",
                                 "content-disposition": "inline"}),
     {"content-type": "application/octet-stream", "content-encoding": "gzip",
      "expires": "0", "cache-control": "no-cache", "content-language": "fr",
      "content-disposition": "inline"}),
    # only the content headers an object keeps reach the nodes
    (PutOptions(content_headers={"content-encoding": "br", "x-unknown": "1",
                                 "content-length": "9", "etag": "e"}),
     {"content-type": "application/octet-stream", "content-encoding": "br"}),
    (PutOptions(user_metadata={"colour": "blue", "Mixed-Case": "v", "empty": ""}),
     {"content-type": "application/octet-stream", "x-object-meta-colour": "blue",
      "x-object-meta-Mixed-Case": "v", "x-object-meta-empty": ""}),
    (PutOptions(system_metadata={SYS + "manifest": "1", SYS + "s3-owner": "AUTH_a"}),
     {"content-type": "application/octet-stream", SYS + "manifest": "1",
      SYS + "s3-owner": "AUTH_a"}),
    (PutOptions(etag="5d41402abc4b2a76b9719d911017c592"),
     {"content-type": "application/octet-stream",
      "etag": "5d41402abc4b2a76b9719d911017c592"}),
    (PutOptions(etag=""), {"content-type": "application/octet-stream"}),
    (PutOptions(checksum_algorithm="crc32c"),
     {"content-type": "application/octet-stream",
      "x-backend-checksum-algorithm": "crc32c"}),
    # the conditions and the length are the proxy's business, never node headers
    (PutOptions(if_none_match_any=True, if_none_match=("a",), if_match=("*",), length=0),
     {"content-type": "application/octet-stream"}),
])
def test_node_headers(options: PutOptions, headers: dict[str, str]) -> None:
    assert node_headers(options) == headers


@pytest.mark.parametrize(("raw", "found"), [
    ([], {}),
    ([(b"host", b"h"), (b"content-type", b"text/x"), (b"content-length", b"3")], {}),
    ([(b"content-encoding", b"gzip"), (b"x-object-meta-a", b"b"), (b"expires", b"0"),
      (b"cache-control", b"max-age=1"), (b"content-language", b"en"),
      (b"content-disposition", b"attachment; filename=\xe9.txt")],
     {"content-encoding": "gzip", "expires": "0", "cache-control": "max-age=1",
      "content-language": "en", "content-disposition": "attachment; filename=\xe9.txt"}),
    ([(b"content-encoding", b"gzip"), (b"content-encoding", b"br")],     # the first
     {"content-encoding": "gzip"}),
])
def test_content_headers_of_a_request(raw: list[tuple[bytes, bytes]],
                                      found: dict[str, str]) -> None:
    assert content_headers_of(raw) == found


@pytest.mark.parametrize(("options", "current", "error"), [
    (PutOptions(), None, None),
    (PutOptions(), "e1", None),
    (PutOptions(if_none_match_any=True), None, None),
    (PutOptions(if_none_match_any=True), "e1", errors.PreconditionFailed),
    (PutOptions(if_none_match=("e1", "e2")), "e2", errors.PreconditionFailed),
    (PutOptions(if_none_match=("e1", "e2")), "e3", None),
    (PutOptions(if_none_match=("e1",)), None, None),
    (PutOptions(if_match=("e1",)), "e1", None),
    (PutOptions(if_match=("e0", "e1")), "e1", None),
    (PutOptions(if_match=("e0",)), "e1", errors.PreconditionFailed),
    (PutOptions(if_match=("*",)), "e1", None),
    (PutOptions(if_match=()), "e1", errors.PreconditionFailed),    # If-Match: (empty)
    (PutOptions(if_match=("e1",)), None, errors.ObjectNotFound),
    (PutOptions(if_match=("*",)), None, errors.ObjectNotFound),
    (PutOptions(if_match=("e1",), if_none_match=("e1",)), "e1", errors.PreconditionFailed),
])
def test_check_write(options: PutOptions, current: str | None,
                     error: type[errors.ObjectStoreError] | None) -> None:
    if error is None:
        check_write(options, "o", current)
    else:
        with pytest.raises(error):
            check_write(options, "o", current)


@pytest.fixture(scope="module")
def ring_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with three_nodes(tmp_path_factory.mktemp("puts")) as ring:
        run_with_proxy(ring, lambda proxy: Containers(proxy).put_container("AUTH_t", "c", {}))
        yield ring


class Body:
    """A request body that records whether the write read any of it."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.read = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.read = True
        yield self.data


async def write(proxy: Proxy, name: str, data: bytes, options: PutOptions | None = None
                ) -> str:
    options = options or PutOptions()
    options.length = len(data)
    return (await proxy.put_object("AUTH_t", "c", name, body(data), options)).etag


async def refused(proxy: Proxy, name: str, options: PutOptions,
                  error: type[errors.ObjectStoreError]) -> Body:
    """Try a conditional write that must fail; the body it was given."""
    data = Body(b"never stored")
    options.length = len(data.data)
    with pytest.raises(error):
        await proxy.put_object("AUTH_t", "c", name, data.__aiter__(), options)
    return data


async def content(proxy: Proxy, name: str) -> bytes:
    stream = await proxy.get_object("AUTH_t", "c", name)
    return b"".join([c async for c in stream.body])


def test_create_only(ring_path: Path) -> None:
    async def go(proxy: Proxy) -> None:
        await write(proxy, "once", b"first", PutOptions(if_none_match_any=True))
        data = await refused(proxy, "once", PutOptions(if_none_match_any=True),
                             errors.PreconditionFailed)
        assert not data.read, "the body of a refused write is not read"
        assert await content(proxy, "once") == b"first"
        await proxy.delete_object("AUTH_t", "c", "once")
        await write(proxy, "once", b"again", PutOptions(if_none_match_any=True))   # after a delete
        assert await content(proxy, "once") == b"again"

    run_with_proxy(ring_path, go)


def test_replace_only_the_version_named(ring_path: Path) -> None:
    async def go(proxy: Proxy) -> None:
        first = await write(proxy, "v", b"one")
        second = await write(proxy, "v", b"two", PutOptions(if_match=(first,)))
        data = await refused(proxy, "v", PutOptions(if_match=(first,)),
                             errors.PreconditionFailed)
        assert not data.read
        await refused(proxy, "v", PutOptions(if_none_match=(second,)),
                      errors.PreconditionFailed)
        await write(proxy, "v", b"three", PutOptions(if_match=("*",), if_none_match=(first,)))
        assert await content(proxy, "v") == b"three"
        data = await refused(proxy, "missing", PutOptions(if_match=("*",)),
                             errors.ObjectNotFound)
        assert not data.read
        with pytest.raises(errors.ObjectNotFound):
            await proxy.head_object("AUTH_t", "c", "missing")

    run_with_proxy(ring_path, go)


def test_a_manifest_is_compared_by_the_whole_objects_etag(ring_path: Path) -> None:
    async def go(proxy: Proxy) -> None:
        await write(proxy, "m", b"[]", PutOptions(system_metadata={
            MANIFEST: "1", MANIFEST_SIZE: "0", MANIFEST_ETAG: "whole-2"}))
        await refused(proxy, "m", PutOptions(if_none_match=("whole-2",)),
                      errors.PreconditionFailed)
        await write(proxy, "m", b"plain", PutOptions(if_match=("whole-2",)))
        assert await content(proxy, "m") == b"plain"

    run_with_proxy(ring_path, go)


def test_what_the_options_store_reads_back(ring_path: Path) -> None:
    async def go(proxy: Proxy) -> tuple[ObjectInfo, dict[str, str], dict[str, str]]:
        stored = await proxy.put_object("AUTH_t", "c", "full", body(b"hello"), PutOptions(
            content_type="text/x", content_headers={"content-encoding": "gzip"},
            user_metadata={"k": "v"}, system_metadata={SYS + "s3-owner": "AUTH_o"},
            etag="5d41402abc4b2a76b9719d911017c592", checksum_algorithm="crc32"))
        plain = await proxy.put_object("AUTH_t", "c", "plain", body(b"x"), PutOptions())
        info = await proxy.head_object_info("AUTH_t", "c", "full")
        assert stored.etag == info.etag and stored.timestamp == info.timestamp
        return info, stored.checksums, plain.checksums

    info, checksums, none = run_with_proxy(ring_path, go)
    assert (info.size, info.content_type, info.user_metadata) == (5, "text/x", {"k": "v"})
    assert info.content_headers == {"content-encoding": "gzip"}
    assert info.system.s3_owner == "AUTH_o"
    assert checksums == {"crc32": "NhCmhg=="} == info.system.checksums   # crc32 of hello
    assert none == {}


def test_an_etag_the_body_does_not_have_stores_nothing(ring_path: Path) -> None:
    async def go(proxy: Proxy) -> None:
        with pytest.raises(errors.UnprocessableEntity):
            await proxy.put_object("AUTH_t", "c", "bad-etag", body(b"hello"),
                                   PutOptions(length=5, etag="0" * 32))
        with pytest.raises(errors.ObjectNotFound):
            await proxy.head_object("AUTH_t", "c", "bad-etag")

    run_with_proxy(ring_path, go)
