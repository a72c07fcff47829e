"""Archive extraction (PUT ?extract-archive=tar|tar.gz|tar.bz2): archives made by GNU tar
and by Python's tarfile (long names, pax headers), into a container or across
containers at the account; each write the requester's own; broken archives refused."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import swiftclient

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, READER, login, swift, unique


def archive(files: dict[str, bytes], mode: str = "w", fmt: int = tarfile.PAX_FORMAT
            ) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode=mode, format=fmt) as tar:
        folder = tarfile.TarInfo("a-dir")
        folder.type = tarfile.DIRTYPE
        tar.addfile(folder)                 # directories make no objects
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def extract(server: str, path: str, body: bytes, kind: str,
            user: tuple[str, str] = ADMIN) -> dict[str, object]:
    status, _, text = raw(server, "PUT", f"{path}?extract-archive={kind}",
                          {"X-Auth-Token": login(server, user), "Accept": "application/json",
                           "Content-Length": str(len(body))}, body)
    assert status == 200
    return dict(json.loads(text))


def cleanup(conn: swiftclient.Connection, *containers: str) -> None:
    for c in containers:
        try:
            for obj in conn.get_container(c)[1]:
                conn.delete_object(c, obj["name"])
            conn.delete_container(c)
        except swiftclient.ClientException:
            pass


@pytest.mark.parametrize("mode, kind", [("w", "tar"), ("w:gz", "tar.gz"),
                                        ("w:bz2", "tar.bz2")])
def test_an_archive_becomes_objects_under_the_prefix(server: str, mode: str,
                                                     kind: str) -> None:
    conn, box = swift(server), unique("tar")
    conn.put_container(box)
    long_name = "deep/" + "n" * 150 + ".txt"            # longer than ustar's 100 bytes
    files = {"one.txt": b"first", long_name: b"long named", "empty": b""}
    try:
        result = extract(server, f"/v1/AUTH_test/{box}/pre", archive(files, mode), kind)
        assert result["Number Files Created"] == 3 and result["Errors"] == []
        assert result["Response Status"] == "201 Created"
        assert conn.get_object(box, "pre/one.txt")[1] == b"first"
        assert conn.get_object(box, f"pre/{long_name}")[1] == b"long named"
        assert conn.get_object(box, "pre/empty")[1] == b""
    finally:
        cleanup(conn, box)


def test_gnu_tar_archives_at_the_account_make_their_containers(server: str,
                                                               tmp_path: Path) -> None:
    gnu = shutil.which("tar")
    assert gnu
    c1, c2 = unique("tar-c1"), unique("tar-c2")
    (tmp_path / c1 / "sub").mkdir(parents=True)
    (tmp_path / c1 / "sub" / "f.txt").write_bytes(b"in c1")
    (tmp_path / c2).mkdir()
    (tmp_path / c2 / "g.txt").write_bytes(b"in c2")
    made = subprocess.run([gnu, "-czf", "-", c1, c2], cwd=tmp_path, capture_output=True,
                          check=True).stdout
    conn = swift(server)
    try:
        result = extract(server, "/v1/AUTH_test", made, "tar.gz")
        assert result["Number Files Created"] == 2, result
        assert conn.get_object(c1, "sub/f.txt")[1] == b"in c1"
        assert conn.get_object(c2, "g.txt")[1] == b"in c2"
    finally:
        cleanup(conn, c1, c2)


def test_each_write_is_the_requesters_own(server: str) -> None:
    conn, box = swift(server), unique("tar")
    conn.put_container(box)
    try:
        result = extract(server, f"/v1/AUTH_test/{box}", archive({"x.txt": b"x"}), "tar",
                         user=READER)
        assert result["Number Files Created"] == 0
        assert result["Errors"] == [["x.txt", "403 Forbidden"]]
        assert conn.get_container(box)[1] == []
    finally:
        cleanup(conn, box)


@pytest.mark.parametrize("body, kind, why", [
    (b"not a tar at all" * 40, "tar", "Invalid Tar File"),
    (b"not gzip" * 100, "tar.gz", "Invalid Tar File"),
])
def test_broken_archives_are_refused(server: str, body: bytes, kind: str, why: str) -> None:
    conn, box = swift(server), unique("tar")
    conn.put_container(box)
    try:
        result = extract(server, f"/v1/AUTH_test/{box}", body, kind)
        assert str(result["Response Status"]).startswith("400")
        assert why in str(result["Response Body"])
        assert conn.get_container(box)[1] == []
    finally:
        cleanup(conn, box)


def test_a_truncated_archive_stores_what_came_whole_and_says_so(server: str) -> None:
    conn, box = swift(server), unique("tar")
    conn.put_container(box)
    whole = archive({"first.txt": b"complete", "second.txt": b"x" * 5000})
    try:
        result = extract(server, f"/v1/AUTH_test/{box}", whole[:2048], "tar")
        assert str(result["Response Status"]).startswith("400")
        assert [o["name"] for o in conn.get_container(box)[1]] == ["first.txt"]
    finally:
        cleanup(conn, box)
    status = raw(server, "PUT", f"/v1/AUTH_test/{box}?extract-archive=zip",
                 {"X-Auth-Token": login(server, ADMIN), "Content-Length": "0"})[0]
    assert status == 400
