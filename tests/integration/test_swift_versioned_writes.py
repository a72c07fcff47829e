"""Swift's legacy versioned writes through python-swiftclient and raw HTTP: stack mode
(X-Versions-Location: a DELETE restores the previous version) and history mode
(X-History-Location: a DELETE archives and leaves a delete marker), Swift's archive
names (unicode ones too), copies, symlinks and large objects as versions, a missing
archive, who may do what, and the header values refused.

Users (tests/integration/conftest.py): test:tester (admin of AUTH_test), other:someone
(admin of AUTH_other), test:reader (a non-admin user of AUTH_test)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
import requests
import swiftclient
from botocore.exceptions import ClientError

from tests.integration import test_swift_formpost as formpost
from tests.integration.test_swift_acls import as_user, status_of
from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import (
    ADMIN,
    OTHER,
    READER,
    login,
    s3,
    s3_code,
    swift,
    unique,
)
from tests.integration.test_swift_extract import archive, extract

ME = "/v1/AUTH_test"
MARKER = "application/x-deleted;swift_versions_deleted=1"


class Pair:
    """A versioned container and its archive."""

    def __init__(self, conn: swiftclient.Connection, header: str) -> None:
        self.conn = conn
        self.archive = unique("arch")
        self.box = unique("vers")
        conn.put_container(self.archive)
        conn.put_container(self.box, headers={header: quote(self.archive)})

    def versions(self, name: str = "") -> list[dict[str, Any]]:
        """The archive's rows (of one object's versions, given its name), oldest first."""
        prefix = f"{len(name.encode()):03x}{name}/" if name else None
        return self.conn.get_container(self.archive, prefix=prefix, full_listing=True)[1]

    def clean(self) -> None:
        self.conn.post_container(self.box, headers={"X-Versions-Location": ""})
        for container in (self.box, self.archive):
            for row in self.conn.get_container(container, full_listing=True)[1]:
                self.conn.delete_object(container, row["name"],
                                        query_string="symlink=get")
            self.conn.delete_container(container)


@pytest.fixture()
def stack(server: str) -> Iterator[Pair]:
    pair = Pair(swift(server), "X-Versions-Location")
    yield pair
    pair.clean()


@pytest.fixture()
def history(server: str) -> Iterator[Pair]:
    pair = Pair(swift(server), "X-History-Location")
    yield pair
    pair.clean()


def body_of(conn: swiftclient.Connection, container: str, name: str) -> bytes:
    return bytes(conn.get_object(container, name)[1])


def test_stack_mode_keeps_each_replaced_version_and_delete_restores_it(
        stack: Pair) -> None:
    conn = stack.conn
    assert conn.head_container(stack.box)["x-versions-location"] == stack.archive
    conn.put_object(stack.box, "doc", b"one", content_type="text/one",
                    headers={"X-Object-Meta-Rev": "1", "Content-Disposition": "inline"})
    first = conn.head_object(stack.box, "doc")
    assert stack.versions() == []                   # nothing replaced yet
    conn.put_object(stack.box, "doc", b"two", content_type="text/two",
                    headers={"X-Object-Meta-Rev": "2"})
    conn.post_object(stack.box, "doc", headers={"X-Object-Meta-Rev": "2b"})
    assert len(stack.versions()) == 1               # a POST makes no version
    conn.put_object(stack.box, "doc", b"three")
    rows = stack.versions("doc")
    assert [r["content_type"] for r in rows] == ["text/one", "text/two"]
    # Swift's names: <3 hex digits of the name's length><name>/<the version's timestamp>
    assert rows[0]["name"] == f"003doc/{first['x-timestamp']}"
    kept = conn.head_object(stack.archive, rows[0]["name"])
    assert kept["x-object-meta-rev"] == "1" and kept["content-disposition"] == "inline"
    assert conn.head_object(stack.archive, rows[1]["name"])["x-object-meta-rev"] == "2b"

    conn.delete_object(stack.box, "doc")            # the newest version comes back
    assert body_of(conn, stack.box, "doc") == b"two"
    assert [r["content_type"] for r in stack.versions()] == ["text/one"]
    conn.delete_object(stack.box, "doc")
    restored = conn.head_object(stack.box, "doc")
    assert body_of(conn, stack.box, "doc") == b"one"
    assert restored["content-type"] == "text/one" and restored["x-object-meta-rev"] == "1"
    assert restored["content-disposition"] == "inline"
    assert stack.versions() == []
    conn.delete_object(stack.box, "doc")            # no version left: it is gone
    assert status_of(conn.get_object, stack.box, "doc") == 404
    assert status_of(conn.delete_object, stack.box, "doc") == 404


def test_history_mode_archives_on_delete_and_leaves_a_marker(history: Pair) -> None:
    conn = history.conn
    assert conn.head_container(history.box)["x-history-location"] == history.archive
    conn.put_object(history.box, "doc", b"one")
    conn.put_object(history.box, "doc", b"two")
    conn.delete_object(history.box, "doc")
    assert status_of(conn.get_object, history.box, "doc") == 404
    rows = history.versions("doc")
    assert [body_of(conn, history.archive, r["name"]) for r in rows] == [b"one", b"two", b""]
    assert rows[2]["content_type"] == MARKER and rows[2]["bytes"] == 0
    # deleting what is not there: 404, and another marker says when
    assert status_of(conn.delete_object, history.box, "doc") == 404
    assert [r["content_type"] for r in history.versions()][-2:] == [MARKER, MARKER]
    conn.put_object(history.box, "doc", b"three")   # a new object after the markers
    assert len(history.versions()) == 4
    # restoring is a COPY out of the archive, which archives the current one first
    conn.copy_object(history.archive, rows[0]["name"], f"/{history.box}/doc")
    assert body_of(conn, history.box, "doc") == b"one"
    assert body_of(conn, history.archive, history.versions()[-1]["name"]) == b"three"


def test_switching_mode_a_stack_delete_steps_over_history_markers(stack: Pair) -> None:
    """Swift's TestObjectVersioningChangingMode, in short: a stack-mode DELETE of an
    object that history mode deleted removes the marker and restores what was before."""
    conn = stack.conn
    conn.post_container(stack.box, headers={"X-History-Location": stack.archive})
    assert "x-versions-location" not in conn.head_container(stack.box)
    conn.put_object(stack.box, "doc", b"one")
    conn.put_object(stack.box, "doc", b"two")
    conn.delete_object(stack.box, "doc")            # archive: one, two, marker
    conn.post_container(stack.box, headers={"X-Versions-Location": stack.archive})
    conn.delete_object(stack.box, "doc")
    assert body_of(conn, stack.box, "doc") == b"two"
    assert [body_of(conn, stack.archive, r["name"]) for r in stack.versions()] == [b"one"]


@pytest.mark.parametrize("name", ["café/ü 1.txt", "日本語のファイル", "a%25ff", "dir/"])
def test_archive_names_of_unicode_and_odd_names(stack: Pair, name: str) -> None:
    conn = stack.conn
    conn.put_object(stack.box, name, b"old")
    conn.put_object(stack.box, name, b"new")
    rows = stack.versions(name)
    assert len(rows) == 1
    assert rows[0]["name"].startswith(f"{len(name.encode()):03x}{name}/")
    assert body_of(conn, stack.archive, rows[0]["name"]) == b"old"
    conn.delete_object(stack.box, name)
    assert body_of(conn, stack.box, name) == b"old"


def test_copies_onto_a_versioned_object_keep_the_version_they_replace(
        stack: Pair) -> None:
    conn = stack.conn
    conn.put_object(stack.box, "src", b"source")
    conn.put_object(stack.box, "doc", b"one")
    conn.copy_object(stack.box, "src", f"/{stack.box}/doc")             # COPY
    conn.put_object(stack.box, "doc", b"", headers={"X-Copy-From": f"{stack.box}/src"})
    assert [body_of(conn, stack.archive, r["name"]) for r in stack.versions("doc")] == \
        [b"one", b"source"]


def test_bulk_requests_and_form_uploads_are_versioned_too(server: str, stack: Pair) -> None:
    """Swift runs bulk delete, archive extraction and FormPost before versioned writes:
    their writes and deletions each act as a PUT or DELETE would."""
    conn = stack.conn
    conn.put_object(stack.box, "doc", b"one")
    extract(server, f"{ME}/{stack.box}", archive({"doc": b"two"}), "tar")
    conn.post_container(stack.box, headers={"X-Container-Meta-Temp-URL-Key": formpost.KEY})
    path = f"{ME}/{stack.box}"
    got = requests.post(server + path, data=formpost.signed(path), timeout=10,
                        files=[("file", ("doc", b"three", "text/plain"))])
    assert got.status_code == 201
    assert [body_of(conn, stack.archive, r["name"]) for r in stack.versions("doc")] == \
        [b"one", b"two"]
    paths = f"/{stack.box}/doc\n".encode()
    status, _, text = raw(server, "POST", f"{ME}?bulk-delete",
                          {"X-Auth-Token": login(server, ADMIN), "Accept": "application/json",
                           "Content-Type": "text/plain", "Content-Length": str(len(paths))},
                          paths)
    assert status == 200 and json.loads(text)["Number Deleted"] == 1
    assert body_of(conn, stack.box, "doc") == b"two"        # restored, as by a DELETE


def test_a_symlink_is_kept_as_a_link(stack: Pair) -> None:
    conn = stack.conn
    conn.put_object(stack.box, "target", b"target body")
    conn.put_object(stack.box, "link", b"",
                    headers={"X-Symlink-Target": f"{stack.box}/target"})
    conn.put_object(stack.box, "link", b"not a link")
    row = stack.versions("link")[0]
    assert row["content_type"] == "application/symlink"
    kept = conn.head_object(stack.archive, row["name"], query_string="symlink=get")
    assert kept["x-symlink-target"] == f"{stack.box}/target"
    assert body_of(conn, stack.archive, row["name"]) == b"target body"
    conn.delete_object(stack.box, "link")
    assert body_of(conn, stack.box, "link") == b"target body"


def test_large_objects_are_versioned_as_their_manifests(stack: Pair) -> None:
    conn = stack.conn
    segments = unique("segs")
    conn.put_container(segments)
    try:
        for letter in "ab":
            conn.put_object(segments, letter, letter.encode() * 1024 * 1024)

        def manifest(letter: str) -> None:
            etag = conn.head_object(segments, letter)["etag"]
            conn.put_object(stack.box, "big", json.dumps([{
                "path": f"/{segments}/{letter}", "etag": etag,
                "size_bytes": 1024 * 1024}]), query_string="multipart-manifest=put")

        manifest("a")
        size = conn.get_container(stack.box)[1][0]["bytes"]
        manifest("b")
        row = stack.versions("big")[0]
        assert row["bytes"] == size == 1024 * 1024          # listed as the whole object
        raw_manifest = json.loads(conn.get_object(stack.archive, row["name"],
                                                  query_string="multipart-manifest=get")[1])
        assert [s["name"] for s in raw_manifest] == [f"/{segments}/a"]
        assert body_of(conn, stack.archive, row["name"]) == b"a" * 1024 * 1024
        # a DLO too: its X-Object-Manifest comes along
        conn.put_object(stack.box, "dlo", b"", headers={"X-Object-Manifest": f"{segments}/"})
        conn.put_object(stack.box, "dlo", b"plain now")
        kept = conn.head_object(stack.archive, stack.versions("dlo")[0]["name"])
        assert kept["x-object-manifest"] == f"{segments}/"
        conn.delete_object(stack.box, "big")
        assert body_of(conn, stack.box, "big") == b"a" * 1024 * 1024
        conn.delete_object(stack.box, "dlo")
        assert body_of(conn, stack.box, "dlo") == b"a" * 1024 * 1024 + b"b" * 1024 * 1024
    finally:
        for letter in "ab":
            conn.delete_object(segments, letter)
        conn.delete_container(segments)


def test_a_missing_archive_refuses_what_would_lose_a_version(server: str) -> None:
    conn, box, archive = swift(server), unique("vers"), unique("gone")
    conn.put_container(box, headers={"X-Versions-Location": archive})   # not there yet
    conn.put_object(box, "doc", b"one")             # replaces nothing: fine
    status, _, body = raw(server, "PUT", f"{ME}/{box}/doc",
                          {"X-Auth-Token": login(server, ADMIN), "Content-Length": "3"},
                          b"two")
    assert status == 412 and archive.encode() in body
    assert body_of(conn, box, "doc") == b"one"      # nothing was written
    conn.delete_object(box, "doc")                  # stack mode: nothing to restore
    conn.put_object(box, "doc", b"one")
    conn.post_container(box, headers={"X-History-Location": archive})
    assert status_of(conn.delete_object, box, "doc") == 412
    assert body_of(conn, box, "doc") == b"one"
    conn.put_container(archive)                     # once it exists, versions are kept
    conn.delete_object(box, "doc")
    assert len(conn.get_container(archive)[1]) == 2
    conn.post_container(box, headers={"X-Remove-History-Location": "x"})
    for container in (box, archive):
        for row in conn.get_container(container)[1]:
            conn.delete_object(container, row["name"])
        conn.delete_container(container)


def test_who_may_write_versions_and_read_the_archive(server: str, stack: Pair) -> None:
    """A user allowed to write the versioned container has its versions kept (and may
    restore by DELETE) without any right on the archive, which it cannot read; a user
    without rights changes nothing; only those who may POST the container set it."""
    conn = stack.conn
    reader, other = as_user(server, READER), as_user(server, OTHER)
    conn.post_container(stack.box, headers={"X-Container-Write": "test:reader",
                                            "X-Container-Read": "test:reader"})
    reader.put_object(stack.box, "doc", b"one")
    reader.put_object(stack.box, "doc", b"two")
    row = stack.versions("doc")[0]
    assert status_of(reader.get_object, stack.archive, row["name"]) == 403
    assert status_of(reader.delete_object, stack.archive, row["name"]) == 403
    assert status_of(other.put_object, stack.box, "doc", b"three") == 403
    assert status_of(other.delete_object, stack.box, "doc") == 403
    assert status_of(other.copy_object, stack.archive, row["name"],
                     f"/{stack.box}/doc") == 403
    assert len(stack.versions()) == 1 and body_of(conn, stack.box, "doc") == b"two"
    reader.delete_object(stack.box, "doc")          # restores "one"
    assert body_of(conn, stack.box, "doc") == b"one" and stack.versions() == []
    for who in (reader, other):
        assert status_of(who.post_container, stack.box,
                         headers={"X-Versions-Location": "elsewhere"}) == 403
    assert conn.head_container(stack.box)["x-versions-location"] == stack.archive


@pytest.mark.parametrize(("headers", "status"), [
    ({"X-Versions-Location": "a", "X-History-Location": "b"}, 400),
    ({"X-Versions-Location": "a/b"}, 412),
    ({"X-History-Location": "a%2Fb"}, 412),
    ({"X-Versions-Location": "x" * 300}, 412),
])
def test_bad_header_values_are_refused(server: str, headers: dict[str, str],
                                       status: int) -> None:
    conn, name, tok = swift(server), unique("badv"), login(server, ADMIN)
    got, _, _ = raw(server, "PUT", f"{ME}/{name}",
                    {"X-Auth-Token": tok, "Content-Length": "0", **headers})
    assert got == status
    assert status_of(conn.head_container, name) == 404      # not created
    conn.put_container(name)
    got, _, _ = raw(server, "POST", f"{ME}/{name}", {"X-Auth-Token": tok, **headers})
    assert got == status
    shown = conn.head_container(name)
    assert "x-versions-location" not in shown and "x-history-location" not in shown
    conn.delete_container(name)


@pytest.mark.parametrize("removal", [{"X-Versions-Location": ""},
                                     {"X-Remove-Versions-Location": "x"},
                                     {"X-Remove-History-Location": "x"}])
def test_removing_the_location_stops_versioning(stack: Pair,
                                                removal: dict[str, str]) -> None:
    conn = stack.conn
    conn.post_container(stack.box, headers=removal)
    assert "x-versions-location" not in conn.head_container(stack.box)
    conn.put_object(stack.box, "doc", b"one")
    conn.put_object(stack.box, "doc", b"two")
    assert stack.versions() == []


def test_s3_may_read_but_not_write_a_swift_versioned_bucket(server: str,
                                                           history: Pair) -> None:
    """S3 would replace or delete without keeping a version: refused (501) rather than
    done unversioned; reads are S3's as usual."""
    history.conn.put_object(history.box, "doc", b"one")
    client = s3(server)
    assert client.get_object(Bucket=history.box, Key="doc")["Body"].read() == b"one"
    for call, kw in ((client.put_object, {"Key": "doc", "Body": b"two"}),
                     (client.delete_object, {"Key": "doc"}),
                     (client.copy_object, {"Key": "doc", "CopySource":
                                           {"Bucket": history.box, "Key": "doc"}}),
                     (client.delete_objects, {"Delete": {"Objects": [{"Key": "doc"}]}})):
        with pytest.raises(ClientError) as info:
            call(Bucket=history.box, **kw)
        assert s3_code(info) == "NotImplemented"
    assert body_of(history.conn, history.box, "doc") == b"one" and history.versions() == []
    history.conn.post_container(history.box, headers={"X-History-Location": ""})
    client.put_object(Bucket=history.box, Key="doc", Body=b"two")     # unversioned now


