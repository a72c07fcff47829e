"""Expiring objects through python-swiftclient and boto3: X-Delete-At / -After on PUT,
POST and COPY; an expired object is 404 at once through both APIs; the expirer (a task
of `serve`, every second here) then removes its data and listing row, a few seconds
later (delay_reaping), in which time its owners can still read or restore it with
X-Open-Expired; a POST without an expiry removes it; bad values are 400 and store
nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator

import boto3
import pytest
import swiftclient
from botocore.exceptions import ClientError

from tests.integration.test_swift_acls import status_of
from tests.integration.test_swift_api import raw
from tests.servers import free_port, stop_gracefully, wait_healthy

DELAY = 3


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A serve whose expirer passes every second and reaps what expired DELAY
    seconds ago, with a second account (let read by the first one's ACLs)."""
    root = tmp_path_factory.mktemp("expiry")
    config = root / "users.toml"
    config.write_text('[[users]]\naccount = "test"\nuser = "tester"\nkey = "testing"\n\n'
                      '[[users]]\naccount = "other"\nuser = "someone"\nkey = "secret2"\n\n'
                      f"[expirer]\ninterval = 1\ndelay_reaping = {DELAY}\n")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "objectstore", "serve", "--data-dir",
                             str(root / "data"), "--port", str(port), "--config",
                             str(config)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wait_healthy(port, proc)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_gracefully(proc)


def conn(server: str) -> swiftclient.Connection:
    return swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                  key="testing", retries=0)


def names(c: swiftclient.Connection, container: str) -> list[str]:
    return [o["name"] for o in c.get_container(container)[1]]


def until(what: object, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not what():      # type: ignore[operator]
        assert time.monotonic() < deadline, "did not happen in time"
        time.sleep(0.2)


def test_an_object_expires_at_once_and_the_expirer_removes_it(fast: str) -> None:
    c = conn(fast)
    c.put_container("exp")
    c.put_object("exp", "soon", b"short-lived", headers={"X-Delete-After": "4"})
    head = c.head_object("exp", "soon")
    delete_at = int(head["x-delete-at"])
    assert delete_at - time.time() <= 4.5
    assert c.get_object("exp", "soon")[1] == b"short-lived"
    until(lambda: time.time() > delete_at + 0.05, 8)
    assert status_of(c.get_object, "exp", "soon") == 404          # at once
    s3 = boto3.client("s3", endpoint_url=fast, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1")
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket="exp", Key="soon")
    assert info.value.response["Error"]["Code"] == "NoSuchKey"
    until(lambda: "soon" not in names(c, "exp"))               # then the expirer


def test_post_sets_changes_and_removes_an_expiry(fast: str) -> None:
    c = conn(fast)
    c.put_container("exp2")
    c.put_object("exp2", "kept", b"stays", headers={"X-Delete-After": "5"})
    kept_until = int(c.head_object("exp2", "kept")["x-delete-at"])
    c.post_object("exp2", "kept", {"X-Object-Meta-Note": "no expiry now"})
    assert "x-delete-at" not in c.head_object("exp2", "kept")
    c.put_object("exp2", "later", b"goes")
    c.post_object("exp2", "later", {"X-Delete-At": str(int(time.time()) + 2)})
    until(lambda: status_of(c.head_object, "exp2", "later") == 404, 6)
    until(lambda: "later" not in names(c, "exp2"))
    until(lambda: time.time() > kept_until + DELAY + 2.5, 15)   # the expirer saw its entry
    assert c.get_object("exp2", "kept")[1] == b"stays"
    assert "kept" in names(c, "exp2")


def test_a_copy_takes_the_expiry_it_is_given(fast: str) -> None:
    c = conn(fast)
    c.put_container("exp3")
    c.put_object("exp3", "src", b"source", headers={"X-Delete-After": "60"})
    c.copy_object("exp3", "src", "/exp3/dst", headers={"X-Delete-After": "1"})
    until(lambda: status_of(c.head_object, "exp3", "dst") == 404, 5)
    assert c.get_object("exp3", "src")[1] == b"source"


@pytest.mark.parametrize("headers, message", [
    ({"X-Delete-At": "soon"}, b"Non-integer X-Delete-At"),
    ({"X-Delete-At": "1000000000"}, b"X-Delete-At in past"),
    ({"X-Delete-After": "1.5"}, b"Non-integer X-Delete-After"),
    ({"X-Delete-After": "-5"}, b"X-Delete-After in past"),
])
def test_bad_expiries_are_refused(server: str, headers: dict[str, str],
                                  message: bytes) -> None:
    c = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                               key="testing", retries=0)
    c.put_container("exp-bad")
    token = c.get_auth()[1]
    got = raw(server, "PUT", "/v1/AUTH_test/exp-bad/o",
              {"X-Auth-Token": token, "Content-Length": "1", **headers}, b"x")
    assert got[0] == 400 and message in got[2]
    assert status_of(c.head_object, "exp-bad", "o") == 404
    c.put_object("exp-bad", "p", b"x")
    assert raw(server, "POST", "/v1/AUTH_test/exp-bad/p",
               {"X-Auth-Token": token, **headers})[0] == 400
    assert "x-delete-at" not in c.head_object("exp-bad", "p")


def test_the_queue_is_out_of_every_users_reach(server: str) -> None:
    c = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                               key="testing", retries=0)
    token = c.get_auth()[1]
    assert raw(server, "GET", "/v1/.expiring_objects", {"X-Auth-Token": token})[0] == 403
    reseller = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="reseller:root",
                                      key="rootkey", retries=0).get_auth()[1]
    assert raw(server, "GET", "/v1/.expiring_objects", {"X-Auth-Token": reseller})[0] \
        in (403, 404)


