"""A storage node on a real socket, driven by the node client: over real HTTP, and
in-process as `objectstore serve` calls its nodes (the same API, no sockets)."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from objectstore.node import auth
from objectstore.node.client import NodeClient, Target, node_path
from objectstore.node.config import NodeConfig
from objectstore.node.local_client import LocalNodeClient
from objectstore.node.server import NodeApp
from objectstore.timestamps import Timestamp
from tests.servers import running

SECRET = b"cluster-secret"


_in_process: list[LocalNodeClient] = []    # the client `run` uses in in-process mode


@pytest.fixture(params=["http", "in-process"])
def node(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[tuple[Target, Path]]:
    devices = tmp_path / "devices"
    (devices / "sdb1").mkdir(parents=True)
    config = NodeConfig(devices=devices, secret=SECRET, hash_prefix="p")
    local = LocalNodeClient(SECRET) if request.param == "in-process" else None
    app = NodeApp(config, local)
    with running(app) as port:      # served on a socket either way (raw-socket tests)
        if local is not None:
            local.attach("127.0.0.1", port, app)
            _in_process.append(local)
        try:
            yield Target("127.0.0.1", port, "sdb1"), devices
        finally:
            _in_process.clear()


def run(fn: Callable[[NodeClient], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        client = (_in_process[0] if _in_process
                  else NodeClient(SECRET, connect_timeout=1, read_timeout=5))
        try:
            return await fn(client)
        finally:
            await client.close()
    return asyncio.run(main())


async def call(client: NodeClient, method: str, target: Target, path: str,
               headers: dict[str, str] | None = None,
               body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    resp = await client.request(method, target, path, headers, body)
    async with resp:
        return resp.status, {k.lower(): v for k, v in resp.headers.items()}, await resp.read()


def ts(n: int) -> dict[str, str]:
    return {"x-timestamp": Timestamp(n * 100_000 + 1_700_000_000 * 100_000).internal}


OBJ = node_path("objects", "sdb1", 3, "AUTH_test", "c", "dir/ob j%/é")
CONT = node_path("containers", "sdb1", 5, "AUTH_test", "c")


def test_requests_without_the_secret_are_refused(node: tuple[Target, Path]) -> None:
    target, _ = node

    async def go(client: NodeClient) -> list[int]:
        session = aiohttp.ClientSession()
        url = f"http://127.0.0.1:{target.port}{OBJ}"
        statuses = []
        try:
            for header in (None, "123 abc", auth.sign(b"wrong", "GET", OBJ),
                           auth.sign(SECRET, "GET", OBJ, now=1_000_000)):
                headers = {auth.HEADER: header} if header else {}
                async with session.get(url, headers=headers) as r:
                    statuses.append(r.status)
        finally:
            await session.close()
        return statuses

    assert run(go) == [401, 401, 401, 401]


def test_object_round_trip(node: tuple[Target, Path]) -> None:
    target, _devices = node
    body = os.urandom(200_000)

    async def go(client: NodeClient) -> None:
        s, h, _ = await call(client, "PUT", target, OBJ, {**ts(1), "content-type": "text/x",
                                                          "x-object-meta-color": "blue",
                                                          "content-encoding": "gzip"}, body)
        assert s == 201 and len(h["etag"]) == 32
        s, h, got = await call(client, "GET", target, OBJ)
        assert (s, got) == (200, body)
        assert h["content-type"] == "text/x" and h["x-object-meta-color"] == "blue"
        assert h["content-encoding"] == "gzip"
        s, h, got = await call(client, "GET", target, OBJ, {"range": "bytes=10-19"})
        assert (s, got, h["content-range"]) == (206, body[10:20], f"bytes 10-19/{len(body)}")
        s, h, got = await call(client, "HEAD", target, OBJ)
        assert (s, got, h["content-length"]) == (200, b"", str(len(body)))
        # an older write loses; a POST replaces user metadata
        s, h, _ = await call(client, "PUT", target, OBJ, ts(0), b"old")
        assert s == 409 and h["x-backend-timestamp"] == ts(1)["x-timestamp"]
        s, _, _ = await call(client, "POST", target, OBJ, {**ts(2), "x-object-meta-a": "1"})
        assert s == 202
        s, h, _ = await call(client, "HEAD", target, OBJ)
        assert h["x-object-meta-a"] == "1" and "x-object-meta-color" not in h
        s, _, _ = await call(client, "DELETE", target, OBJ, ts(3))
        assert s == 204
        s, h, _ = await call(client, "GET", target, OBJ)
        assert s == 404 and h["x-backend-timestamp"] == ts(3)["x-timestamp"]

    run(go)


@pytest.mark.parametrize("headers, body, status", [
    ({"content-length": "10"}, b"12345", 400),
    ({"etag": "0" * 32}, b"12345", 422),
    ({}, b"12345", 400),                 # no X-Timestamp
])
def test_bad_puts_store_nothing(node: tuple[Target, Path], headers: dict[str, str],
                                body: bytes, status: int) -> None:
    target, devices = node
    if "etag" in headers or "content-length" in headers:
        headers = {**headers, **ts(1)}

    async def go(client: NodeClient) -> None:
        if "content-length" in headers:
            # a body shorter than declared: send raw so the client cannot fix it up
            _reader, writer = await asyncio.open_connection("127.0.0.1", target.port)
            sent = {"x-timestamp": headers["x-timestamp"], "content-length": "10"}
            sig = auth.sign(SECRET, "PUT", OBJ, sent.items())
            head = (f"PUT {OBJ} HTTP/1.1\r\nhost: x\r\n{auth.HEADER}: {sig}\r\n"
                    f"x-timestamp: {headers['x-timestamp']}\r\ncontent-length: 10\r\n\r\n")
            writer.write(head.encode() + body)
            await writer.drain()
            writer.close()          # truncated: the connection ends early
            await asyncio.sleep(0.3)
        else:
            s, _, _ = await call(client, "PUT", target, OBJ, headers, body)
            assert s == status
        s, _, _ = await call(client, "GET", target, OBJ)
        assert s == 404

    run(go)
    assert not list((devices / "sdb1").glob("objects/**/*.data"))
    assert not list((devices / "sdb1").glob("tmp/*")), "temporary files are cleaned up"


def test_corrupt_object_aborts_the_response(node: tuple[Target, Path]) -> None:
    target, devices = node
    body = os.urandom(300_000)

    async def go(client: NodeClient) -> None:
        s, _, _ = await call(client, "PUT", target, OBJ, ts(1), body)
        assert s == 201
        data = next((devices / "sdb1").glob("objects/**/*.data"))
        raw = bytearray(data.read_bytes())
        raw[5] ^= 1
        data.write_bytes(bytes(raw))
        with pytest.raises(aiohttp.ClientPayloadError):
            await call(client, "GET", target, OBJ)
        s, _, _ = await call(client, "GET", target, OBJ)
        assert s == 404, "the damaged file was quarantined"

    run(go)
    assert list((devices / "sdb1" / "quarantined").glob("objects/*/*.data"))


def test_container_listing_follows_object_writes(node: tuple[Target, Path]) -> None:
    target, _devices = node
    update = {"x-container-update": f"127.0.0.1:{target.port}/sdb1",
              "x-container-partition": "5"}

    async def go(client: NodeClient) -> None:
        s, _, _ = await call(client, "PUT", target, CONT, ts(1))
        assert s == 201
        assert (await call(client, "PUT", target, CONT, ts(2)))[0] == 202
        for i, name in enumerate(["b", "a/1", "a/2"]):
            path = node_path("objects", "sdb1", 3, "AUTH_test", "c", name)
            s, _, _ = await call(client, "PUT", target, path, {**ts(10 + i), **update},
                                 b"x" * (i + 1))
            assert s == 201
        s, h, body = await call(client, "GET", target, CONT + "?delimiter=/")
        assert s == 200
        assert [e.get("name", e.get("subdir")) for e in json.loads(body)] == ["a/", "b"]
        assert (h["x-item-count"], h["x-bytes-used"]) == ("3", "6")
        s, _, _ = await call(client, "DELETE", target, CONT, ts(20))
        assert s == 409
        path = node_path("objects", "sdb1", 3, "AUTH_test", "c", "b")
        assert (await call(client, "DELETE", target, path, {**ts(21), **update}))[0] == 204
        s, h, body = await call(client, "GET", target, CONT)
        assert [e["name"] for e in json.loads(body)] == ["a/1", "a/2"]
        assert (h["x-item-count"], h["x-bytes-used"]) == ("2", "5")
        s, _, _ = await call(client, "POST", target, CONT,
                             {**ts(22), "x-container-meta-color": "red"})
        s, h, _ = await call(client, "HEAD", target, CONT)
        assert s == 204 and h["x-container-meta-color"] == "red"

    run(go)


def test_concurrent_writes_reach_the_listing_in_batches(node: tuple[Target, Path]) -> None:
    """200 object writes at once: their rows travel to the container in batches, and
    every row arrives exactly once (counts and bytes agree with the objects)."""
    target, _ = node
    update = {"x-container-update": f"127.0.0.1:{target.port}/sdb1",
              "x-container-partition": "5"}

    async def go(client: NodeClient) -> None:
        assert (await call(client, "PUT", target, CONT, ts(1)))[0] == 201

        async def put(i: int) -> int:
            path = node_path("objects", "sdb1", 3, "AUTH_test", "c", f"o{i:03d}")
            return (await call(client, "PUT", target, path, {**ts(10 + i), **update},
                               b"x" * i))[0]
        assert set(await asyncio.gather(*(put(i) for i in range(200)))) == {201}
        s, h, body = await call(client, "GET", target, CONT)
        assert s == 200
        assert [e["name"] for e in json.loads(body)] == [f"o{i:03d}" for i in range(200)]
        assert (h["x-item-count"], h["x-bytes-used"]) == ("200", str(sum(range(200))))

    run(go)


@pytest.mark.parametrize("body", [b"not json", b"{}", b"[[1, 2]]", b'[["", "1.0", 1, "", "", 0]]',
                                  b'[["a", "nonsense", 1, "t", "e", 0]]', b"[" * 5_000_000])
def test_bad_row_batches_are_refused(node: tuple[Target, Path], body: bytes) -> None:
    target, _ = node

    async def go(client: NodeClient) -> None:
        assert (await call(client, "PUT", target, CONT, ts(1)))[0] == 201
        try:
            resp = await client.request("POST", target, CONT, {"x-backend-rows": "1"},
                                        _chunks(body))
        except aiohttp.ClientOSError:
            # a body far too big is answered (400) and the connection closed before
            # the client has sent it all: it may see the close, not the answer
            assert len(body) > 1_000_000
        else:
            resp.release()
            assert resp.status == 400
        s, h, listing = await call(client, "GET", target, CONT)
        assert s == 200 and json.loads(listing) == [] and h["x-item-count"] == "0"
        other = node_path("containers", "sdb1", 5, "AUTH_test", "missing")
        good = b'[["a", "1700000000.00000", 1, "t", "e", 0]]'
        assert (await call(client, "POST", target, other, {"x-backend-rows": "1"},
                           good))[0] == 404

    run(go)


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    for i in range(0, len(body), 65536):
        yield body[i:i + 65536]


def test_stats_reports_never_revive_a_deleted_container_row(
        node: tuple[Target, Path]) -> None:
    """The container reports its counts to the account; a report that races with the
    container's DELETE (arriving at the account after the row's deletion) must lose."""
    target, _ = node
    account = node_path("accounts", "sdb1", 1, "AUTH_test")
    row = node_path("accounts", "sdb1", 1, "AUTH_test", "c")
    create = {**ts(2), "x-account-update": target.spec, "x-account-partition": "1"}
    update = {"x-container-update": target.spec, "x-container-partition": "5"}

    async def listing(client: NodeClient) -> list[tuple[str, int]]:
        _, _, body = await call(client, "GET", target, account)
        return [(e["name"], e["count"]) for e in json.loads(body)]

    async def go(client: NodeClient) -> None:
        assert (await call(client, "PUT", target, account, ts(1)))[0] == 201
        assert (await call(client, "PUT", target, CONT, create))[0] == 201
        assert (await call(client, "PUT", target, row, {**ts(2), "x-object-count": "0"}))[0] == 201
        path = node_path("objects", "sdb1", 3, "AUTH_test", "c", "o")
        assert (await call(client, "PUT", target, path, {**ts(3), **update}, b"x"))[0] == 201
        for _ in range(40):                        # the report follows within ~0.5 s
            if await listing(client) == [("c", 1)]:
                break
            await asyncio.sleep(0.05)
        assert await listing(client) == [("c", 1)]
        assert (await call(client, "DELETE", target, path, {**ts(4), **update}))[0] == 204
        # the account hears of the container's deletion before the pending report
        assert (await call(client, "DELETE", target, row, ts(5)))[0] == 204
        await asyncio.sleep(1.2)
        assert await listing(client) == []

    run(go)


def test_commit_stamp_after_the_body(node: tuple[Target, Path]) -> None:
    """A write's timestamp may follow its body (x-backend-commit-stamp): the bytes
    before it are the object; a missing or bad stamp stores nothing; an older stamp
    than the object held loses with 409."""
    from objectstore.node import commit_stamp
    target, _ = node
    path = node_path("objects", "sdb1", 3, "AUTH_test", "c", "stamped")
    newer = Timestamp(1_700_000_005 * 100_000)
    older = Timestamp(1_700_000_004 * 100_000)

    async def go(client: NodeClient) -> None:
        stamp = {commit_stamp.HEADER: str(commit_stamp.SIZE), **ts(1)}
        for body in (b"short", b"data" + b"x" * commit_stamp.SIZE):
            assert (await call(client, "PUT", target, path, stamp, body))[0] == 400
        assert (await call(client, "GET", target, path))[0] == 404
        s, _, _ = await call(client, "PUT", target, path, stamp,
                             b"payload" + commit_stamp.encode(newer))
        assert s == 201
        s, h, body = await call(client, "GET", target, path)
        assert (s, body, h["x-backend-timestamp"]) == (200, b"payload", newer.internal)
        s, _, _ = await call(client, "PUT", target, path, stamp,
                             b"stale" + commit_stamp.encode(older))
        assert s == 409
        assert (await call(client, "GET", target, path))[2] == b"payload"

    run(go)


def test_commit_stamp_with_digests(node: tuple[Target, Path]) -> None:
    """A stamp that carries the body's MD5 and xxh3 (the proxy computed them): the
    node takes the MD5 as ETag and refuses a body whose xxh3 is not the stamp's."""
    import hashlib

    import xxhash

    from objectstore.node import commit_stamp
    target, _ = node
    path = node_path("objects", "sdb1", 3, "AUTH_test", "c", "digested")
    body = os.urandom(300_000)
    md5, xxh3 = hashlib.md5(body).hexdigest(), xxhash.xxh3_64(body).hexdigest()
    stamp = {commit_stamp.HEADER: str(commit_stamp.DIGEST_SIZE), **ts(1)}
    when = Timestamp(1_700_000_005 * 100_000)

    async def go(client: NodeClient) -> None:
        damaged = b"X" + body[1:]
        s, _, _ = await call(client, "PUT", target, path, stamp,
                             damaged + commit_stamp.encode(when, md5, xxh3))
        assert s == 422
        assert (await call(client, "GET", target, path))[0] == 404
        s, _, _ = await call(client, "PUT", target, path,
                             {**stamp, commit_stamp.HEADER: "41"},
                             body + commit_stamp.encode(when, md5, xxh3))
        assert s == 400
        s, h, _ = await call(client, "PUT", target, path, stamp,
                             body + commit_stamp.encode(when, md5, xxh3))
        assert (s, h["etag"]) == (201, md5)
        s, h, got = await call(client, "GET", target, path)
        assert (s, got, h["etag"]) == (200, body, md5)

    run(go)


