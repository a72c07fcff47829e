"""The admin API (/_admin/v1) of a real `serve`: who may call it with which credential,
users made, disabled, given new keys and removed -- and what that does to their S3 keys
and Swift tokens at once -- account quotas, and the cluster's status."""

from __future__ import annotations

import hashlib
import http.client
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from tests.integration.admin_client import signed_by, swift_token, with_token
from tests.integration.conftest import USERS, serving

ROOT = ("reseller:root", "rootkey")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("admin") / "data", USERS) as served:
        yield served.url


def s3_of(server: str, access_key: str, secret: str) -> Any:
    return boto3.client("s3", endpoint_url=server, aws_access_key_id=access_key,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


def swift_status(server: str, path: str, token: str) -> int:
    req = urllib.request.Request(f"{server}{path}", headers={"X-Auth-Token": token})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def login_status(server: str, user: str, key: str) -> int:
    try:
        swift_token(server, user, key)
        return 200
    except urllib.error.HTTPError as exc:
        exc.close()
        return exc.code


def test_whoami_through_either_apis_credentials(store: str) -> None:
    assert signed_by(store, "GET", "/_admin/v1/whoami", *ROOT) == (200, {
        "account": "reseller", "user": "root", "admin": True, "reseller_admin": True})
    token = swift_token(store, "test:tester", "testing")
    assert with_token(store, "GET", "/_admin/v1/whoami", token) == (200, {
        "account": "test", "user": "tester", "admin": True, "reseller_admin": False})
    token = swift_token(store, *ROOT)
    assert with_token(store, "GET", "/_admin/v1/whoami", token)[1]["reseller_admin"]


def test_who_may_not(store: str) -> None:
    for token in (None, "AUTH_tkforged.abc", "not-a-token"):
        status, doc = with_token(store, "GET", "/_admin/v1/whoami", token)
        assert status == 401 and doc["error"] == "Unauthorized"
    assert signed_by(store, "GET", "/_admin/v1/whoami", "reseller:root", "wrong")[0] == 401
    assert signed_by(store, "GET", "/_admin/v1/whoami", "nobody:x", "x")[0] == 401
    for path in ("/_admin/v1/users", "/_admin/v1/status", "/_admin/v1/users/test/tester"):
        status, doc = signed_by(store, "GET", path, "test:tester", "testing")
        assert status == 403 and doc["error"] == "Forbidden", path
    assert signed_by(store, "POST", "/_admin/v1/users", "test:tester", "testing",
                     {"account": "mine", "user": "me"})[0] == 403
    assert signed_by(store, "POST", "/_admin/v1/users/test/tester/rotate",
                     "test:reader", "readkey")[0] == 403
    assert signed_by(store, "PUT", "/_admin/v1/accounts/test/quota", "test:tester",
                     "testing", {"bytes": 1})[0] == 403
    assert signed_by(store, "GET", "/_admin/v1/accounts/other/quota", "test:tester",
                     "testing")[0] == 403


def test_a_body_other_than_the_one_signed_is_refused(store: str) -> None:
    signed_body = b'{"account": "acct1", "user": "u"}'
    sent_body = b'{"account": "evil1", "user": "u"}'
    req = AWSRequest(method="POST", url=f"{store}/_admin/v1/users", data=signed_body,
                     headers={"x-amz-content-sha256": hashlib.sha256(signed_body).hexdigest()})
    S3SigV4Auth(Credentials(*ROOT), "s3", "us-east-1").add_auth(req)
    port = int(store.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("POST", "/_admin/v1/users", body=sent_body, headers=dict(req.headers))
    resp = conn.getresponse()
    assert resp.status == 401 and b"not the one signed" in resp.read()
    conn.close()
    assert signed_by(store, "GET", "/_admin/v1/users/evil1/u", *ROOT)[0] == 404


def test_bad_requests_are_refused_clearly(store: str) -> None:
    for doc, why in (({"user": "x"}, "account"), ({"account": "../x", "user": "y"}, "account"),
                     ({"account": "a", "user": "b", "admin": "yes"}, "admin"),
                     ({"account": "a", "user": "b", "shell": "/bin/sh"}, "unknown"),
                     ({"account": "a", "user": "b", "key": "short"}, "8 characters")):
        status, answer = signed_by(store, "POST", "/_admin/v1/users", *ROOT, doc)
        assert status == 400 and why in answer["message"], (doc, answer)
    answer = send_raw(store, "POST", "/_admin/v1/users", b"{not json")
    assert answer[0] == 400 and b"not JSON" in answer[1]
    answer = send_raw(store, "POST", "/_admin/v1/users", b"[1, 2]")
    assert answer[0] == 400
    answer = send_raw(store, "POST", "/_admin/v1/users", b" " * (64 * 1024 + 1))
    assert answer[0] == 400 and b"at most" in answer[1]
    assert signed_by(store, "GET", "/_admin/v1/nothing", *ROOT)[0] == 404
    assert signed_by(store, "GET", "/_admin/v2/whoami", *ROOT)[0] == 404
    assert signed_by(store, "DELETE", "/_admin/v1/users", *ROOT)[0] == 405
    assert signed_by(store, "PATCH", "/_admin/v1/users/test/tester", *ROOT,
                     {"key": "newkey123"})[0] == 400
    for quota in ({"bytes": "ten"}, {"bytes": -1}, {"objects": True}, {"files": 3}):
        assert signed_by(store, "PUT", "/_admin/v1/accounts/test/quota", *ROOT,
                         quota)[0] == 400, quota
    with urllib.request.urlopen(f"{store}/healthcheck", timeout=30) as resp:
        assert resp.status == 200      # still up


def send_raw(server: str, method: str, path: str, body: bytes) -> tuple[int, bytes]:
    req = AWSRequest(method=method, url=f"{server}{path}", data=body,
                     headers={"x-amz-content-sha256": hashlib.sha256(body).hexdigest()})
    S3SigV4Auth(Credentials(*ROOT), "s3", "us-east-1").add_auth(req)
    port = int(server.rsplit(":", 1)[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=dict(req.headers))
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def test_a_user_made_through_the_api_works_in_both_apis_until_disabled(store: str) -> None:
    status, made = signed_by(store, "POST", "/_admin/v1/users", *ROOT,
                             {"account": "acme", "user": "ann"})
    assert status == 201 and made["source"] == "cluster" and len(made["key"]) >= 30
    assert made["access_key"] == "acme:ann" and not made["disabled"]
    key = made["key"]
    s3 = s3_of(store, "acme:ann", key)
    s3.create_bucket(Bucket="acme-things")
    s3.put_object(Bucket="acme-things", Key="k", Body=b"hello")
    token = swift_token(store, "acme:ann", key)
    assert swift_status(store, "/v1/AUTH_acme/acme-things/k", token) == 200
    listed = signed_by(store, "GET", "/_admin/v1/users", *ROOT)[1]["users"]
    assert {"account": "acme", "user": "ann", "source": "cluster"}.items() <= next(
        u for u in listed if u["user"] == "ann").items()
    assert all("key" not in u for u in listed)      # secrets are shown once, when made
    assert signed_by(store, "POST", "/_admin/v1/users", *ROOT,
                     {"account": "acme", "user": "ann"})[0] == 409

    status, doc = signed_by(store, "PATCH", "/_admin/v1/users/acme/ann", *ROOT,
                            {"disabled": True})
    assert status == 200 and doc["disabled"]
    with pytest.raises(ClientError) as refused:
        s3.list_objects_v2(Bucket="acme-things")
    assert refused.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    assert swift_status(store, "/v1/AUTH_acme/acme-things/k", token) == 401
    assert login_status(store, "acme:ann", key) == 401

    signed_by(store, "PATCH", "/_admin/v1/users/acme/ann", *ROOT, {"disabled": False})
    assert s3.get_object(Bucket="acme-things", Key="k")["Body"].read() == b"hello"
    status, rotated = signed_by(store, "POST", "/_admin/v1/users/acme/ann/rotate", *ROOT)
    assert status == 200 and rotated["key"] != key
    with pytest.raises(ClientError) as refused:
        s3.list_objects_v2(Bucket="acme-things")
    assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert swift_status(store, "/v1/AUTH_acme/acme-things/k", token) == 401
    new = s3_of(store, "acme:ann", rotated["key"])
    assert new.get_object(Bucket="acme-things", Key="k")["Body"].read() == b"hello"

    assert signed_by(store, "DELETE", "/_admin/v1/users/acme/ann", *ROOT) == (204, None)
    assert signed_by(store, "GET", "/_admin/v1/users/acme/ann", *ROOT)[0] == 404
    assert login_status(store, "acme:ann", rotated["key"]) == 401


def test_a_user_of_the_config_can_be_disabled_but_not_removed(store: str) -> None:
    assert login_status(store, "test:reader", "readkey") == 200
    status, doc = signed_by(store, "DELETE", "/_admin/v1/users/test/reader", *ROOT)
    assert status == 409 and "config" in doc["message"]
    signed_by(store, "PATCH", "/_admin/v1/users/test/reader", *ROOT, {"disabled": True})
    assert login_status(store, "test:reader", "readkey") == 401
    listed = signed_by(store, "GET", "/_admin/v1/users/test/reader", *ROOT)[1]
    assert listed["disabled"] and listed["source"] == "cluster"
    # removing the override brings the config's entry back
    assert signed_by(store, "DELETE", "/_admin/v1/users/test/reader", *ROOT)[0] == 204
    assert login_status(store, "test:reader", "readkey") == 200
    assert signed_by(store, "GET", "/_admin/v1/users/test/reader", *ROOT)[1]["source"] \
        == "config"


def test_an_account_quota_set_here_holds_for_both_apis(store: str) -> None:
    signed_by(store, "POST", "/_admin/v1/users", *ROOT,
              {"account": "quota1", "user": "q", "key": "quotakey1"})
    s3 = s3_of(store, "quota1:q", "quotakey1")
    s3.create_bucket(Bucket="quota1-bucket")
    s3.put_object(Bucket="quota1-bucket", Key="first", Body=b"x" * 8)
    status, doc = signed_by(store, "PUT", "/_admin/v1/accounts/quota1/quota", *ROOT,
                            {"bytes": 10})
    assert status == 200 and doc["quota"] == {"bytes": 10, "objects": None}
    deadline = time.monotonic() + 20       # containers report to their account soon after
    while doc["used"]["objects"] != 1 and time.monotonic() < deadline:
        time.sleep(0.2)
        doc = signed_by(store, "GET", "/_admin/v1/accounts/quota1/quota", *ROOT)[1]
    assert doc["used"] == {"objects": 1, "bytes": 8, "containers": 1}
    with pytest.raises(ClientError) as refused:
        s3.put_object(Bucket="quota1-bucket", Key="second", Body=b"y" * 8)
    assert refused.value.response["Error"]["Code"] == "EntityTooLarge"
    token = swift_token(store, "quota1:q", "quotakey1")
    req = urllib.request.Request(f"{store}/v1/AUTH_quota1/quota1-bucket/third",
                                 data=b"z" * 8, method="PUT",
                                 headers={"X-Auth-Token": token})
    with pytest.raises(urllib.error.HTTPError) as too_big:
        urllib.request.urlopen(req, timeout=30)
    too_big.value.close()
    assert too_big.value.code == 413
    # the account's own user may read it; a reseller may lift it
    assert signed_by(store, "GET", "/_admin/v1/accounts/quota1/quota", "quota1:q",
                     "quotakey1")[1]["quota"]["bytes"] == 10
    signed_by(store, "PUT", "/_admin/v1/accounts/quota1/quota", *ROOT, {"bytes": None})
    s3.put_object(Bucket="quota1-bucket", Key="second", Body=b"y" * 8)


def test_the_status_of_serve(store: str) -> None:
    status, doc = with_token(store, "GET", "/_admin/v1/status", swift_token(store, *ROOT))
    assert status == 200
    assert doc["ring"]["replicas"] == 3 and doc["ring"]["partitions"] > 0
    assert len(doc["nodes"]) == 3 and all(n["up"] for n in doc["nodes"])
    assert doc["down"] == 0 and doc["ring_versions_agree"]
    for node in doc["nodes"]:
        assert node["ring_version"] == doc["ring"]["version"]
        for device in node["devices"]:
            assert device["size"] > 0 and 0 < device["free"] <= device["size"]
            assert device["quarantined"] >= 0 and device["async_pending"] >= 0
    assert json.dumps(doc)      # plain JSON all through


def test_serve_keeps_the_users_made_across_a_restart(tmp_path: Path) -> None:
    with serving(tmp_path / "data", USERS) as served:
        made = signed_by(served.url, "POST", "/_admin/v1/users", *ROOT,
                         {"account": "kept", "user": "k"})[1]
        port = int(served.url.rsplit(":", 1)[1])
    with serving(tmp_path / "data", USERS, port) as served:
        assert login_status(served.url, "kept:k", made["key"]) == 200
