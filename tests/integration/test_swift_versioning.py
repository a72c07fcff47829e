"""Swift object versioning (X-Versions-Enabled) through python-swiftclient and raw HTTP:
versions kept on overwrite and delete, reads and deletes by version id, restoring one,
the version listing and its paging, the null version, the container's counts and
delete, large objects and symlinks in a versioned container, and the refusals (POST
with a version, a bad id, a non-owner asking for a version, XML listings, a body on a
restore)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import swiftclient
from swiftclient.exceptions import ClientException

from tests.integration.test_large_objects_both_apis import cli
from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, READER, login, swift, unique

MARKER = "application/x-deleted;swift_versions_deleted=1"


@pytest.fixture()
def box(server: str) -> Iterator[str]:
    conn, name = swift(server), unique("ver")
    conn.put_container(name, headers={"X-Versions-Enabled": "true"})
    yield name
    conn.post_container(name, headers={"X-Versions-Enabled": "false"})
    for entry in versions(conn, name):
        conn.delete_object(name, entry["name"],
                           query_string=f"version-id={entry['version_id']}")
    for obj in conn.get_container(name)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def versions(conn: swiftclient.Connection, container: str, query: str = "") -> list[Any]:
    return conn.get_container(container, query_string="versions" + query)[1]


def put(conn: swiftclient.Connection, container: str, name: str, body: bytes,
        **headers: str) -> str:
    out: dict[str, Any] = {}
    conn.put_object(container, name, body, headers=headers, response_dict=out)
    return str(out["headers"]["x-object-version-id"])


def status_of(call: Any) -> int:
    with pytest.raises(ClientException) as caught:
        call()
    return int(caught.value.http_status or 0)


def test_overwrites_and_deletes_keep_every_version(server: str, box: str) -> None:
    conn = swift(server)
    v1 = put(conn, box, "doc", b"one", **{"Content-Type": "text/one", "X-Object-Meta-N": "1"})
    v2 = put(conn, box, "doc", b"two!", **{"Content-Type": "text/two"})
    assert v1 < v2
    headers, body = conn.get_object(box, "doc")
    assert body == b"two!" and headers["x-object-version-id"] == v2
    assert headers["content-location"].endswith(f"/{box}/doc?version-id={v2}")
    old, body = conn.get_object(box, "doc", query_string=f"version-id={v1}")
    assert body == b"one" and old["content-type"] == "text/one"
    assert old["x-object-meta-n"] == "1" and "x-object-meta-n" not in headers
    out: dict[str, Any] = {}
    conn.delete_object(box, "doc", response_dict=out)
    marker = out["headers"]["x-object-version-id"]
    assert status_of(lambda: conn.get_object(box, "doc")) == 404
    assert conn.get_container(box)[1] == []
    listed = versions(conn, box)
    assert [(e["version_id"], e["is_latest"], e["content_type"], e["bytes"])
            for e in listed] == [(marker, True, MARKER, 0), (v2, False, "text/two", 4),
                                 (v1, False, "text/one", 3)]
    assert listed[1]["hash"] == hashlib.md5(b"two!").hexdigest()
    # reading the marker by id: 404 that says what it is
    status, marker_headers, _ = raw(server, "HEAD", f"/v1/AUTH_test/{box}/doc?version-id="
                                    f"{marker}", {"X-Auth-Token": login(server, ADMIN)})
    assert status == 404 and marker_headers["content-type"] == MARKER
    assert marker_headers["x-object-version-id"] == marker


def test_the_container_shows_current_versions_and_counts_all_their_bytes(server: str,
                                                                        box: str) -> None:
    conn = swift(server)
    put(conn, box, "a", b"12345")
    v2 = put(conn, box, "a", b"1234567")
    [row] = conn.get_container(box)[1]
    assert row["bytes"] == 7 and row["hash"] == hashlib.md5(b"1234567").hexdigest()
    assert row["version_symlink"] is True and row["symlink_path"].endswith(f"?version-id={v2}")
    head = conn.head_container(box)
    assert head["x-versions-enabled"] == "True"
    assert head["x-container-object-count"] == "1"
    assert head["x-container-bytes-used"] == "12"       # both versions are kept
    names = [c["name"] for c in conn.get_account()[1]]
    assert box in names and not any(n.startswith("\x00") for n in names)


def test_delete_by_version_id(server: str, box: str) -> None:
    conn = swift(server)
    v1 = put(conn, box, "o", b"v1")
    v2 = put(conn, box, "o", b"v2")
    out: dict[str, Any] = {}
    conn.delete_object(box, "o", query_string=f"version-id={v1}", response_dict=out)
    assert out["headers"]["x-object-version-id"] == v1
    assert out["headers"]["x-object-current-version-id"] == v2
    assert conn.get_object(box, "o")[1] == b"v2"
    # the current one by id: it is gone, and nothing older takes its place (Swift's way)
    conn.delete_object(box, "o", query_string=f"version-id={v2}")
    assert status_of(lambda: conn.get_object(box, "o")) == 404
    assert versions(conn, box) == []
    assert status_of(lambda: conn.get_object(box, "o", query_string=f"version-id={v1}")) \
        == 404


def test_a_version_is_made_current_again_by_put_with_its_id(server: str, box: str) -> None:
    conn = swift(server)
    v1 = put(conn, box, "o", b"first", **{"Content-Type": "text/a"})
    put(conn, box, "o", b"second")
    out: dict[str, Any] = {}
    conn.put_object(box, "o", b"", query_string=f"version-id={v1}", response_dict=out)
    assert out["status"] == 201 and out["headers"]["x-object-version-id"] == v1
    headers, body = conn.get_object(box, "o")
    assert body == b"first" and headers["content-type"] == "text/a"
    assert [e["is_latest"] for e in versions(conn, box)] == [False, True]
    token = login(server, ADMIN)
    path = f"/v1/AUTH_test/{box}/o?version-id={v1}"
    assert raw(server, "PUT", path, {"X-Auth-Token": token, "Content-Length": "3"},
               b"abc")[0] == 400
    missing = "1000000000.00000"
    assert raw(server, "PUT", f"/v1/AUTH_test/{box}/o?version-id={missing}",
               {"X-Auth-Token": token, "Content-Length": "0"})[0] == 404
    assert raw(server, "PUT", f"/v1/AUTH_test/{box}/o?version-id=null",
               {"X-Auth-Token": token, "Content-Length": "0"})[0] == 400


def test_a_copy_of_an_old_version_is_a_new_version(server: str, box: str) -> None:
    conn = swift(server)
    v1 = put(conn, box, "o", b"old")
    put(conn, box, "o", b"new")
    status, headers, _ = raw(server, "COPY", f"/v1/AUTH_test/{box}/o?version-id={v1}",
                             {"X-Auth-Token": login(server, ADMIN),
                              "Destination": f"{box}/o"})
    assert status == 201
    v3 = headers["x-object-version-id"]
    assert v3 > v1 and conn.get_object(box, "o")[1] == b"old"
    assert len(versions(conn, box)) == 3
    # restoring a deleted object: its current is a marker, its versions are there
    conn.delete_object(box, "o")
    assert raw(server, "COPY", f"/v1/AUTH_test/{box}/o?version-id={v1}",
               {"X-Auth-Token": login(server, ADMIN), "Destination": f"{box}/o"})[0] == 201
    assert conn.get_object(box, "o")[1] == b"old"


def test_null_versions_written_before_and_while_disabled(server: str) -> None:
    conn, name = swift(server), unique("ver-null")
    conn.put_container(name)
    conn.put_object(name, "o", b"plain")
    headers, _ = conn.get_object(name, "o", query_string="version-id=null")
    assert headers["x-object-version-id"] == "null"
    # a versioned request on a never-versioned container: refused, except for null
    assert status_of(lambda: conn.get_object(
        name, "o", query_string="version-id=1000000000.00000")) == 400
    conn.post_container(name, headers={"X-Versions-Enabled": "true"})
    v1 = put(conn, name, "o", b"versioned")
    listed = versions(conn, name)
    assert [e["bytes"] for e in listed] == [9, 5]     # the plain one was kept
    assert listed[0]["version_id"] == v1 and listed[0]["is_latest"]
    conn.post_container(name, headers={"X-Versions-Enabled": "false"})
    assert conn.head_container(name)["x-versions-enabled"] == "False"
    conn.put_object(name, "o", b"null again")
    listed = versions(conn, name)
    assert (listed[0]["version_id"], listed[0]["is_latest"]) == ("null", True)
    assert len(listed) == 3
    # a container that had versions cannot go while they remain
    conn.delete_object(name, "o")
    assert status_of(lambda: conn.delete_container(name)) == 409
    for entry in versions(conn, name):
        conn.delete_object(name, "o", query_string=f"version-id={entry['version_id']}")
    conn.delete_container(name)
    assert status_of(lambda: conn.head_container(name)) == 404


def test_version_listing_pages_with_marker_and_version_marker(server: str, box: str) -> None:
    conn = swift(server)
    ids = {name: [put(conn, box, name, f"{name}{i}".encode()) for i in range(3)]
           for name in ("a", "b/1", "b/2", "c")}
    every = versions(conn, box)
    assert [(e["name"], e["version_id"]) for e in every] == [
        (name, vid) for name in ("a", "b/1", "b/2", "c") for vid in reversed(ids[name])]
    assert versions(conn, box, "&reverse=true") == every[::-1]
    # page through, two at a time, with marker and version_marker
    seen: list[Any] = []
    query = "&limit=2"
    while True:
        page = versions(conn, box, query)
        if not page:
            break
        seen += page
        last = page[-1]
        query = f"&limit=2&marker={last['name']}&version_marker={last['version_id']}"
    assert seen == every
    assert [e.get("subdir") or e["name"] for e in versions(conn, box, "&delimiter=/")] == \
        ["a", "a", "a", "b/", "c", "c", "c"]
    assert {e["name"] for e in versions(conn, box, "&prefix=b/")} == {"b/1", "b/2"}
    assert [e["is_latest"] for e in versions(conn, box, "&prefix=c")] == [True, False, False]
    after_a = versions(conn, box, "&marker=a")
    assert after_a[0]["name"] == "b/1"


def test_version_listing_from_a_null_version_marker(server: str, box: str) -> None:
    """`marker=X&version_marker=null` lists X's versions and what follows, as OpenStack
    Swift does: from just before X's versions, without asking which of X's is current
    (Swift marks none of them latest, save its first delete marker)."""
    conn = swift(server)
    put(conn, box, "a", b"a1")
    b1, b2 = put(conn, box, "b", b"b1"), put(conn, box, "b", b"b2")
    c1 = put(conn, box, "c", b"c1")
    out: dict[str, Any] = {}
    conn.delete_object(box, "c", response_dict=out)
    c_marker = out["headers"]["x-object-version-id"]
    listed = [(e["name"], e["version_id"], e["is_latest"])
              for e in versions(conn, box, "&marker=b&version_marker=null")]
    assert listed == [("b", b2, False), ("b", b1, False), ("c", c_marker, True),
                      ("c", c1, False)]
    listed = [(e["name"], e["version_id"], e["is_latest"])
              for e in versions(conn, box, "&marker=c&version_marker=null")]
    assert listed == [("c", c_marker, True), ("c", c1, False)]
    # without version_marker, the marker's versions are passed and latest is known
    assert [(e["name"], e["is_latest"]) for e in versions(conn, box, "&marker=a")] == \
        [("b", True), ("b", False), ("c", True), ("c", False)]


def test_listing_refusals(server: str, box: str) -> None:
    token = login(server, ADMIN)
    for query, status in (("versions&format=xml", 406), ("versions&format=plain", 406),
                          ("versions&delimiter=1", 400), ("versions&version_marker=x", 400),
                          ("versions&marker=a&version_marker=zz", 400)):
        assert raw(server, "GET", f"/v1/AUTH_test/{box}?{query}",
                   {"X-Auth-Token": token})[0] == status, query
    assert raw(server, "GET", f"/v1/AUTH_test/{box}?versions",
               {"X-Auth-Token": token, "Accept": "text/xml"})[0] == 406


def test_object_refusals(server: str, box: str) -> None:
    conn = swift(server)
    put(conn, box, "o", b"x")
    token = login(server, ADMIN)
    path = f"/v1/AUTH_test/{box}/o"
    assert raw(server, "POST", path + "?version-id=null", {"X-Auth-Token": token})[0] == 400
    for bad in ("1", "abc", "1000000000.0000", "../x"):
        assert raw(server, "GET", f"{path}?version-id={bad}",
                   {"X-Auth-Token": token})[0] == 400, bad


def test_only_owners_ask_for_versions(server: str, box: str) -> None:
    conn = swift(server)
    vid = put(conn, box, "o", b"data")
    other = swift(server, READER)
    conn.post_container(box, headers={"X-Container-Read": "test:reader"})
    assert other.get_object(box, "o")[1] == b"data"       # the ACL reads the current
    assert status_of(lambda: other.get_object(box, "o", query_string=f"version-id={vid}")) \
        == 403
    assert status_of(lambda: other.delete_object(
        box, "o", query_string=f"version-id={vid}")) == 403
    assert conn.get_object(box, "o")[1] == b"data"


def test_post_changes_the_current_version_without_a_new_one(server: str, box: str) -> None:
    conn = swift(server)
    vid = put(conn, box, "o", b"data", **{"Content-Type": "text/before"})
    conn.post_object(box, "o", headers={"X-Object-Meta-Colour": "red"})
    conn.post_object(box, "o", headers={"Content-Type": "text/after",
                                        "X-Object-Meta-Colour": "blue"})
    headers = conn.head_object(box, "o")
    assert headers["content-type"] == "text/after" and headers["x-object-meta-colour"] == "blue"
    [entry] = versions(conn, box)
    assert (entry["version_id"], entry["content_type"]) == (vid, "text/after")
    assert conn.get_container(box)[1][0]["content_type"] == "text/after"


def test_large_objects_and_links_are_versioned_too(server: str, box: str) -> None:
    conn = swift(server)
    seg = unique("ver-seg")
    conn.put_container(seg)
    try:
        for i in (1, 2):
            conn.put_object(seg, f"s{i}", bytes([48 + i]) * 1024 * 1024)
        manifest = [{"path": f"/{seg}/s{i}"} for i in (1, 2)]
        v1 = put(conn, box, "big", b"x")
        out: dict[str, Any] = {}
        conn.put_object(box, "big", json.dumps(manifest),
                        query_string="multipart-manifest=put", response_dict=out)
        v2 = out["headers"]["x-object-version-id"]
        headers, body = conn.get_object(box, "big")
        assert len(body) == 2 * 1024 * 1024 and headers["x-object-version-id"] == v2
        assert conn.get_object(box, "big", query_string=f"version-id={v1}")[1] == b"x"
        row = conn.get_container(box)[1][0]
        assert row["bytes"] == 2 * 1024 * 1024 and "slo_etag" in row
        conn.put_object(box, "link", b"", headers={"X-Symlink-Target": f"{box}/big"})
        assert len(conn.get_object(box, "link")[1]) == 2 * 1024 * 1024
    finally:
        for name in ("s1", "s2"):
            conn.delete_object(seg, name)
        conn.delete_container(seg)


def test_a_quota_counts_the_kept_versions(server: str, box: str) -> None:
    conn = swift(server)
    put(conn, box, "o", b"aaaaa")
    put(conn, box, "o", b"bbbbb")
    conn.post_container(box, headers={"X-Container-Meta-Quota-Bytes": "10"})
    assert status_of(lambda: conn.put_object(box, "o", b"ccccc")) == 413
    conn.post_container(box, headers={"X-Container-Meta-Quota-Bytes": ""})


def test_a_refused_container_delete_keeps_versioning_working(server: str) -> None:
    """A container that had versioning but holds an object (and no versions yet): its
    DELETE is 409, and it still keeps versions afterwards."""
    conn, name = swift(server), unique("ver-keep")
    conn.put_container(name)
    conn.put_object(name, "plain", b"p")
    conn.post_container(name, headers={"X-Versions-Enabled": "true"})
    assert status_of(lambda: conn.delete_container(name)) == 409
    put(conn, name, "plain", b"second")
    assert [e["bytes"] for e in versions(conn, name)] == [6, 1]
    conn.post_container(name, headers={"X-Versions-Enabled": "false"})
    conn.delete_object(name, "plain")
    for entry in versions(conn, name):
        conn.delete_object(name, "plain", query_string=f"version-id={entry['version_id']}")
    conn.delete_container(name)
    assert status_of(lambda: conn.head_container(name)) == 404


def test_the_swift_command_keeps_and_lists_versions(server: str, tmp_path: Path) -> None:
    """The `swift` CLI: enable versioning, upload twice, list every version, download
    the old one by id, delete (a marker), then remove the versions."""
    name = unique("ver-cli")
    cli(server, tmp_path, "post", "-H", "X-Versions-Enabled: true", name)
    (tmp_path / "f.txt").write_bytes(b"first")
    cli(server, tmp_path, "upload", name, "f.txt")
    (tmp_path / "f.txt").write_bytes(b"second!")
    cli(server, tmp_path, "upload", name, "f.txt")
    listed = cli(server, tmp_path, "list", "--versions", name).stdout
    assert listed.count("f.txt") == 2, listed
    conn = swift(server)
    old = versions(conn, name)[1]["version_id"]
    cli(server, tmp_path, "download", name, "f.txt", "-o", "old.txt",
        "--version-id", old)
    assert (tmp_path / "old.txt").read_bytes() == b"first"
    cli(server, tmp_path, "delete", name, "f.txt")
    assert versions(conn, name)[0]["content_type"] == MARKER
    cli(server, tmp_path, "post", "-H", "X-Versions-Enabled: false", name)
    for entry in versions(conn, name):
        conn.delete_object(name, "f.txt", query_string=f"version-id={entry['version_id']}")
    cli(server, tmp_path, "delete", name)
    assert status_of(lambda: conn.head_container(name)) == 404