def test_commit_stamp_with_a_footer(node: tuple[Target, Path]) -> None:
    """A stamp with a footer (an encrypted write's plaintext ETag and checksum, known
    only after its body): the node stores the footer's system metadata with the object;
    anything but system metadata in it is refused, and nothing is stored."""
    import hashlib

    import xxhash

    from objectstore.node import commit_stamp
    target, _ = node
    path = node_path("objects", "sdb1", 3, "AUTH_test", "c", "footed")
    body = os.urandom(70_000)
    md5, xxh3 = hashlib.md5(body).hexdigest(), xxhash.xxh3_64(body).hexdigest()
    stamp = {commit_stamp.HEADER: str(commit_stamp.FOOTED_SIZE), **ts(1)}
    when = Timestamp(1_700_000_005 * 100_000)

    async def go(client: NodeClient) -> None:
        for footer in ({"content-type": "text/evil"}, {"x-object-meta-a": "b"}):
            s, _, _ = await call(client, "PUT", target, path, stamp,
                                 body + commit_stamp.encode(when, md5, xxh3, footer))
            assert s == 400, footer
        assert (await call(client, "GET", target, path))[0] == 404
        footer = {"x-object-sysmeta-crypto-etag": "0" * 32,
                  "x-object-sysmeta-checksum-crc32": "AAAAAA=="}
        s, h, _ = await call(client, "PUT", target, path, stamp,
                             body + commit_stamp.encode(when, md5, xxh3, footer))
        assert (s, h["etag"]) == (201, md5)      # the node's ETag: of what it stores
        s, h, got = await call(client, "GET", target, path)
        assert (s, got) == (200, body)
        assert h["x-object-sysmeta-crypto-etag"] == "0" * 32
        assert h["x-object-sysmeta-checksum-crc32"] == "AAAAAA=="

    run(go)


