"""Swift dynamic large objects against a real `objectstore serve`: the listed segments
read as one object (ETag, ranges), the manifest itself, bad manifests, and who may read
the segments (the reader's own ACLs; a TempURL made with a container's key)."""

from __future__ import annotations

import hashlib
import os

import pytest
import requests
import swiftclient
from swiftclient.utils import generate_temp_url

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, READER, login, swift

PARTS = [b"one fish ", b"two fish ", b"red fish ", b"blue fish"]


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


@pytest.fixture()
def dlo(server: str) -> tuple[str, str]:
    """(manifest container, segment container): segments seg/000..003, manifest `fish`."""
    conn = swift(server)
    manifests, segs = f"dlo-{os.urandom(3).hex()}", f"dlosegs-{os.urandom(3).hex()}"
    conn.put_container(manifests)
    conn.put_container(segs)
    for i, part in enumerate(PARTS):
        conn.put_object(segs, f"fish/{i:03d}", part)
    conn.put_object(segs, "other", b"not listed")
    conn.put_object(manifests, "fish", b"", headers={"X-Object-Manifest": f"{segs}/fish/"})
    return manifests, segs


def test_the_listed_segments_read_as_one_object(server: str, dlo: tuple[str, str]) -> None:
    manifests, segs = dlo
    conn = swift(server)
    headers, body = conn.get_object(manifests, "fish")
    assert body == b"".join(PARTS)
    assert headers["etag"] == f'"{md5("".join(md5(p) for p in PARTS).encode())}"'
    assert headers["x-object-manifest"] == f"{segs}/fish/"
    head = conn.head_object(manifests, "fish")
    assert head["content-length"] == str(len(b"".join(PARTS)))
    # a segment added later is part of the next read (listed when the read starts)
    conn.put_object(segs, "fish/004", b"!")
    assert conn.get_object(manifests, "fish")[1] == b"".join(PARTS) + b"!"


def test_ranges_and_the_manifest_itself(server: str, dlo: tuple[str, str]) -> None:
    manifests, _ = dlo
    tok = login(server, ADMIN)
    path = f"/v1/AUTH_test/{manifests}/fish"
    status, headers, body = raw(server, "GET", path, {"X-Auth-Token": tok,
                                                      "Range": "bytes=4-12"})
    assert (status, body) == (206, b"fish two ")
    assert headers["content-range"] == f"bytes 4-12/{len(b''.join(PARTS))}"
    status, headers, body = raw(server, "GET", path + "?multipart-manifest=get",
                                {"X-Auth-Token": tok})
    assert (status, body) == (200, b"") and "x-object-manifest" in headers


@pytest.mark.parametrize("value", ["nocontainer", "/leading", " "])
def test_a_bad_manifest_header_is_refused(server: str, dlo: tuple[str, str],
                                          value: str) -> None:
    manifests, _ = dlo
    status, _, body = raw(server, "PUT", f"/v1/AUTH_test/{manifests}/bad",
                          {"X-Auth-Token": login(server, ADMIN), "Content-Length": "0",
                           "X-Object-Manifest": value})
    if value.strip():
        assert status == 400 and b"container/prefix" in body
    else:
        assert status == 201        # an empty header asks for nothing: a plain object


def test_a_post_sets_or_changes_the_manifest(server: str, dlo: tuple[str, str]) -> None:
    manifests, segs = dlo
    conn = swift(server)
    conn.post_object(manifests, "fish", headers={"X-Object-Manifest": f"{segs}/fish/00"})
    assert conn.get_object(manifests, "fish")[1] == b"".join(PARTS)
    conn.put_object(manifests, "plain", b"plain body")
    conn.post_object(manifests, "plain", headers={"X-Object-Manifest": f"{segs}/other"})
    assert conn.get_object(manifests, "plain")[1] == b"not listed"
    status, _, _ = raw(server, "POST", f"/v1/AUTH_test/{manifests}/plain",
                       {"X-Auth-Token": login(server, ADMIN), "X-Object-Manifest": "bad"})
    assert status == 400
    assert conn.head_object(manifests, "plain")["x-object-manifest"] == f"{segs}/other"
    # a POST without the header makes it a plain object again, as in Swift
    conn.post_object(manifests, "plain", headers={"X-Object-Meta-Kept": "yes"})
    head = conn.head_object(manifests, "plain")
    assert "x-object-manifest" not in head and head["x-object-meta-kept"] == "yes"
    assert conn.get_object(manifests, "plain")[1] == b"plain body"


