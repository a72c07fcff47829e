"""How the Swift API answers on the wire: a kept connection said so, X-If-Delete-At on
DELETE, and a UTF-8 content type listed as text -- read with http.client, which keeps
names and bytes as sent. (Header names go out in lower case, as Starlette writes them,
except an object's user metadata, title-cased as Swift sends it: clients compare those
names as dict keys.)"""

from __future__ import annotations

import http.client
import socket
import time

from tests.integration.test_swift_edge import ADMIN, READER, login, swift, unique


def request(server: str, method: str, path: str, headers: dict[str, str],
            body: bytes = b"") -> http.client.HTTPResponse:
    host, port = server.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request(method, path, body, headers)
        response = conn.getresponse()
        response.read()
        return response
    finally:
        conn.close()


def test_object_metadata_names_are_title_cased_as_in_swift(server: str) -> None:
    conn, name = swift(server), unique("hdr")
    conn.put_container(name)
    token = login(server, ADMIN)
    path = f"/v1/AUTH_test/{name}/o"
    request(server, "PUT", path, {"X-Auth-Token": token, "x-object-meta-Color": "blUe",
                                  "X-OBJECT-META-food-2x": "PizZa"})
    for method in ("GET", "HEAD"):
        got = request(server, method, path, {"X-Auth-Token": token})
        meta = {k: v for k, v in got.getheaders() if "meta" in k.lower()}
        assert meta == {"X-Object-Meta-Color": "blUe", "X-Object-Meta-Food-2X": "PizZa"}
        assert "content-type" in dict(got.getheaders())     # the rest as before
    request(server, "PUT", f"{path}2", {"X-Auth-Token": token})
    got = request(server, "GET", f"{path}2", {"X-Auth-Token": token})
    assert not [k for k, _ in got.getheaders() if "meta" in k.lower()]
    conn.delete_object(name, "o")
    conn.delete_object(name, "o2")
    conn.delete_container(name)


def test_a_kept_connection_says_so(server: str) -> None:
    conn, name = swift(server), unique("hdr")
    conn.put_container(name)
    conn.put_object(name, "o", b"x", headers={"X-Object-Meta-Color": "blUe"})
    token = login(server, ADMIN)
    got = request(server, "GET", f"/v1/AUTH_test/{name}/o", {"X-Auth-Token": token})
    names = [k.lower() for k, _ in got.getheaders()]
    assert got.getheader("X-Object-Meta-Color") == "blUe"
    assert "connection" not in names
    kept = request(server, "GET", f"/v1/AUTH_test/{name}/o",
                   {"X-Auth-Token": token, "Connection": "keep-alive"})
    assert kept.getheader("Connection") == "keep-alive"
    conn.delete_object(name, "o")
    conn.delete_container(name)


def test_x_if_delete_at_deletes_only_what_expires_then(server: str) -> None:
    conn, name = swift(server), unique("ida")
    conn.put_container(name)
    at = int(time.time()) + 3600
    conn.put_object(name, "o", b"x", headers={"X-Delete-At": str(at)})
    conn.put_object(name, "plain", b"x")
    token = login(server, ADMIN)
    path = f"/v1/AUTH_test/{name}"
    assert request(server, "DELETE", f"{path}/o", {"X-Auth-Token": token,
                                                   "X-If-Delete-At": "bad"}).status == 400
    assert request(server, "DELETE", f"{path}/o", {"X-Auth-Token": token,
                                                   "X-If-Delete-At": str(at + 1)}).status == 412
    assert request(server, "DELETE", f"{path}/plain", {"X-Auth-Token": token,
                                                       "X-If-Delete-At": str(at)}).status == 412
    assert conn.head_object(name, "o")["x-delete-at"] == str(at)      # still there
    assert request(server, "DELETE", f"{path}/o", {"X-Auth-Token": token,
                                                   "X-If-Delete-At": str(at)}).status == 204
    assert request(server, "DELETE", f"{path}/gone", {"X-Auth-Token": token,
                                                      "X-If-Delete-At": str(at)}).status == 404
    conn.delete_object(name, "plain")
    conn.delete_container(name)


def test_a_utf8_content_type_is_listed_as_text(server: str) -> None:
    conn, name = swift(server), unique("ctype")
    conn.put_container(name)
    kind = "text/\u2603\u0902"
    token = login(server, ADMIN)
    assert request(server, "PUT", f"/v1/AUTH_test/{name}/o",
                   {"X-Auth-Token": token, "Content-Length": "1",
                    "Content-Type": kind.encode().decode("latin-1")}, b"x").status == 201
    rows = conn.get_container(name)[1]
    assert rows[0]["content_type"] == kind
    conn.delete_object(name, "o")
    conn.delete_container(name)


def test_utf8_metadata_of_every_ending_round_trips(server: str) -> None:
    """UTF-8 values whose bytes end in 0x85 or 0xa0 (whitespace to str.strip() when
    read as Latin-1): stored and read back whole (they once failed the node's
    signature check: 503)."""
    conn, name = swift(server), unique("meta8")
    conn.put_container(name)
    values = {"a": "\u5605", "b": "x\u0900", "c": "\u8508\u2603", "d": "caf\u00e9 \u00a0"}
    conn.put_object(name, "o", b"body", headers={f"X-Object-Meta-{k}": v
                                                 for k, v in values.items()})
    got = conn.head_object(name, "o")
    assert {k: got[f"x-object-meta-{k}"] for k in values} == \
        values
    conn.post_object(name, "o", headers={"X-Object-Meta-E": "\u5605\u5605"})
    assert conn.head_object(name, "o")["x-object-meta-e"] == "\u5605\u5605"
    conn.delete_object(name, "o")
    conn.delete_container(name)


