"""Swift ACLs through python-swiftclient and raw HTTP: container read and write ACLs
(groups, referrers, .rlistings), account ACLs (read-only, read-write, admin), what only
owners see and set, copies needing both sides, and the ACL strings Swift refuses.

Users (tests/integration/conftest.py): test:tester (admin of AUTH_test), other:someone
(admin of AUTH_other), test:reader (a non-admin user of AUTH_test)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests
import swiftclient

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, OTHER, READER, login, swift, unique

ME = "/v1/AUTH_test"


def status_of(call: object, *args: object, **kw: object) -> int:
    """The HTTP status a swiftclient call ended with (2xx if it returned)."""
    try:
        call(*args, **kw)   # type: ignore[operator]
    except swiftclient.ClientException as exc:
        return int(exc.http_status or 0)
    return 200


@pytest.fixture()
def shared(server: str) -> Iterator[str]:
    """A container of AUTH_test holding one object, no ACLs yet."""
    conn, name = swift(server), unique("acl")
    conn.put_container(name)
    conn.put_object(name, "doc.txt", b"shared doc")
    yield name
    for obj in conn.get_container(name)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def as_user(server: str, user: tuple[str, str]) -> swiftclient.Connection:
    """A connection for `user` that works in AUTH_test (not its own account)."""
    token = login(server, user)
    return swiftclient.Connection(preauthurl=f"{server}{ME}", preauthtoken=token,
                                  retries=0)


def test_without_an_acl_other_users_are_refused_and_anonymous_is_401(
        server: str, shared: str) -> None:
    other, reader = as_user(server, OTHER), as_user(server, READER)
    for conn in (other, reader):
        assert status_of(conn.get_object, shared, "doc.txt") == 403
        assert status_of(conn.get_container, shared) == 403
        assert status_of(conn.head_account) == 403
    assert requests.get(f"{server}{ME}/{shared}/doc.txt", timeout=10).status_code == 401


def test_a_read_acl_lets_its_groups_read_and_list_but_not_write(
        server: str, shared: str) -> None:
    swift(server).post_container(shared, {"X-Container-Read": "other:someone"})
    other = as_user(server, OTHER)
    assert other.get_object(shared, "doc.txt")[1] == b"shared doc"
    assert [o["name"] for o in other.get_container(shared)[1]] == ["doc.txt"]
    assert status_of(other.put_object, shared, "new.txt", b"x") == 403
    assert status_of(other.delete_object, shared, "doc.txt") == 403
    assert status_of(other.post_container, shared, {"X-Container-Meta-A": "1"}) == 403
    assert status_of(other.head_account) == 403            # the account stays closed
    # and not to a user the ACL does not name
    assert status_of(as_user(server, READER).get_object, shared, "doc.txt") == 403


def test_an_account_name_in_an_acl_grants_all_its_users(server: str, shared: str) -> None:
    swift(server).post_container(shared, {"X-Container-Read": "test"})
    assert as_user(server, READER).get_object(shared, "doc.txt")[1] == b"shared doc"


def test_a_write_acl_lets_its_groups_write_objects_only(server: str, shared: str) -> None:
    swift(server).post_container(shared, {"X-Container-Write": "test:reader"})
    reader = as_user(server, READER)
    reader.put_object(shared, "by-reader.txt", b"written")
    assert swift(server).get_object(shared, "by-reader.txt")[1] == b"written"
    reader.delete_object(shared, "by-reader.txt")
    assert status_of(reader.get_object, shared, "doc.txt") == 403    # no read ACL
    assert status_of(reader.get_container, shared) == 403
    assert status_of(reader.delete_container, shared) == 403
    assert status_of(reader.post_container, shared, {"X-Container-Meta-A": "1"}) == 403


def test_public_read_with_and_without_listings(server: str, shared: str) -> None:
    conn = swift(server)
    conn.post_container(shared, {"X-Container-Read": ".r:*"})
    assert requests.get(f"{server}{ME}/{shared}/doc.txt", timeout=10).content == b"shared doc"
    assert requests.get(f"{server}{ME}/{shared}", timeout=10).status_code == 401
    assert requests.put(f"{server}{ME}/{shared}/anon", data=b"x", timeout=10).status_code \
        == 401
    conn.post_container(shared, {"X-Container-Read": ".r:*,.rlistings"})
    listing = requests.get(f"{server}{ME}/{shared}", timeout=10)
    assert listing.status_code == 200 and listing.text == "doc.txt\n"
    assert requests.get(f"{server}{ME}", timeout=10).status_code == 401   # not the account


def test_referrer_rules_apply_in_order(server: str, shared: str) -> None:
    swift(server).post_container(
        shared, {"X-Container-Read": ".r:.example.com,.r:-bad.example.com"})
    url = f"{server}{ME}/{shared}/doc.txt"

    def get(referer: str | None) -> int:
        headers = {"Referer": referer} if referer else {}
        return requests.get(url, headers=headers, timeout=10).status_code
    assert get("http://www.example.com/page") == 200
    assert get("http://bad.example.com/page") == 401
    assert get("http://example.org/") == 401
    assert get(None) == 401


def test_only_owners_see_and_set_acls_and_tempurl_keys(server: str, shared: str) -> None:
    conn = swift(server)
    conn.post_container(shared, {"X-Container-Read": "other", "X-Container-Write": "other",
                                 "X-Container-Meta-Temp-URL-Key": "ckey"})
    mine = conn.head_container(shared)
    assert mine["x-container-read"] == "other" and mine["x-container-write"] == "other"
    assert mine["x-container-meta-temp-url-key"] == "ckey"
    other = as_user(server, OTHER)
    theirs = other.get_container(shared)[0]
    assert "x-container-read" not in theirs and "x-container-write" not in theirs
    assert "x-container-meta-temp-url-key" not in theirs
    tok = login(server, OTHER)
    status = raw(server, "PUT", f"{ME}/{shared}/o",
                 {"X-Auth-Token": tok, "Content-Length": "0", "X-Container-Read": ".r:*"})[0]
    assert status == 201        # an object PUT: the header is not an object's to set
    conn.post_account({"X-Account-Access-Control": json.dumps({"read-write": ["other"]})})
    try:
        status = raw(server, "POST", f"{ME}/{shared}",
                     {"X-Auth-Token": tok, "X-Container-Read": ".r:*"})[0]
        assert status == 403
        assert conn.head_container(shared)["x-container-read"] == "other"
    finally:
        conn.post_account({"X-Account-Access-Control": ""})


def test_account_acls_read_only_read_write_admin(server: str, shared: str) -> None:
    conn = swift(server)
    conn.post_account({"X-Account-Meta-Colour": "green",
                       "X-Account-Meta-Temp-URL-Key": "akey"})
    other = as_user(server, OTHER)
    try:
        conn.post_account({"X-Account-Access-Control": json.dumps({"read-only": ["other"]})})
        assert conn.head_account()["x-account-access-control"] == '{"read-only":["other"]}'
        head = other.head_account()
        assert head["x-account-meta-colour"] == "green"
        assert "x-account-meta-temp-url-key" not in head
        assert "x-account-access-control" not in head
        assert shared in [c["name"] for c in other.get_account()[1]]
        assert other.get_object(shared, "doc.txt")[1] == b"shared doc"
        assert status_of(other.put_object, shared, "ro.txt", b"x") == 403
        assert status_of(other.post_account, {"X-Account-Meta-Colour": "red"}) == 403

        conn.post_account({"X-Account-Access-Control":
                           json.dumps({"read-write": ["other:someone"]})})
        other.put_object(shared, "rw.txt", b"rw")
        other.put_container(shared + "-rw")
        other.delete_container(shared + "-rw")
        assert status_of(other.post_account, {"X-Account-Meta-Colour": "red"}) == 403
        assert "x-account-meta-temp-url-key" not in other.head_account()

        conn.post_account({"X-Account-Access-Control": json.dumps({"admin": ["other"]})})
        assert other.head_account()["x-account-meta-temp-url-key"] == "akey"
        other.post_account({"X-Account-Meta-Colour": "red"})
        assert conn.head_account()["x-account-meta-colour"] == "red"
    finally:
        conn.post_account({"X-Account-Access-Control": "",
                           "X-Remove-Account-Meta-Colour": "x",
                           "X-Remove-Account-Meta-Temp-URL-Key": "x"})
    assert "x-account-access-control" not in conn.head_account()
    assert status_of(other.head_account) == 403


def test_a_copy_needs_read_on_the_source_and_write_on_the_destination(
        server: str, shared: str) -> None:
    conn = swift(server)
    dest = unique("acl-dest")
    conn.put_container(dest, {"X-Container-Write": "test:reader"})
    reader = as_user(server, READER)
    try:
        assert status_of(reader.put_object, dest, "copy", None,
                         headers={"X-Copy-From": f"{shared}/doc.txt"}) == 403
        conn.post_container(shared, {"X-Container-Read": "test:reader"})
        reader.put_object(dest, "copy", None, headers={"X-Copy-From": f"{shared}/doc.txt"})
        assert conn.get_object(dest, "copy")[1] == b"shared doc"
        # COPY the other way: the reader may not write into `shared`
        assert status_of(reader.copy_object, dest, "copy", f"/{shared}/back") == 403
    finally:
        for obj in conn.get_container(dest)[1]:
            conn.delete_object(dest, obj["name"])
        conn.delete_container(dest)


@pytest.mark.parametrize("header, value", [
    ("X-Container-Read", ".r:"),
    ("X-Container-Read", ".r:-"),
    ("X-Container-Read", ".unknown:thing"),
    ("X-Container-Write", ".r:*"),
])
def test_container_acls_swift_refuses(server: str, shared: str, header: str,
                                      value: str) -> None:
    status, _, body = raw(server, "POST", f"{ME}/{shared}",
                          {"X-Auth-Token": login(server, ADMIN), header: value})
    assert status == 400 and b"ACL" in body
    assert header.lower() not in swift(server).head_container(shared)


@pytest.mark.parametrize("value, why", [
    ("not json", b"Syntax error"),
    ('["read-only"]', b"Syntax error"),
    ('{"owner": ["other"]}', b'Key "owner" not recognized'),
    ('{"read-only": "other"}', b'Value for key "read-only" must be a list'),
    ('{"admin": [1]}', b'Elements of "admin" list must be strings'),
])
def test_account_acls_swift_refuses(server: str, value: str, why: bytes) -> None:
    status, _, body = raw(server, "POST", ME, {"X-Auth-Token": login(server, ADMIN),
                                               "X-Account-Access-Control": value})
    assert status == 400 and why in body
    assert "x-account-access-control" not in swift(server).head_account()


def test_acls_are_cleaned_as_swift_cleans_them(server: str, shared: str) -> None:
    conn = swift(server)
    conn.post_container(shared, {"X-Container-Read": "bob , sue,,, .referrer : *",
                                 "X-Container-Write": "bob ,sue"})
    head = conn.head_container(shared)
    assert head["x-container-read"] == "bob,sue,.r:*"
    assert head["x-container-write"] == "bob,sue"
    conn.post_container(shared, {"X-Remove-Container-Read": "x"})
    assert "x-container-read" not in conn.head_container(shared)


def test_copies_between_accounts_follow_both_accounts_acls(server: str,
                                                           shared: str) -> None:
    mine, theirs = swift(server), swift(server, OTHER)
    box = unique("their-box")
    theirs.put_container(box)
    theirs.put_object(box, "src.txt", b"from other")
    tok = login(server, ADMIN)
    copy_in = {"X-Auth-Token": tok, "Content-Length": "0",
               "X-Copy-From": f"{box}/src.txt", "X-Copy-From-Account": "AUTH_other"}
    copy_out = {"X-Auth-Token": tok, "Destination": f"{box}/dst.txt",
                "Destination-Account": "AUTH_other"}
    try:
        assert raw(server, "PUT", f"{ME}/{shared}/in.txt", copy_in)[0] == 403
        assert raw(server, "COPY", f"{ME}/{shared}/doc.txt", copy_out)[0] == 403
        # a source that is not there: 404 before the destination's rights are asked
        assert raw(server, "COPY", f"{ME}/{shared}/no-such.txt", copy_out)[0] == 404
        theirs.post_container(box, {"X-Container-Read": "test", "X-Container-Write": "test"})
        status, headers, _ = raw(server, "PUT", f"{ME}/{shared}/in.txt", copy_in)
        assert status == 201 and headers["x-copied-from-account"] == "AUTH_other"
        assert mine.get_object(shared, "in.txt")[1] == b"from other"
        assert raw(server, "COPY", f"{ME}/{shared}/doc.txt", copy_out)[0] == 201
        assert theirs.get_object(box, "dst.txt")[1] == b"shared doc"
    finally:
        for obj in theirs.get_container(box)[1]:
            theirs.delete_object(box, obj["name"])
        theirs.delete_container(box)


def test_an_empty_account_acl_removes_it_and_long_headers_are_refused(server: str) -> None:
    conn, tok = swift(server), login(server, ADMIN)
    conn.post_account({"X-Account-Access-Control": '{"read-only":["other"]}'})
    assert raw(server, "POST", ME, {"X-Auth-Token": tok,
                                    "X-Account-Access-Control": "{}"})[0] == 204
    assert "x-account-access-control" not in conn.head_account()
    # Swift's max_header_size (8192) holds for each header line of a Swift request
    big = json.dumps({"admin": ["u" * 1024] * 8})
    assert raw(server, "POST", ME, {"X-Auth-Token": tok,
                                    "X-Account-Access-Control": big})[0] == 400
    fits = json.dumps({"admin": ["u" * 1024] * 7})
    assert raw(server, "POST", ME, {"X-Auth-Token": tok,
                                    "X-Account-Access-Control": fits})[0] == 204
    conn.post_account({"X-Account-Access-Control": ""})
    assert "x-account-access-control" not in conn.head_account()
