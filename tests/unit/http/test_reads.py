"""The one GET skeleton (objectstore.http.reads.answer_read) over what the proxy really
opens: objects written through a real proxy to three real node servers, then opened
and answered -- conditions, HEAD, ranges (one, several, none that parses, none that is
satisfiable) under both policies, small and streamed bodies, a manifest's segments."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from starlette.responses import Response, StreamingResponse

from objectstore import errors
from objectstore.http.reads import ReadPolicy, answer_read
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.manifests import (
    MANIFEST,
    MANIFEST_ETAG,
    MANIFEST_SIZE,
    Segment,
    manifest_body,
)
from objectstore.proxy.put_options import PutOptions
from tests.proxies import body, run_with_proxy, three_nodes

SMALL = b"0123456789abcdefghij"                 # read whole by the handle
LARGE = os.urandom(200_000)                     # streamed
PARTS = (b"first part,", b"second part,", b"third")
SWIFT, S3 = ReadPolicy(multi_range=True), ReadPolicy(multi_range=False)
MODIFIED = 1_000_000_000.0        # the date the tests' conditions compare with
BEFORE, AFTER = "Sat, 08 Sep 2001 00:00:00 GMT", "Mon, 10 Sep 2001 00:00:00 GMT"


@pytest.fixture(scope="module")
def ring_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The three objects, written once for the module: `small`, `large`, `multi` (a
    manifest of three segments)."""
    with three_nodes(tmp_path_factory.mktemp("reads")) as ring:
        run_with_proxy(ring, write_objects)
        yield ring


async def put(proxy: Proxy, container: str, name: str, data: bytes,
              system: Mapping[str, str] | None = None) -> str:
    stored = await proxy.put_object("AUTH_t", container, name, body(data), PutOptions(
        content_type="text/plain", length=len(data), system_metadata=dict(system or {})))
    return stored.etag


async def write_objects(proxy: Proxy) -> None:
    for name in ("c", "c+segments"):
        await Containers(proxy).put_container("AUTH_t", name, {})
    await put(proxy, "c", "small", SMALL)
    await put(proxy, "c", "large", LARGE)
    segments = [Segment("c+segments", f"p{i}", len(p), await put(proxy, "c+segments", f"p{i}", p))
                for i, p in enumerate(PARTS)]
    await put(proxy, "c", "multi", manifest_body(segments), {
        MANIFEST: "1", MANIFEST_SIZE: str(sum(map(len, PARTS))), MANIFEST_ETAG: "whole-3"})


def answer(ring_path: Path, name: str, request: dict[str, str], method: str = "GET",
           policy: ReadPolicy = SWIFT) -> tuple[int, dict[str, str], bytes]:
    """Open `name` as the APIs do and answer `request` with the skeleton: status,
    headers and the whole body as a client would receive it."""
    async def go(proxy: Proxy) -> tuple[int, dict[str, str], bytes]:
        whole = method == "GET" and "range" not in request     # as the APIs prefetch
        handle = await proxy.open_object("AUTH_t", "c", name, prefetch=whole)
        try:
            headers = {"content-type": "text/plain", "content-length": str(handle.size),
                       "etag": handle.etag}
            response = await answer_read(handle, method, request, headers, MODIFIED, policy)
            return response.status_code, dict(response.headers), await content(response)
        finally:
            handle.discard()
    return run_with_proxy(ring_path, go)


async def content(response: Response) -> bytes:
    if isinstance(response, StreamingResponse):
        return b"".join([c if isinstance(c, bytes) else c.encode()
                         async for c in response.body_iterator])
    return bytes(response.body)


WHOLE = {"small": SMALL, "large": LARGE, "multi": b"".join(PARTS)}


@pytest.mark.parametrize("name", list(WHOLE))
@pytest.mark.parametrize("request_headers", [
    {}, {"range": "bytes=x-y"}, {"range": "lines=1-2"},      # none that parses: whole
    {"if-match": "*"}, {"if-none-match": '"other"'}, {"if-modified-since": BEFORE},
    {"if-unmodified-since": AFTER}])
def test_the_whole_object(ring_path: Path, name: str, request_headers: dict[str, str]
                          ) -> None:
    status, headers, got = answer(ring_path, name, request_headers)
    assert (status, got) == (200, WHOLE[name])
    assert headers["content-length"] == str(len(WHOLE[name]))
    assert "content-range" not in headers