def test_one_container_has_one_kind_of_versioning(server: str, stack: Pair) -> None:
    """X-Versions-Enabled on a container with a location is 400 (Swift's words), and a
    location on a container that uses the new versioning is 400 too."""
    conn, tok = stack.conn, login(server, ADMIN)
    status, _, body = raw(server, "POST", f"{ME}/{stack.box}",
                          {"X-Auth-Token": tok, "X-Versions-Enabled": "true"})
    assert status == 400 and b"legacy versioned writes" in body
    assert "x-versions-enabled" not in conn.head_container(stack.box)
    modern = unique("modern")
    conn.put_container(modern, headers={"X-Versions-Enabled": "true"})
    try:
        for header in ("X-Versions-Location", "X-History-Location"):
            status, _, body = raw(server, "POST", f"{ME}/{modern}",
                                  {"X-Auth-Token": tok, header: stack.archive})
            assert status == 400 and b"X-Versions-Enabled" in body
        assert "x-versions-location" not in conn.head_container(modern)
    finally:
        conn.delete_container(modern)


def test_a_null_version_delete_is_a_legacy_delete(stack: Pair) -> None:
    """`?version-id=null` names the container's own object: in stack mode its DELETE
    restores the previous version, as Swift's legacy middleware (which runs first)."""
    conn = stack.conn
    conn.put_object(stack.box, "doc", b"one")
    conn.put_object(stack.box, "doc", b"two")
    conn.delete_object(stack.box, "doc", query_string="version-id=null")
    assert body_of(conn, stack.box, "doc") == b"one" and stack.versions() == []


def test_info_advertises_both_flags(server: str) -> None:
    status, _, body = raw(server, "GET", "/info", {})
    assert status == 200
    assert json.loads(body)["versioned_writes"] == {
        "allowed_flags": ["x-versions-location", "x-history-location"]}