def test_an_expiry_far_in_the_future_is_kept_as_swift_keeps_it(server: str) -> None:
    c = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                               key="testing", retries=0)
    c.put_container("exp-far")
    c.put_object("exp-far", "o", b"x", headers={"X-Delete-At": "1" * 50})
    assert c.head_object("exp-far", "o")["x-delete-at"] == "9999999999"


def test_a_post_to_an_expired_object_is_404(fast: str) -> None:
    c = conn(fast)
    c.put_container("exp4")
    c.put_object("exp4", "gone", b"x", headers={"X-Delete-After": "1"})
    until(lambda: status_of(c.head_object, "exp4", "gone") == 404, 6)
    assert status_of(c.post_object, "exp4", "gone", {"X-Object-Meta-A": "1"}) == 404


def test_owners_can_read_and_restore_an_expired_object_until_it_is_reaped(fast: str
                                                                        ) -> None:
    c = conn(fast)
    c.put_container("exp5", headers={"X-Container-Read": "other:someone"})
    c.put_object("exp5", "lost", b"recover me", headers={"X-Delete-After": "1"})
    c.put_object("exp5", "reaped", b"gone for good", headers={"X-Delete-After": "1"})
    until(lambda: status_of(c.head_object, "exp5", "lost") == 404, 6)
    opened = {"X-Open-Expired": "true"}
    assert c.get_object("exp5", "lost", headers=opened)[1] == b"recover me"
    assert int(c.head_object("exp5", "lost", headers=opened)["x-delete-at"]) < time.time()
    assert status_of(c.get_object, "exp5", "lost", headers={"X-Open-Expired": "false"}) \
        == 404
    # one the ACLs let read is refused it: expired data is for the owners alone
    other = swiftclient.Connection(authurl=f"{fast}/auth/v1.0", user="other:someone",
                                   key="secret2", retries=0)
    url, token = other.get_auth()
    reader = swiftclient.Connection(preauthurl=url.replace("AUTH_other", "AUTH_test"),
                                    preauthtoken=token, retries=0)
    assert status_of(reader.get_object, "exp5", "lost", headers=opened) == 403
    assert status_of(reader.get_object, "exp5", "lost") == 404
    # a POST that opens it restores it (here with a later expiry)
    assert status_of(c.post_object, "exp5", "lost", {"X-Object-Meta-A": "1"}) == 404
    c.post_object("exp5", "lost", {**opened, "X-Object-Meta-A": "back",
                                    "X-Delete-After": "600"})
    headers, body = c.get_object("exp5", "lost")
    assert body == b"recover me" and headers["x-object-meta-a"] == "back"
    # the other one is reaped DELAY seconds after it expired: then nothing opens it
    until(lambda: "reaped" not in names(c, "exp5"))
    assert status_of(c.get_object, "exp5", "reaped", headers=opened) == 404
    assert "lost" in names(c, "exp5"), "the restored one is not reaped"
    c.delete_object("exp5", "lost")


def test_an_expired_large_object_opens_whole_and_by_part(fast: str) -> None:
    """X-Open-Expired opens an SLO's manifest and its expired segments too; a
    manifest PUT may say X-Static-Large-Object: true (it makes one anyway)."""
    c = conn(fast)
    c.put_container("exp6")
    parts = [b"one", b"two", b"three"]
    for i, part in enumerate(parts):
        c.put_object("exp6", f"seg/{i}", part, headers={"X-Delete-After": "2"})
    manifest = json.dumps([{"path": f"/exp6/seg/{i}", "size_bytes": len(p)}
                           for i, p in enumerate(parts)])
    c.put_object("exp6", "big", manifest, query_string="multipart-manifest=put",
                 headers={"X-Delete-After": "1", "X-Static-Large-Object": "true"})
    with pytest.raises(swiftclient.ClientException) as refused:
        c.put_object("exp6", "plain", b"x", headers={"X-Static-Large-Object": "true"})
    assert refused.value.http_status == 400
    until(lambda: status_of(c.get_object, "exp6", "seg/2") == 404, 8)
    assert status_of(c.get_object, "exp6", "big") == 404
    opened = {"X-Open-Expired": "true"}
    assert c.get_object("exp6", "big", headers=opened)[1] == b"onetwothree"
    headers, body = c.get_object("exp6", "big", headers=opened,
                                 query_string="part-number=2")
    assert body == b"two" and headers["content-range"] == "bytes 3-5/11"
    raw_manifest = c.get_object("exp6", "big", headers=opened,
                                query_string="multipart-manifest=get")[1]
    assert [s["name"] for s in json.loads(raw_manifest)] == [
        f"/exp6/seg/{i}" for i in range(3)]


def test_a_symlink_and_a_manifest_take_the_expiry_they_are_given(fast: str) -> None:
    c = conn(fast)
    c.put_container("exp7")
    c.put_object("exp7", "target", b"stays")
    # (3 s: the heads below must come before it, on a loaded machine too)
    c.put_object("exp7", "link", b"", headers={"X-Symlink-Target": "exp7/target",
                                               "X-Delete-After": "3"})
    c.put_object("exp7", "slo", json.dumps([{"path": "/exp7/target"}]),
                 query_string="multipart-manifest=put", headers={"X-Delete-After": "3"})
    for name in ("link", "slo"):
        assert "x-delete-at" in c.head_object("exp7", name,
                                              query_string="symlink=get"
                                              if name == "link" else None)
    until(lambda: status_of(c.get_object, "exp7", "link") == 404, 8)
    until(lambda: status_of(c.get_object, "exp7", "slo") == 404, 8)
    assert c.get_object("exp7", "target")[1] == b"stays"
    until(lambda: names(c, "exp7") == ["target"])     # both reaped, with their rows