@pytest.mark.parametrize("name", list(WHOLE))
@pytest.mark.parametrize(("spec", "start", "end"), [
    ("bytes=2-5", 2, 6), ("bytes=-3", -3, None), ("bytes=7-", 7, None), ("bytes=0-0", 0, 1),
    ("bytes=10-999999999", 10, None)])
def test_one_range_is_a_206(ring_path: Path, name: str, spec: str, start: int,
                            end: int | None) -> None:
    data = WHOLE[name]
    want = data[start:end]
    first = start % len(data)
    for policy in (SWIFT, S3):
        status, headers, got = answer(ring_path, name, {"range": spec}, policy=policy)
        assert (status, got) == (206, want)
        assert headers["content-length"] == str(len(want))
        assert headers["content-range"] == f"bytes {first}-{first + len(want) - 1}/{len(data)}"


@pytest.mark.parametrize("name", list(WHOLE))
def test_several_ranges_by_policy(ring_path: Path, name: str) -> None:
    data = WHOLE[name]
    spec = {"range": "bytes=0-1,-2"}
    status, headers, got = answer(ring_path, name, spec, policy=S3)
    assert (status, got) == (200, data), "S3 answers the whole object"
    status, headers, got = answer(ring_path, name, spec, policy=SWIFT)
    assert status == 206
    boundary = headers["content-type"].split("boundary=")[1]
    assert headers["content-type"] == f"multipart/byteranges;boundary={boundary}"
    assert headers["content-length"] == str(len(got))
    parts = got.split(f"--{boundary}".encode())
    assert parts[0] == b"" and parts[-1] == b"--"
    size = len(data)
    assert parts[1] == (f"\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/{size}"
                        f"\r\n\r\n").encode() + data[:2] + b"\r\n"
    assert parts[2] == (f"\r\nContent-Type: text/plain\r\nContent-Range: bytes "
                        f"{size - 2}-{size - 1}/{size}\r\n\r\n").encode() + data[-2:] + b"\r\n"


@pytest.mark.parametrize("name", list(WHOLE))
def test_head_answers_the_headers_without_a_body(ring_path: Path, name: str) -> None:
    status, headers, got = answer(ring_path, name, {"range": "bytes=0-1"}, method="HEAD")
    assert (status, got) == (200, b"")
    assert headers["content-length"] == str(len(WHOLE[name]))
    assert "content-range" not in headers


@pytest.mark.parametrize("method", ["GET", "HEAD"])
@pytest.mark.parametrize(("request_headers", "error"), [
    ({"if-match": '"nope"'}, errors.PreconditionFailed),
    ({"if-unmodified-since": BEFORE}, errors.PreconditionFailed),
    ({"if-none-match": "*"}, errors.NotModified),
    ({"if-modified-since": AFTER}, errors.NotModified),
    # conditions come before the range: not a 416
    ({"if-match": '"nope"', "range": "bytes=999999-"}, errors.PreconditionFailed),
])
def test_conditions_fail_before_anything_is_read(
        ring_path: Path, method: str, request_headers: dict[str, str],
        error: type[errors.ObjectStoreError]) -> None:
    for name in WHOLE:
        with pytest.raises(error):
            answer(ring_path, name, request_headers, method=method)


def test_the_etag_conditions_compare_with_is_the_whole_objects(ring_path: Path) -> None:
    with pytest.raises(errors.NotModified):
        answer(ring_path, "multi", {"if-none-match": '"whole-3"'})
    status, _, _ = answer(ring_path, "multi", {"if-match": '"whole-3"'})
    assert status == 200


@pytest.mark.parametrize("policy", [SWIFT, S3])
def test_a_range_past_the_end_is_not_satisfiable(ring_path: Path, policy: ReadPolicy
                                                 ) -> None:
    for name, data in WHOLE.items():
        with pytest.raises(errors.RangeNotSatisfiable, match=f"bytes \\*/{len(data)}"):
            answer(ring_path, name, {"range": f"bytes={len(data)}-"}, policy=policy)


def test_small_bodies_are_answered_whole_and_large_ones_streamed(ring_path: Path) -> None:
    async def go(proxy: Proxy) -> list[type[Response]]:
        kinds = []
        for name in ("small", "large"):
            handle = await proxy.open_object("AUTH_t", "c", name)
            response = await answer_read(handle, "GET", {}, {}, MODIFIED, SWIFT)
            kinds.append(type(response))
            await content(response)
        return kinds
    assert run_with_proxy(ring_path, go) == [Response, StreamingResponse]
