"""Swift symlinks through python-swiftclient and raw HTTP: dynamic and static links,
?symlink=get, chains and their limit, POST's 307, copies, listings, and the refusals
(a body, a malformed or self target, a static link to nothing or another ETag, a
target the requester may not read)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

import pytest
import requests
import swiftclient

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, OTHER, login, s3, swift, unique

ME = "/v1/AUTH_test"


@pytest.fixture()
def box(server: str) -> Iterator[str]:
    conn, name = swift(server), unique("sym")
    conn.put_container(name)
    conn.put_object(name, "target.txt", b"the target", content_type="text/plain",
                    headers={"X-Object-Meta-Colour": "blue"})
    yield name
    for obj in conn.get_container(name)[1]:
        conn.delete_object(name, obj["name"], query_string="symlink=get")
    conn.delete_container(name)


def link(conn: swiftclient.Connection, container: str, name: str, target: str,
         **headers: str) -> None:
    conn.put_object(container, name, b"", headers={"X-Symlink-Target": target, **headers})


def test_a_link_reads_as_its_target_and_symlink_get_reads_the_link(server: str,
                                                                   box: str) -> None:
    conn = swift(server)
    link(conn, box, "link", f"{box}/target.txt")
    headers, body = conn.get_object(box, "link")
    assert body == b"the target" and headers["x-object-meta-colour"] == "blue"
    assert headers["content-location"] == f"{ME}/{box}/target.txt"
    assert conn.head_object(box, "link")["content-length"] == "10"
    own, empty = conn.get_object(box, "link", query_string="symlink=get")
    assert empty == b"" and own["x-symlink-target"] == f"{box}/target.txt"
    assert own["content-type"] == "application/symlink"
    ranged = conn.get_object(box, "link", headers={"Range": "bytes=4-9"})[1]
    assert ranged == b"target"
    conn.delete_object(box, "link")         # the link goes, the target stays
    assert conn.get_object(box, "target.txt")[1] == b"the target"


def test_a_link_to_nothing_is_404_until_the_target_exists(server: str, box: str) -> None:
    conn = swift(server)
    link(conn, box, "early", f"{box}/later.txt")
    with pytest.raises(swiftclient.ClientException) as info:
        conn.get_object(box, "early")
    assert info.value.http_status == 404       # and says which target is missing
    assert info.value.http_response_headers["content-location"] == \
        f"{ME}/{box}/later.txt"
    conn.put_object(box, "later.txt", b"now here")
    assert conn.get_object(box, "early")[1] == b"now here"


def test_chains_are_followed_up_to_the_limit(server: str, box: str) -> None:
    conn = swift(server)
    link(conn, box, "l1", f"{box}/target.txt")
    link(conn, box, "l2", f"{box}/l1")
    assert conn.get_object(box, "l2")[1] == b"the target"       # two links: fine
    link(conn, box, "l3", f"{box}/l2")
    with pytest.raises(swiftclient.ClientException) as info:
        conn.get_object(box, "l3")
    assert info.value.http_status == 409 and b"Too many levels" in \
        info.value.http_response_content
    link(conn, box, "a", f"{box}/b")
    link(conn, box, "b", f"{box}/a")                             # a loop: the same 409
    with pytest.raises(swiftclient.ClientException) as info:
        conn.get_object(box, "a")
    assert info.value.http_status == 409


def test_static_links_check_the_targets_etag(server: str, box: str) -> None:
    conn = swift(server)
    etag = hashlib.md5(b"the target").hexdigest()
    link(conn, box, "static", f"{box}/target.txt", **{"X-Symlink-Target-Etag": etag})
    own = conn.head_object(box, "static", query_string="symlink=get")
    assert own["x-symlink-target-etag"] == etag and own["x-symlink-target-bytes"] == "10"
    assert own["content-type"] == "text/plain"          # the target's, by default
    assert conn.get_object(box, "static")[1] == b"the target"
    conn.put_object(box, "target.txt", b"changed")
    with pytest.raises(swiftclient.ClientException) as info:
        conn.get_object(box, "static")
    assert info.value.http_status == 409
    for target, tag in ((f"{box}/target.txt", "0" * 32), (f"{box}/nowhere", etag)):
        with pytest.raises(swiftclient.ClientException) as info:
            link(conn, box, "bad-static", target, **{"X-Symlink-Target-Etag": tag})
        assert info.value.http_status == 409
    with pytest.raises(swiftclient.ClientException):
        conn.head_object(box, "bad-static", query_string="symlink=get")


@pytest.mark.parametrize("headers, body, status", [
    ({"X-Symlink-Target": "no-slash"}, b"", 412),
    ({"X-Symlink-Target": "/leading/slash"}, b"", 412),
    ({"X-Symlink-Target": "c/"}, b"", 412),
    ({"X-Symlink-Target": "{box}/self"}, b"", 400),
    ({"X-Symlink-Target": "{box}/target.txt"}, b"not empty", 400),
    ({"X-Symlink-Target": "{box}/target.txt", "X-Symlink-Target-Etag": 'a"b'}, b"", 400),
])
def test_malformed_links_are_refused(server: str, box: str, headers: dict[str, str],
                                     body: bytes, status: int) -> None:
    headers = {k: v.format(box=box) for k, v in headers.items()}
    got = raw(server, "PUT", f"{ME}/{box}/self", {"X-Auth-Token": login(server, ADMIN),
                                                 "Content-Length": str(len(body)),
                                                 **headers}, body)
    assert got[0] == status
    if status == 412:                           # Swift's own words, not a generic page
        assert got[2] == b"X-Symlink-Target header must be of the form " \
            b"<container name>/<object name>"
    with pytest.raises(swiftclient.ClientException):
        swift(server).head_object(box, "self", query_string="symlink=get")


def test_post_to_a_link_is_307_and_post_may_not_make_one(server: str, box: str) -> None:
    conn, tok = swift(server), login(server, ADMIN)
    link(conn, box, "link", f"{box}/target.txt")
    status, headers, _ = raw(server, "POST", f"{ME}/{box}/link",
                             {"X-Auth-Token": tok, "X-Object-Meta-On-Link": "yes"})
    assert status == 307 and headers["location"] == f"{ME}/{box}/target.txt"
    assert conn.head_object(box, "link", query_string="symlink=get")[
        "x-object-meta-on-link"] == "yes"
    assert raw(server, "POST", f"{ME}/{box}/target.txt",
               {"X-Auth-Token": tok, "X-Symlink-Target": f"{box}/x"})[0] == 400


def test_copies_copy_the_target_or_with_symlink_get_the_link(server: str,
                                                             box: str) -> None:
    conn = swift(server)
    link(conn, box, "link", f"{box}/target.txt")
    conn.copy_object(box, "link", f"/{box}/copied")
    copied = conn.get_object(box, "copied", query_string="symlink=get")
    assert copied[1] == b"the target" and "x-symlink-target" not in copied[0]
    tok = login(server, ADMIN)
    assert raw(server, "COPY", f"{ME}/{box}/link?symlink=get",
               {"X-Auth-Token": tok, "Destination": f"{box}/link-copy"})[0] == 201
    assert conn.head_object(box, "link-copy", query_string="symlink=get")[
        "x-symlink-target"] == f"{box}/target.txt"
    assert conn.get_object(box, "link-copy")[1] == b"the target"


def test_listings_show_links_in_json_only(server: str, box: str) -> None:
    conn = swift(server)
    etag = hashlib.md5(b"the target").hexdigest()
    link(conn, box, "dyn", f"{box}/target.txt")
    link(conn, box, "stat", f"{box}/target.txt", **{"X-Symlink-Target-Etag": etag})
    entries = {e["name"]: e for e in conn.get_container(box)[1]}
    assert entries["dyn"]["symlink_path"] == f"{ME}/{box}/target.txt"
    assert entries["dyn"]["hash"] == "d41d8cd98f00b204e9800998ecf8427e"
    assert entries["stat"]["symlink_etag"] == etag and entries["stat"]["symlink_bytes"] == 10
    assert "symlink_path" not in entries["target.txt"]
    xml = requests.get(f"{server}{ME}/{box}?format=xml",
                       headers={"X-Auth-Token": login(server, ADMIN)}, timeout=10).text
    assert "symlink_path" not in xml and "d41d8cd98f00b204e9800998ecf8427e<" in xml
    # S3 lists the link as the empty object it is, its ETag without the parameters
    listed = {o["Key"]: o for o in s3(server).list_objects_v2(Bucket=box)["Contents"]}
    assert listed["dyn"]["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'


def test_a_link_lends_no_access(server: str, box: str) -> None:
    """A user who may read the link's container but not the target's gets 403."""
    conn = swift(server)
    secret = unique("sym-secret")
    conn.put_container(secret)
    conn.put_object(secret, "s.txt", b"secret")
    try:
        conn.post_container(box, {"X-Container-Read": "other"})
        link(conn, box, "to-secret", f"{secret}/s.txt")
        tok = login(server, OTHER)
        status, _, body = raw(server, "GET", f"{ME}/{box}/to-secret", {"X-Auth-Token": tok})
        assert status == 403 and b"secret" not in body
        # the refusal still names where the link points, as Swift's does
        assert raw(server, "GET", f"{ME}/{box}/to-secret", {"X-Auth-Token": tok})[1][
            "content-location"] == f"{ME}/{secret}/s.txt"
        conn.post_container(secret, {"X-Container-Read": "other"})
        assert raw(server, "GET", f"{ME}/{box}/to-secret", {"X-Auth-Token": tok})[2] == \
            b"secret"
    finally:
        conn.delete_object(secret, "s.txt")
        conn.delete_container(secret)


def test_a_copy_of_a_link_may_point_into_another_account(server: str, box: str) -> None:
    conn = swift(server)
    link(conn, box, "link", f"{box}/target.txt")
    tok = login(server, ADMIN)
    assert raw(server, "PUT", f"{ME}/{box}/moved?symlink=get",
               {"X-Auth-Token": tok, "X-Copy-From": f"{box}/link",
                "X-Symlink-Target-Account": "AUTH_other", "Content-Length": "0"})[0] == 201
    moved = conn.head_object(box, "moved", query_string="symlink=get")
    assert moved["x-symlink-target-account"] == "AUTH_other"
    [row] = [e for e in conn.get_container(box)[1] if e["name"] == "moved"]
    assert row["symlink_path"] == f"/v1/AUTH_other/{box}/target.txt"


def test_a_static_link_to_a_large_object_checks_and_lists_its_manifest(
        server: str, box: str) -> None:
    conn = swift(server)
    conn.put_object(box, "seg", b"s" * 10)
    manifest = json.dumps([{"path": f"/{box}/seg"}])
    conn.put_object(box, "big", manifest, query_string="multipart-manifest=put")
    raw_etag = conn.head_object(box, "big", query_string="multipart-manifest=get")["etag"]
    link(conn, box, "to-big", f"{box}/big", **{"X-Symlink-Target-Etag": raw_etag})
    assert conn.get_object(box, "to-big")[1] == b"s" * 10
    [row] = [e for e in conn.get_container(box)[1] if e["name"] == "to-big"]
    assert row["symlink_etag"] == raw_etag.strip('"') and row["symlink_bytes"] == 10
    assert row["slo_etag"] == conn.head_object(box, "big")["etag"]


def test_info_advertises_symlinks(server: str) -> None:
    info = json.loads(raw(server, "GET", "/info")[2])
    assert info["symlink"] == {"symloop_max": 2}
