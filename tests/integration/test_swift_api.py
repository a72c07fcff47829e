"""The Swift API of a real `objectstore serve` process, driven by python-swiftclient
(its Python Connection and its `swift` command) and by raw HTTP for edge cases."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import swiftclient

AUTH = ("test:tester", "testing")


@pytest.fixture
def conn(server: str) -> swiftclient.Connection:
    return swiftclient.Connection(authurl=f"{server}/auth/v1.0", user=AUTH[0], key=AUTH[1],
                                  retries=0)


def raw(server: str, method: str, path: str, headers: dict[str, str] | None = None,
        body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    host, port = server.removeprefix("http://").split(":")
    c = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        c.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            c.putheader(k, v)
        c.endheaders(body)
        r = c.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        c.close()


def token(server: str) -> str:
    status, headers, _ = raw(server, "GET", "/auth/v1.0",
                             {"X-Auth-User": AUTH[0], "X-Auth-Key": AUTH[1]})
    assert status == 200
    return headers["x-auth-token"]


def test_objects_round_trip_with_swiftclient(conn: swiftclient.Connection) -> None:
    conn.put_container("photos", headers={"X-Container-Meta-Color": "red"})
    body = os.urandom(1_500_000)
    etag = conn.put_object("photos", "2026/cat ü.jpg", body,
                           headers={"X-Object-Meta-Who": "cat"})
    assert etag == hashlib.md5(body).hexdigest()
    headers, got = conn.get_object("photos", "2026/cat ü.jpg")
    assert got == body
    assert headers["x-object-meta-who"] == "cat"
    assert headers["content-type"] == "image/jpeg"
    assert headers["content-length"] == str(len(body))
    assert "x-trans-id" in headers and "last-modified" in headers
    _, part = conn.get_object("photos", "2026/cat ü.jpg", headers={"Range": "bytes=100-199"})
    assert part == body[100:200]
    conn.post_object("photos", "2026/cat ü.jpg", headers={"X-Object-Meta-Who": "dog"})
    assert conn.head_object("photos", "2026/cat ü.jpg")["x-object-meta-who"] == "dog"
    meta = conn.head_container("photos")
    assert meta["x-container-meta-color"] == "red"
    assert meta["x-container-object-count"] == "1"
    assert meta["x-container-bytes-used"] == str(len(body))
    with pytest.raises(swiftclient.ClientException) as info:
        conn.delete_container("photos")
    assert info.value.http_status == 409
    conn.delete_object("photos", "2026/cat ü.jpg")
    with pytest.raises(swiftclient.ClientException) as info:
        conn.get_object("photos", "2026/cat ü.jpg")
    assert info.value.http_status == 404
    conn.delete_container("photos")


def test_listings(conn: swiftclient.Connection) -> None:
    conn.put_container("lists")
    for name in ("a/1", "a/2", "b", "c/d/e"):
        conn.put_object("lists", name, b"x")
    _, listing = conn.get_container("lists", delimiter="/")
    assert [e.get("name", e.get("subdir")) for e in listing] == ["a/", "b", "c/"]
    _, listing = conn.get_container("lists", prefix="a/", limit=1)
    assert [e["name"] for e in listing] == ["a/1"]
    _, listing = conn.get_container("lists", marker="a/2", end_marker="c/d/e")
    assert [e["name"] for e in listing] == ["b"]
    _, listing = conn.get_container("lists", full_listing=True)
    assert [e["name"] for e in listing] == ["a/1", "a/2", "b", "c/d/e"]
    assert all(e["bytes"] == 1 and len(e["hash"]) == 32 for e in listing)
    _, containers = conn.get_account()
    assert "lists" in [c["name"] for c in containers]


def test_text_and_xml_listings(server: str, conn: swiftclient.Connection) -> None:
    conn.put_container("fmt")
    conn.put_object("fmt", "x&y", b"1")
    tok = token(server)
    status, headers, body = raw(server, "GET", "/v1/AUTH_test/fmt", {"X-Auth-Token": tok})
    assert (status, body) == (200, b"x&y\n")
    status, headers, body = raw(server, "GET", "/v1/AUTH_test/fmt?format=xml",
                                {"X-Auth-Token": tok})
    assert status == 200 and headers["content-type"].startswith("application/xml")
    assert b'<container name="fmt">' in body and b"<name>x&amp;y</name>" in body
    status, _, body = raw(server, "GET", "/v1/AUTH_test/fmt",
                          {"X-Auth-Token": tok, "Accept": "application/json"})
    assert status == 200 and body.startswith(b"[{")


def test_swift_cli(server: str, tmp_path: Path) -> None:
    swift = shutil.which("swift", path=str(Path(sys.executable).parent))
    assert swift, "python-swiftclient installs the swift command"
    env = {**os.environ, "ST_AUTH": f"{server}/auth/v1.0", "ST_USER": AUTH[0],
           "ST_KEY": AUTH[1]}
    src = tmp_path / "hello.txt"
    src.write_bytes(b"hello from the swift cli\n")
    run = lambda *a: subprocess.run([swift, *a], env=env, cwd=tmp_path,  # noqa: E731
                                    capture_output=True, text=True, timeout=60)
    up = run("upload", "cli", "hello.txt")
    assert up.returncode == 0, up.stderr
    listing = run("list", "cli")
    assert listing.stdout.split() == ["hello.txt"]
    src.unlink()
    down = run("download", "cli", "hello.txt")
    assert down.returncode == 0, down.stderr
    assert src.read_bytes() == b"hello from the swift cli\n"
    stat = run("stat", "cli")
    assert "Objects: 1" in stat.stdout
    assert run("delete", "cli").returncode == 0


@pytest.mark.parametrize("method, path, headers, status", [
    ("GET", "/v1/AUTH_test", {}, 401),
    ("GET", "/v1/AUTH_test", {"X-Auth-Token": "AUTH_tkbogus"}, 401),
    ("GET", "/v1/AUTH_other", None, 403),
    ("PUT", "/v1/AUTH_test/c%FF", None, 412),
    ("PUT", "/v1/AUTH_test/" + "c" * 257, None, 400),
    ("PUT", "/v1/AUTH_test/nocontainer/o", None, 404),
    ("GET", "/v1/AUTH_test/edge?limit=10001", None, 412),
    ("GET", "/auth/v1.0", {"X-Auth-User": "test:tester", "X-Auth-Key": "wrong"}, 401),
])
def test_bad_requests(server: str, method: str, path: str,
                      headers: dict[str, str] | None, status: int) -> None:
    hdrs = {"X-Auth-Token": token(server)} if headers is None else headers
    if method == "PUT":
        hdrs = {**hdrs, "Content-Length": "0"}
    got, response_headers, _ = raw(server, method, path, hdrs)
    assert got == status
    assert "x-trans-id" in response_headers


def test_object_name_too_long_and_body_too_short(server: str,
                                                 conn: swiftclient.Connection) -> None:
    conn.put_container("edge")
    tok = token(server)
    status, _, _ = raw(server, "PUT", "/v1/AUTH_test/edge/" + "o" * 1025,
                       {"X-Auth-Token": tok, "Content-Length": "0"})
    assert status == 400
    # declare 100 bytes, send 10, hang up: nothing may become visible
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as s:
        s.sendall(f"PUT /v1/AUTH_test/edge/partial HTTP/1.1\r\nHost: x\r\nX-Auth-Token: {tok}"
                  "\r\nContent-Length: 100\r\n\r\n0123456789".encode())
    time.sleep(0.5)
    with pytest.raises(swiftclient.ClientException) as info:
        conn.get_object("edge", "partial")
    assert info.value.http_status == 404
    status, _, _ = raw(server, "GET", "/healthcheck", {})
    assert status == 200, "the server stays up"


def test_ranges_through_the_api(server: str, conn: swiftclient.Connection) -> None:
    conn.put_container("ranges")
    body = bytes(range(256)) * 40            # 10,240 bytes
    conn.put_object("ranges", "r", body, content_type="text/plain")
    tok = token(server)
    status, h, got = raw(server, "GET", "/v1/AUTH_test/ranges/r",
                         {"X-Auth-Token": tok, "Range": "bytes=-100"})
    assert (status, got, h["content-range"]) == (206, body[-100:], "bytes 10140-10239/10240")
    status, h, got = raw(server, "GET", "/v1/AUTH_test/ranges/r",
                         {"X-Auth-Token": tok, "Range": "bytes=0-9,100-109"})
    assert status == 206 and h["content-type"].startswith("multipart/byteranges;boundary=")
    assert int(h["content-length"]) == len(got)
    assert body[0:10] in got and body[100:110] in got
    assert b"Content-Range: bytes 100-109/10240" in got
    status, h, _ = raw(server, "GET", "/v1/AUTH_test/ranges/r",
                       {"X-Auth-Token": tok, "Range": "bytes=20000-"})
    assert status == 416 and h["content-range"] == "bytes */10240"
    status, _, got = raw(server, "GET", "/v1/AUTH_test/ranges/r",
                         {"X-Auth-Token": tok, "Range": "bytes=junk"})
    assert (status, got) == (200, body)


def test_conditional_gets(server: str, conn: swiftclient.Connection) -> None:
    conn.put_container("cond")
    etag = conn.put_object("cond", "o", b"conditional")
    tok = token(server)
    path = "/v1/AUTH_test/cond/o"
    status, h, got = raw(server, "GET", path, {"X-Auth-Token": tok,
                                               "If-None-Match": f'"{etag}"'})
    assert (status, got, h["etag"]) == (304, b"", etag)
    status, _, _ = raw(server, "GET", path, {"X-Auth-Token": tok, "If-Match": '"nope"'})
    assert status == 412
    status, _, got = raw(server, "GET", path, {"X-Auth-Token": tok, "If-Match": etag})
    assert (status, got) == (200, b"conditional")
    _, h, _ = raw(server, "HEAD", path, {"X-Auth-Token": tok})
    status, _, _ = raw(server, "GET", path, {"X-Auth-Token": tok,
                                             "If-Modified-Since": h["last-modified"]})
    assert status == 304
    status, _, _ = raw(server, "GET", path, {"X-Auth-Token": tok,
                                             "If-Unmodified-Since": "Sat, 01 Jan 2000 "
                                                                    "00:00:00 GMT"})
    assert status == 412


def test_server_side_copy(server: str, conn: swiftclient.Connection) -> None:
    conn.put_container("src")
    conn.put_container("dst")
    body = os.urandom(200_000)
    conn.put_object("src", "a b", body, content_type="image/png",
                    headers={"X-Object-Meta-Keep": "yes", "Content-Disposition": "inline"})
    tok = token(server)
    status, h, _ = raw(server, "PUT", "/v1/AUTH_test/dst/copy1",
                       {"X-Auth-Token": tok, "X-Copy-From": "/src/a%20b",
                        "X-Object-Meta-Extra": "1", "Content-Length": "0"})
    assert status == 201 and h["x-copied-from"] == "src/a%20b"
    headers, got = conn.get_object("dst", "copy1")
    assert got == body and headers["content-type"] == "image/png"
    assert headers["x-object-meta-keep"] == "yes" and headers["x-object-meta-extra"] == "1"
    assert headers["content-disposition"] == "inline"
    status, _, _ = raw(server, "COPY", "/v1/AUTH_test/src/a%20b",
                       {"X-Auth-Token": tok, "Destination": "dst/copy2",
                        "X-Fresh-Metadata": "true", "X-Object-Meta-New": "n"})
    assert status == 201
    headers = conn.head_object("dst", "copy2")
    assert headers["x-object-meta-new"] == "n" and "x-object-meta-keep" not in headers
    status, _, _ = raw(server, "COPY", "/v1/AUTH_test/src/missing",
                       {"X-Auth-Token": tok, "Destination": "dst/x"})
    assert status == 404
    status, _, _ = raw(server, "COPY", "/v1/AUTH_test/src/a%20b",
                       {"X-Auth-Token": tok, "Destination": "nocontainer"})
    assert status == 412


def test_account_stats_follow_the_objects(conn: swiftclient.Connection) -> None:
    conn.put_container("stats")
    for i in range(3):
        conn.put_object("stats", f"o{i}", b"x" * 1000)
    deadline = time.monotonic() + 10
    while True:       # containers report to their account shortly after a change
        _, listing = conn.get_account()
        row = next(c for c in listing if c["name"] == "stats")
        if row["count"] == 3 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert (row["count"], row["bytes"]) == (3, 3000)
    head = conn.head_account()
    assert int(head["x-account-object-count"]) >= 3
    assert int(head["x-account-bytes-used"]) >= 3000
    assert int(head["x-account-container-count"]) >= 1


def test_chunked_upload_and_detected_content_type(server: str,
                                                  conn: swiftclient.Connection) -> None:
    conn.put_container("chunky")

    def pieces() -> Iterator[bytes]:
        for i in range(20):
            yield bytes([i]) * 10_000

    etag = conn.put_object("chunky", "page.html", contents=pieces(),
                           content_type="application/octet-stream",
                           headers={"X-Detect-Content-Type": "true"})
    headers, got = conn.get_object("chunky", "page.html")
    assert got == b"".join(pieces()) and etag == hashlib.md5(got).hexdigest()
    assert headers["content-type"].startswith("text/html")
    conn.put_object("chunky", "noname", b"x")
    assert conn.head_object("chunky", "noname")["content-type"] == "application/octet-stream"


def test_info_healthcheck_and_unknown_methods(server: str) -> None:
    status, _h, body = raw(server, "GET", "/info", {})
    assert status == 200 and "swift" in json.loads(body)
    status, _, body = raw(server, "GET", "/healthcheck", {})
    assert (status, body) == (200, b"OK")
    status, _, _ = raw(server, "PATCH", "/v1/AUTH_test", {"X-Auth-Token": token(server)})
    assert status == 405
    # a method the HTTP parser does not know at all is refused before the app
    status, _, _ = raw(server, "BREW", "/v1/AUTH_test", {"X-Auth-Token": token(server)})
    assert 400 <= status < 500
    assert raw(server, "GET", "/healthcheck", {})[0] == 200
    assert raw(server, "PUT", "/v1/AUTH_test/etags", {"X-Auth-Token": token(server),
                                                       "Content-Length": "0"})[0] in (201, 202)
    status, _, _ = raw(server, "PUT", "/v1/AUTH_test/etags/o",
                       {"X-Auth-Token": token(server), "ETag": "0" * 32,
                        "Content-Length": "3"}, b"abc")
    assert status == 422
    status, _, _ = raw(server, "GET", "/v1/AUTH_test/etags/o", {"X-Auth-Token": token(server)})
    assert status == 404, "a body that failed its ETag is not stored"


def test_account_metadata(conn: swiftclient.Connection) -> None:
    conn.post_account({"X-Account-Meta-Team": "storage"})
    assert conn.head_account()["x-account-meta-team"] == "storage"
    conn.post_account({"X-Account-Meta-Team": ""})
    assert "x-account-meta-team" not in conn.head_account()