def test_a_copy_is_the_whole_object_unless_the_manifest_is_asked_for(
        server: str, dlo: tuple[str, str]) -> None:
    manifests, segs = dlo
    conn = swift(server)
    conn.copy_object(manifests, "fish", f"/{manifests}/flat")
    flat = conn.head_object(manifests, "flat")
    assert "x-object-manifest" not in flat
    assert conn.get_object(manifests, "flat")[1] == b"".join(PARTS)
    status, _, _ = raw(server, "COPY", f"/v1/AUTH_test/{manifests}/fish?"
                       "multipart-manifest=get", {"X-Auth-Token": login(server, ADMIN),
                                                  "Destination": f"{manifests}/linked"})
    assert status == 201
    assert conn.head_object(manifests, "linked")["x-object-manifest"] == f"{segs}/fish/"
    conn.put_object(segs, "fish/005", b"+")
    assert conn.get_object(manifests, "linked")[1] == b"".join(PARTS) + b"+"
    assert conn.get_object(manifests, "flat")[1] == b"".join(PARTS)


def test_several_ranges_get_the_whole_object_as_swift_does(server: str,
                                                           dlo: tuple[str, str]) -> None:
    manifests, _ = dlo
    status, _, body = raw(server, "GET", f"/v1/AUTH_test/{manifests}/fish",
                          {"X-Auth-Token": login(server, ADMIN), "Range": "bytes=0-1,5-6"})
    assert (status, body) == (200, b"".join(PARTS))


def test_segments_are_read_with_the_readers_own_rights(server: str,
                                                       dlo: tuple[str, str]) -> None:
    manifests, segs = dlo
    conn = swift(server)
    conn.post_container(manifests, headers={"X-Container-Read": "test:reader"})
    reader = login(server, READER)
    path = f"/v1/AUTH_test/{manifests}/fish"
    assert raw(server, "GET", path, {"X-Auth-Token": reader})[0] == 403
    assert raw(server, "HEAD", path, {"X-Auth-Token": reader})[0] == 403
    conn.post_container(segs, headers={"X-Container-Read": "test:reader"})
    status, _, body = raw(server, "GET", path, {"X-Auth-Token": reader})
    assert (status, body) == (200, b"".join(PARTS))


def test_a_container_keys_link_does_not_reach_another_container(
        server: str, dlo: tuple[str, str]) -> None:
    manifests, segs = dlo
    conn = swift(server)
    conn.post_container(manifests, headers={"X-Container-Meta-Temp-URL-Key": "ckey"})
    url = server + generate_temp_url(f"/v1/AUTH_test/{manifests}/fish", 300, "ckey", "GET")
    assert requests.get(url, timeout=10).status_code == 401
    assert requests.head(url, timeout=10).status_code == 401
    # segments in the link's own container are read
    conn.put_object(manifests, "near", b"", headers={"X-Object-Manifest": f"{manifests}/fi"})
    near = server + generate_temp_url(f"/v1/AUTH_test/{manifests}/near", 300, "ckey", "GET")
    got = requests.get(near, timeout=10)
    assert got.status_code == 200 and got.content == b""     # `fish` itself: empty
    conn.post_container(segs, headers={"X-Container-Meta-Temp-URL-Key": "ckey"})
    assert requests.get(url, timeout=10).status_code == 401      # still another container
    with pytest.raises(swiftclient.ClientException):
        conn.head_object(manifests, "missing")