def test_unreachable_container_update_is_queued(node: tuple[Target, Path]) -> None:
    target, devices = node

    async def go(client: NodeClient) -> None:
        s, _, _ = await call(client, "PUT", target, OBJ, {
            **ts(1), "x-container-update": "127.0.0.1:9/sdb9",   # nothing listens on 9
            "x-container-partition": "5"}, b"data")
        assert s == 201

    run(go)
    pending = list((devices / "sdb1" / "async_pending").glob("*.json"))
    assert len(pending) == 1
    update = json.loads(pending[0].read_text())
    assert update["method"] == "PUT" and update["obj"] == "dir/ob j%/é"
    assert update["headers"]["x-size"] == "4"


def test_an_update_for_later_is_queued_not_sent(node: tuple[Target, Path]) -> None:
    """A container replica the proxy names as one to update later (its node is
    error-limited) is not tried: the update is queued for the updater at once, while a
    replica named to update now gets its row."""
    target, devices = node
    here = f"127.0.0.1:{target.port}/sdb1"

    async def go(client: NodeClient) -> None:
        assert (await call(client, "PUT", target, CONT, ts(1)))[0] == 201
        path = node_path("objects", "sdb1", 3, "AUTH_test", "c", "later")
        s, _, _ = await call(client, "PUT", target, path, {
            **ts(2), "x-container-update-later": here, "x-container-partition": "5"}, b"x")
        assert s == 201
        s, _, body = await call(client, "GET", target, CONT)
        assert json.loads(body) == [], "the row was sent, not queued"
        path = node_path("objects", "sdb1", 3, "AUTH_test", "c", "now")
        s, _, _ = await call(client, "PUT", target, path, {
            **ts(3), "x-container-update": here, "x-container-partition": "5"}, b"y")
        s, _, body = await call(client, "GET", target, CONT)
        assert [e["name"] for e in json.loads(body)] == ["now"]

    run(go)
    pending = [json.loads(p.read_text())
               for p in (devices / "sdb1" / "async_pending").glob("*.json")]
    assert [(u["obj"], u["target"]) for u in pending] == [("later", here)]


