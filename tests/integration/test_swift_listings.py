"""Swift listings and container/account heads as OpenStack Swift answers them, through
python-swiftclient and raw HTTP: the XML a DOM can walk, multi-character delimiters,
Swift's true values for `reverse`, its reading of `limit`, Last-Modified, the content
type of a HEAD (storage policies: test_swift_policies.py)."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from xml.dom import minidom

import pytest
import requests
import swiftclient

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, login, swift, unique


@pytest.fixture()
def tree(server: str) -> tuple[swiftclient.Connection, str]:
    conn, name = swift(server), unique("tree")
    conn.put_container(name)
    for obj in ("a-&b", "a-&c", "a-x", "b", "c-&d/e"):
        conn.put_object(name, obj, b"12")
    return conn, name


def get(server: str, path: str) -> requests.Response:
    return requests.get(f"{server}{path}", headers={"X-Auth-Token": login(server, ADMIN)},
                        timeout=10)


def test_a_container_listing_in_xml_has_elements_only(server: str, tree: tuple) -> None:
    _conn, name = tree
    r = get(server, f"/v1/AUTH_test/{name}?format=xml&delimiter=/")
    assert r.headers["content-type"] == "application/xml; charset=utf-8"
    doc = minidom.parseString(r.content).documentElement
    assert doc.tagName == "container" and doc.getAttribute("name") == name
    children = list(doc.childNodes)
    assert all(n.nodeType == n.ELEMENT_NODE for n in children)     # no text between
    assert [n.tagName for n in children] == ["object"] * 4 + ["subdir"]
    first = [n.tagName for n in children[0].childNodes]
    assert first == ["name", "hash", "bytes", "content_type", "last_modified"]
    subdir = children[-1]
    assert subdir.getAttribute("name") == "c-&d/"
    assert subdir.getElementsByTagName("name")[0].firstChild.nodeValue == "c-&d/"


def test_an_account_listing_in_xml_and_json_names_the_policy(server: str,
                                                            tree: tuple) -> None:
    _, name = tree
    r = get(server, f"/v1/AUTH_test?format=xml&prefix={name}")
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<account name=')
    doc = minidom.parseString(r.content)
    container = doc.getElementsByTagName("container")[0]
    fields = [n.tagName for n in container.childNodes]
    assert fields == ["name", "count", "bytes", "last_modified", "storage_policy"]
    assert container.getElementsByTagName("storage_policy")[0].firstChild.nodeValue == \
        "default"
    entry = get(server, f"/v1/AUTH_test?format=json&prefix={name}").json()[0]
    assert entry["storage_policy"] == "default" and entry["name"] == name


def test_a_delimiter_may_have_several_characters(server: str, tree: tuple) -> None:
    conn, name = tree
    listing = conn.get_container(name, delimiter="-&")[1]
    assert [e.get("name", e.get("subdir")) for e in listing] == ["a-&", "a-x", "b", "c-&"]
    listing = conn.get_container(name, delimiter="-&", prefix="a-&")[1]
    assert [e.get("name", e.get("subdir")) for e in listing] == ["a-&b", "a-&c"]
    reverse = get(server, f"/v1/AUTH_test/{name}?delimiter=-%26&reverse=on").text.split()
    assert reverse == ["c-&", "b", "a-x", "a-&"]
    base = unique("dlm")
    for suffix in ("", "-&bar", "-&foo"):
        conn.put_container(base + suffix)
    names = get(server, f"/v1/AUTH_test?delimiter=-%26&prefix={base}").text.split()
    assert names == [base, base + "-&"]
    for suffix in ("", "-&bar", "-&foo"):
        conn.delete_container(base + suffix)


@pytest.mark.parametrize("value", ["true", "1", "yes", "on", "t", "y", "TRUE"])
def test_reverse_takes_swifts_true_values(server: str, tree: tuple, value: str) -> None:
    _, name = tree
    assert get(server, f"/v1/AUTH_test/{name}?reverse={value}").text.split() == \
        ["c-&d/e", "b", "a-x", "a-&c", "a-&b"]
    assert get(server, f"/v1/AUTH_test/{name}?reverse=no").text.split()[0] == "a-&b"


def test_limit_is_read_as_swift_reads_it(server: str, tree: tuple) -> None:
    _, name = tree
    assert len(get(server, f"/v1/AUTH_test/{name}?limit=2").text.split()) == 2
    assert len(get(server, f"/v1/AUTH_test/{name}?limit=2.0").text.split()) == 5  # ignored
    assert get(server, f"/v1/AUTH_test/{name}?limit=10000").status_code == 200
    assert get(server, f"/v1/AUTH_test/{name}?limit=10001").status_code == 412
    assert get(server, "/v1/AUTH_test?limit=10001").status_code == 412


def test_heads_carry_last_modified_and_the_listing_content_type(server: str) -> None:
    conn, name = swift(server), unique("heads")
    conn.put_container(name)
    tok = {"X-Auth-Token": login(server, ADMIN)}
    for path in (f"/v1/AUTH_test/{name}", "/v1/AUTH_test"):
        for query, ctype in (("", "text/plain"), ("?format=json", "application/json"),
                             ("?format=xml", "application/xml")):
            status, headers, body = raw(server, "HEAD", path + query, tok)
            assert status == 204 and body == b""
            assert headers["content-type"] == f"{ctype}; charset=utf-8"
            assert headers["content-length"] == "0"
            assert "last-modified" in headers
    status, headers, _ = raw(server, "GET", f"/v1/AUTH_test/{name}", tok)
    assert status == 204 and headers["content-type"] == "text/plain; charset=utf-8"
    first = conn.head_container(name)["last-modified"]
    listed = next(c for c in conn.get_account(prefix=name)[1] if c["name"] == name)
    in_listing = datetime.strptime(listed["last_modified"], "%Y-%m-%dT%H:%M:%S.%f")
    assert math.ceil(in_listing.replace(tzinfo=UTC).timestamp()) == \
        parsedate_to_datetime(first).timestamp()          # the listing says the same
    time.sleep(1.1)
    conn.post_container(name, {"X-Container-Meta-A": "1"})
    second = conn.head_container(name)["last-modified"]
    assert second != first
    time.sleep(1.1)
    conn.put_object(name, "o", b"x")          # objects do not change the container's
    assert conn.head_container(name)["last-modified"] == second
    conn.delete_object(name, "o")
    conn.delete_container(name)


def test_a_path_listing(server: str) -> None:
    conn, name = swift(server), unique("paths")
    conn.put_container(name)
    for obj in ("dir1/", "dir1/file2", "dir1/sub/", "dir1/sub/f", "file1"):
        conn.put_object(name, obj, b"")
    tok = {"X-Auth-Token": login(server, ADMIN)}
    listing = raw(server, "GET", f"/v1/AUTH_test/{name}?path=", tok)[2].split()
    assert listing == [b"dir1/", b"file1"]
    listing = raw(server, "GET", f"/v1/AUTH_test/{name}?path=dir1", tok)[2].split()
    assert listing == [b"dir1/file2", b"dir1/sub/"]
    assert conn.get_container(name, path="dir1/sub")[1][0]["name"] == "dir1/sub/f"


def test_a_container_made_again_is_listed_again(server: str) -> None:
    conn, name = swift(server), unique("again")
    conn.put_container(name)
    conn.delete_container(name)
    status, _, _ = raw(server, "PUT", f"/v1/AUTH_test/{name}",
                       {"X-Auth-Token": login(server, ADMIN), "Content-Length": "0"})
    assert status == 201                     # created again, as Swift answers
    assert name in [c["name"] for c in conn.get_account(prefix=name)[1]]
    conn.delete_container(name)
