"""Bulk delete through the `swift` command (it deletes in bulk when /info lists
bulk_delete) and raw requests: objects then containers, the three answer formats,
each deletion authorized as the requester's own, and the refusals."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import swiftclient

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, OTHER, READER, login, swift, unique


def test_the_swift_command_deletes_a_container_in_bulk(server: str) -> None:
    cli = shutil.which("swift", path=str(Path(sys.executable).parent))
    assert cli
    conn, name = swift(server), unique("bulk")
    conn.put_container(name)
    for i in range(25):
        conn.put_object(name, f"o{i:02d}", b"x")
    env = {**os.environ, "ST_AUTH": f"{server}/auth/v1.0", "ST_USER": ADMIN[0],
           "ST_KEY": ADMIN[1]}
    done = subprocess.run([cli, "delete", name], env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    with pytest.raises(swiftclient.ClientException) as info:
        conn.head_container(name)
    assert info.value.http_status == 404


def test_a_bulk_delete_answers_in_each_format(server: str) -> None:
    conn, name, tok = swift(server), unique("bulk"), login(server, ADMIN)
    conn.put_container(name)
    conn.put_object(name, "a b", b"1")
    conn.put_object(name, "c", b"2")
    body = f"/{name}/a%20b\n{name}/c\n{name}/missing\n{name}\n".encode()
    status, _, text = raw(server, "POST", "/v1/AUTH_test?bulk-delete",
                                {"X-Auth-Token": tok, "Content-Type": "text/plain",
                                 "Accept": "application/json",
                                 "Content-Length": str(len(body))}, body)
    result = json.loads(text)
    assert status == 200 and result["Number Deleted"] == 3
    assert result["Number Not Found"] == 1 and result["Errors"] == []
    assert result["Response Status"] == "200 OK"
    with pytest.raises(swiftclient.ClientException):
        conn.head_container(name)
    empty = b"nothing/here\n"
    status, _, text = raw(server, "DELETE", "/v1/AUTH_test?bulk-delete",
                          {"X-Auth-Token": tok, "Content-Length": str(len(empty))}, empty)
    assert status == 200 and b"Number Not Found: 1" in text
    status, _, text = raw(server, "POST", "/v1/AUTH_test?bulk-delete",
                          {"X-Auth-Token": tok, "Accept": "application/xml",
                           "Content-Length": "1"}, b"\n")
    assert text.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert b"<response_status>400 Bad Request</response_status>" in text


def test_each_deletion_is_the_requesters_own(server: str) -> None:
    conn, name = swift(server), unique("bulk")
    conn.put_container(name)
    conn.put_object(name, "keep", b"x")
    conn.put_object(name, "go", b"x")
    try:
        for user in (OTHER, READER):
            body = f"{name}/keep\n".encode()
            status, _, text = raw(server, "POST", "/v1/AUTH_test?bulk-delete",
                                  {"X-Auth-Token": login(server, user),
                                   "Accept": "application/json",
                                   "Content-Length": str(len(body))}, body)
            result = json.loads(text)
            assert status == 200 and result["Number Deleted"] == 0
            assert result["Errors"] == [[f"{name}/keep", "403 Forbidden"]]
        conn.post_container(name, {"X-Container-Write": "test:reader"})
        body = f"{name}/go\n{name}\n".encode()
        result = json.loads(raw(server, "POST", "/v1/AUTH_test?bulk-delete",
                                {"X-Auth-Token": login(server, READER),
                                 "Accept": "application/json",
                                 "Content-Length": str(len(body))}, body)[2])
        assert result["Number Deleted"] == 1          # the object, not the container
        assert result["Errors"] == [[name, "403 Forbidden"]]
        assert [o["name"] for o in conn.get_container(name)[1]] == ["keep"]
    finally:
        for obj in conn.get_container(name)[1]:
            conn.delete_object(name, obj["name"])
        conn.delete_container(name)


def test_bulk_delete_refusals(server: str) -> None:
    tok = login(server, ADMIN)
    too_many = b"\n".join(b"c/o%d" % i for i in range(10_001))
    status, _, text = raw(server, "POST", "/v1/AUTH_test?bulk-delete",
                          {"X-Auth-Token": tok, "Content-Length": str(len(too_many))},
                          too_many)
    assert status == 413 and b"Maximum Bulk Deletes" in text
    long = b"c/" + b"x" * 5000
    assert raw(server, "POST", "/v1/AUTH_test?bulk-delete",
               {"X-Auth-Token": tok, "Content-Length": str(len(long))}, long)[0] == 400
    assert raw(server, "POST", "/v1/AUTH_test?bulk-delete",
               {"X-Auth-Token": tok, "Content-Type": "application/json",
                "Content-Length": "2"}, b"[]")[0] == 406


def test_a_bulk_delete_sent_to_an_object_path_takes_account_paths(server: str) -> None:
    conn, name, tok = swift(server), unique("bulk"), login(server, ADMIN)
    conn.put_container(name)
    conn.put_object(name, "o", b"x")
    body = f"{name}/o".encode()
    status, _, text = raw(server, "DELETE", f"/v1/AUTH_test/{name}/o?bulk-delete",
                          {"X-Auth-Token": tok, "Accept": "application/json",
                           "Content-Type": "text/plain", "Content-Length": str(len(body))},
                          body)
    assert status == 200 and json.loads(text)["Number Deleted"] == 1
    conn.delete_container(name)
