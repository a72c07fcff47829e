"""Swift's answers to single requests, as OpenStack Swift gives them (raw HTTP and
python-swiftclient): 401 with its realm, 411 without a length, 412 with Swift's words for
a bad path, the object's headers on a conditional 304 / 412 and on a 416, Range headers
with spaces, and COPY of one byte range."""

from __future__ import annotations

import hashlib

import pytest
import swiftclient

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, login, swift, unique


def test_a_401_names_the_realm_quoted(server: str) -> None:
    status, headers, _ = raw(server, "GET", "/v1/AUTH_test", {"X-Auth-Token": "bogus"})
    assert status == 401 and headers["www-authenticate"] == 'Swift realm="AUTH_test"'
    hax = "/v1/AUTH_haxx%22%0AContent-Length:%205%0A%0Ahello"
    status, headers, _ = raw(server, "GET", hax)
    assert status == 401
    assert headers["www-authenticate"] == f'Swift realm="{hax.split("/")[2]}"'  # as sent
    status, headers, _ = raw(server, "GET", "/auth/v1.0",
                             {"X-Auth-User": "test:tester", "X-Auth-Key": "wrong"})
    assert status == 401 and headers["www-authenticate"] == 'Swift realm="unknown"'


def test_a_put_without_a_length_is_411(server: str) -> None:
    conn, name = swift(server), unique("len")
    conn.put_container(name)
    status, _, _ = raw(server, "PUT", f"/v1/AUTH_test/{name}/o",
                       {"X-Auth-Token": login(server, ADMIN)})
    assert status == 411
    status, _, _ = raw(server, "PUT", f"/v1/AUTH_test/{name}/o",
                       {"X-Auth-Token": login(server, ADMIN), "Content-Length": "x"})
    assert status == 400
    assert conn.get_container(name)[1] == []
    conn.delete_container(name)


@pytest.mark.parametrize("path, body", [
    ("/v1", b"Bad URL"), ("/v1/", b"Bad URL"),
    ("/v1/AUTH_test/c%FFx", b"Invalid UTF8 or contains NULL"),
    ("/v1/AUTH_test/c/a%00b", b"Invalid UTF8 or contains NULL"),
])
def test_a_bad_path_is_412_in_swifts_words(server: str, path: str, body: bytes) -> None:
    status, _, got = raw(server, "PUT", path, {"X-Auth-Token": login(server, ADMIN),
                                               "Content-Length": "0"})
    assert (status, got) == (412, body)


@pytest.fixture()
def obj(server: str) -> tuple[swiftclient.Connection, str, bytes]:
    conn, name = swift(server), unique("cond")
    conn.put_container(name)
    data = bytes(range(256)) * 4
    conn.put_object(name, "o", data, headers={"X-Object-Meta-Color": "red"})
    return conn, name, data


def test_conditional_answers_carry_the_objects_headers(server: str, obj: tuple) -> None:
    _, name, data = obj
    etag = hashlib.md5(data).hexdigest()
    tok = {"X-Auth-Token": login(server, ADMIN)}
    path = f"/v1/AUTH_test/{name}/o"
    for method in ("GET", "HEAD"):
        for cond, status in (({"If-None-Match": etag}, 304),
                             ({"If-Match": "bogus"}, 412),
                             ({"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"}, 304),
                             ({"If-Unmodified-Since": "Thu, 01 Jan 1970 00:00:01 GMT"},
                              412)):
            got, headers, _ = raw(server, method, path, {**tok, **cond})
            assert got == status, (method, cond)
            assert headers["etag"] == etag and headers["accept-ranges"] == "bytes"
            assert "last-modified" in headers and headers["x-object-meta-color"] == "red"
    both = {"If-Match": etag, "If-Unmodified-Since": "Thu, 01 Jan 1970 00:00:01 GMT"}
    assert raw(server, "GET", path, {**tok, **both})[0] == 412    # Swift checks both
    both["If-Unmodified-Since"] = "Fri, 01 Jan 2100 00:00:00 GMT"
    assert raw(server, "GET", path, {**tok, **both})[0] == 200
    got, headers, _ = raw(server, "GET", path, {**tok, "Range": "bytes=5000-"})
    assert got == 416 and headers["content-range"] == f"bytes */{len(data)}"
    assert headers["etag"] == etag and headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize("header", ["BYTES=0-99", "bytes = 0-99", "bytes = 0 - 99",
                                    "bytes=0 - 99", "bytes=0-99 "])
def test_a_range_may_have_spaces(server: str, obj: tuple, header: str) -> None:
    conn, name, data = obj
    assert conn.get_object(name, "o", headers={"Range": header})[1] == data[:100]


def test_copy_with_a_range_copies_that_range(server: str, obj: tuple) -> None:
    conn, name, data = obj
    dest = unique("dest")
    conn.put_container(dest)
    for target in (f"{name}/part", f"/{dest}/part"):
        conn.copy_object(name, "o", target, headers={"Range": "bytes=100-200"})
        container, _, obj_name = target.lstrip("/").partition("/")
        headers, body = conn.get_object(container, obj_name)
        assert body == data[100:201]
        assert headers["etag"] == hashlib.md5(data[100:201]).hexdigest()
        assert headers["x-object-meta-color"] == "red"
    with pytest.raises(swiftclient.ClientException) as info:
        conn.copy_object(name, "o", f"{dest}/none", headers={"Range": "bytes=5000-"})
    assert info.value.http_status == 416
    with pytest.raises(swiftclient.ClientException) as info:
        conn.copy_object(name, "o", f"{dest}/two", headers={"Range": "bytes=0-1,5-6"})
    assert info.value.http_status == 400
    assert [o["name"] for o in conn.get_container(dest)[1]] == ["part"]


def test_a_delete_answers_as_swifts_does(server: str) -> None:
    conn, name = swift(server), unique("del")
    conn.put_container(name)
    conn.put_object(name, "hi", b"there")
    status, headers, _ = raw(server, "DELETE", f"/v1/AUTH_test/{name}/hi",
                             {"X-Auth-Token": login(server, ADMIN)})
    assert status == 204 and headers["content-type"] == "text/html; charset=UTF-8"
    status, _, _ = raw(server, "DELETE", f"/v1/AUTH_test/{name}/hi",
                       {"X-Auth-Token": login(server, ADMIN)})
    assert status == 404
    conn.delete_container(name)