def test_a_doubled_slash_is_swifts_404(server: str) -> None:
    token = login(server, ADMIN)
    got = request(server, "GET", "//v1/AUTH_test", {"X-Auth-Token": token})
    assert got.status == 404 and got.getheader("x-trans-id")


def raw_request(server: str, head: bytes, body: bytes = b"") -> bytes:
    """One request written as given (a raw UTF-8 path no client library sends)."""
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = s.recv(65536)
            if not chunk:
                break
            answer += chunk
        return answer


def test_a_raw_utf8_path_is_the_same_as_its_encoded_form(server: str) -> None:
    conn, name = swift(server), unique("raw8")
    conn.put_container(name)
    token = login(server, ADMIN).encode()
    obj = "snow\u2603man"
    answer = raw_request(server, b"PUT /v1/AUTH_test/" + name.encode() + b"/" +
                         obj.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Auth-Token: " + token +
                         b"\r\nContent-Length: 4\r\n\r\n", b"body")
    assert answer.startswith(b"HTTP/1.1 201"), answer[:200]
    assert [o["name"] for o in conn.get_container(name)[1]] == [obj]
    assert conn.get_object(name, obj)[1] == b"body"
    bad = raw_request(server, b"GET /v1/AUTH_test/" + name.encode() + b"/\xff\xfe HTTP/1.1"
                      b"\r\nHost: x\r\nX-Auth-Token: " + token + b"\r\n\r\n")
    assert bad.startswith(b"HTTP/1.1 412"), bad[:200]
    conn.delete_object(name, obj)
    conn.delete_container(name)


def test_a_body_without_a_length_gets_the_puts_411(server: str) -> None:
    """The body is not a request: the PUT before it is answered (411), then the
    connection is closed -- not a 400 for the stray bytes first."""
    conn, name = swift(server), unique("len")
    conn.put_container(name)
    token = login(server, ADMIN).encode()
    answer = raw_request(server, b"PUT /v1/AUTH_test/" + name.encode() + b"/o HTTP/1.1\r\n"
                         b"Host: x\r\nX-Auth-Token: " + token + b"\r\n\r\n", b"testing")
    assert answer.startswith(b"HTTP/1.1 411"), answer[:200]
    assert conn.get_container(name)[1] == []
    conn.delete_container(name)


def test_a_transfer_coding_other_than_chunked_is_501(server: str) -> None:
    conn, name = swift(server), unique("te")
    conn.put_container(name)
    token = login(server, ADMIN).encode()
    answer = raw_request(server, b"PUT /v1/AUTH_test/" + name.encode() + b"/o HTTP/1.1\r\n"
                         b"Host: x\r\nX-Auth-Token: " + token +
                         b"\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", b"4\r\nbody\r\n0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 501"), answer[:200]
    assert conn.get_container(name)[1] == []
    conn.delete_container(name)


def test_accounts_are_not_managed_by_put_or_delete(server: str) -> None:
    """/info says allow_account_management is off, and it is."""
    token = login(server, ADMIN)
    for method in ("PUT", "DELETE"):
        assert request(server, method, "/v1/AUTH_test", {"X-Auth-Token": token}).status \
            == 405, method
    assert swift(server).get_capabilities()["swift"]["allow_account_management"] is False


def test_rfc_compliant_etags_per_container_and_account(server: str) -> None:
    """Swift's etag_quoter: the container's setting wins over the account's; with
    neither, ETags stay bare; a reader without write rights cannot change it."""
    conn, name = swift(server), unique("etq")
    conn.put_container(name)
    conn.put_object(name, "o", b"test")
    bare = '098f6bcd4621d373cade4e832627b4f6'
    token = login(server, ADMIN)
    path = f"/v1/AUTH_test/{name}/o"

    def etag(method: str = "HEAD") -> str:
        return str(request(server, method, path, {"X-Auth-Token": token}).getheader("etag"))

    assert etag() == bare
    reader = request(server, "POST", f"/v1/AUTH_test/{name}",
                     {"X-Auth-Token": login(server, READER),
                      "X-Container-Rfc-Compliant-Etags": "t"})
    assert reader.status == 403 and etag() == bare
    conn.post_container(name, headers={"X-Container-Rfc-Compliant-Etags": "t"})
    assert etag() == f'"{bare}"' and etag("GET") == f'"{bare}"'
    assert conn.head_container(name)["x-container-rfc-compliant-etags"] == "True"
    try:
        conn.post_account(headers={"X-Account-Rfc-Compliant-Etags": "true"})
        assert conn.head_account()["x-account-rfc-compliant-etags"] == "True"
        conn.post_container(name, headers={"X-Container-Rfc-Compliant-Etags": ""})
        assert "x-container-rfc-compliant-etags" not in conn.head_container(name)
        assert etag() == f'"{bare}"'                # the account's
        conn.post_container(name, headers={"X-Container-Rfc-Compliant-Etags": "false"})
        assert etag() == bare                       # the container's wins
    finally:
        conn.post_account(headers={"X-Remove-Account-Rfc-Compliant-Etags": "x"})
    assert "x-account-rfc-compliant-etags" not in conn.head_account()
    conn.delete_object(name, "o")
    conn.delete_container(name)