def test_bad_paths(node: tuple[Target, Path]) -> None:
    target, _ = node

    async def go(client: NodeClient) -> list[int]:
        out = []
        for path in ("/objects/sdb1/3/a/c", "/nope/sdb1/3/a", "/objects/sdb1/x/a/c/o",
                     "/objects/%2E%2E/3/a/c/o", "/objects/sdb1/3/a/c/%FF"):
            out.append((await call(client, "GET", target, path))[0])
        return out

    assert run(go) == [400] * 5


def test_replication_api(node: tuple[Target, Path]) -> None:
    """Suffix hashes and listings of a partition, and pushed files: kept when whole and
    newer, refused when damaged or oddly named, ignored when older."""
    target, devices = node
    path = node_path("objects", "sdb1", 3, "AUTH_test", "c", "replicated")

    async def go(client: NodeClient) -> None:
        assert (await call(client, "GET", target, "/replication/sdb1/3"))[2] == b"{}"
        assert (await call(client, "PUT", target, path, ts(5), b"payload"))[0] == 201
        _, _, body = await call(client, "GET", target, "/replication/sdb1/3")
        hashes = json.loads(body)
        (suffix, _), = hashes.items()
        _, _, body = await call(client, "GET", target, f"/replication/sdb1/3/{suffix}")
        (name_hash, files), = json.loads(body).items()
        data = next((devices / "sdb1" / "objects" / "3").rglob("*.data"))
        good = data.read_bytes()
        base = f"/replication/sdb1/7/{suffix}/{name_hash}"
        newer = Timestamp(1_700_000_009 * 100_000).internal
        damaged = bytearray(good)
        damaged[2] ^= 0xFF
        assert (await call(client, "PUT", target, f"{base}/{newer}.data", {},
                           bytes(damaged)))[0] == 422
        assert (await call(client, "PUT", target, f"{base}/notastamp.data", {}, good))[0] \
            == 422
        assert (await call(client, "PUT", target, f"{base}/{files[0]}", {}, good))[0] == 201
        assert (await call(client, "PUT", target, f"{base}/{files[0]}", {}, good))[0] == 200
        _, _, body = await call(client, "GET", target, "/replication/sdb1/7")
        assert json.loads(body) == hashes, "the copy sums up like the original"
        for bad in ("/replication/sdb1/x", f"/replication/sdb1/7/{suffix}/../x/y",
                    "/replication/sdb1/7/zzz"):
            assert (await call(client, "GET", target, bad))[0] == 400
        assert not list((devices / "sdb1" / "tmp").iterdir()), "nothing left half-written"

    run(go)
