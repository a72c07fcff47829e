"""The Swift edge's refusals, against a real `objectstore serve`: non-admin users, the one
namespace of container and bucket names shared with S3, features we do not have yet
(400 with the feature named, never a 2xx that ignores them), conditional PUT, POST of a
content type, routing of S3 buckets named like Swift's paths, and Swift's name and
metadata limits."""

from __future__ import annotations

import json
import os
from typing import Any

import boto3
import pytest
import swiftclient
from botocore.client import Config
from botocore.exceptions import ClientError

from tests.integration.test_swift_api import raw

ADMIN = ("test:tester", "testing")
OTHER = ("other:someone", "secret2")
READER = ("test:reader", "readkey")          # admin = false in conftest's users


def login(server: str, user: tuple[str, str]) -> str:
    status, headers, _ = raw(server, "GET", "/auth/v1.0",
                             {"X-Auth-User": user[0], "X-Auth-Key": user[1]})
    assert status == 200
    return headers["x-auth-token"]


def swift(server: str, user: tuple[str, str] = ADMIN) -> swiftclient.Connection:
    return swiftclient.Connection(authurl=f"{server}/auth/v1.0", user=user[0], key=user[1],
                                  retries=0)


def s3(server: str, user: tuple[str, str] = ADMIN) -> Any:
    return boto3.client("s3", endpoint_url=server, aws_access_key_id=user[0],
                        aws_secret_access_key=user[1], region_name="us-east-1",
                        config=Config(retries={"max_attempts": 1}))


def unique(prefix: str) -> str:
    return f"{prefix}-{os.urandom(4).hex()}"


def s3_code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


# -- 1. non-admin users ------------------------------------------------------------------

def test_a_non_admin_user_authenticates_but_may_do_nothing(server: str) -> None:
    admin = swift(server)
    admin.put_container("adminonly")
    admin.put_object("adminonly", "secret.txt", b"for admins")
    tok = login(server, READER)          # TempAuth itself still gives a token
    refused = [
        ("GET", "/v1/AUTH_test", {}),
        ("HEAD", "/v1/AUTH_test", {}),
        ("POST", "/v1/AUTH_test", {"X-Account-Meta-Owned": "yes"}),
        ("PUT", "/v1/AUTH_test/readercreated", {"Content-Length": "0"}),
        ("DELETE", "/v1/AUTH_test/adminonly", {}),
        ("POST", "/v1/AUTH_test/adminonly", {"X-Container-Meta-X": "1"}),
        ("GET", "/v1/AUTH_test/adminonly", {}),
        ("GET", "/v1/AUTH_test/adminonly/secret.txt", {}),
        ("HEAD", "/v1/AUTH_test/adminonly/secret.txt", {}),
        ("PUT", "/v1/AUTH_test/adminonly/new", {"Content-Length": "1"}),
        ("POST", "/v1/AUTH_test/adminonly/secret.txt", {"X-Object-Meta-X": "1"}),
        ("DELETE", "/v1/AUTH_test/adminonly/secret.txt", {}),
    ]
    for method, path, headers in refused:
        status, _, body = raw(server, method, path, {"X-Auth-Token": tok, **headers},
                              b"x" if headers.get("Content-Length") == "1" else None)
        assert status == 403, (method, path, status)
        assert b"for admins" not in body
    # nothing the reader asked for happened
    assert "x-account-meta-owned" not in admin.head_account()
    assert admin.get_object("adminonly", "secret.txt")[1] == b"for admins"
    assert "readercreated" not in [c["name"] for c in admin.get_account()[1]]
    assert [o["name"] for o in admin.get_container("adminonly")[1]] == ["secret.txt"]
    admin.delete_object("adminonly", "secret.txt")
    admin.delete_container("adminonly")


# -- 2. one namespace of names -----------------------------------------------------------

def test_a_swift_container_name_is_taken_for_s3(server: str) -> None:
    """Another account's Swift PUT of a held name is Swift-only (test_swift_local_
    containers.py); its S3 requests stay refused."""
    name = unique("shared")
    mine, their_s3 = swift(server), s3(server, OTHER)
    mine.put_container(name)
    with pytest.raises(ClientError) as info:
        their_s3.create_bucket(Bucket=name)
    assert s3_code(info) == "BucketAlreadyExists"
    with pytest.raises(ClientError) as info:
        their_s3.head_bucket(Bucket=name)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    mine.put_container(name)                 # the owner may PUT it again (202)
    mine.delete_container(name)              # deleting releases the name
    their_s3.create_bucket(Bucket=name)
    with pytest.raises(ClientError) as info:
        s3(server).head_bucket(Bucket=name)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    their_s3.delete_bucket(Bucket=name)


def test_names_s3_cannot_have_are_registered_too(server: str) -> None:
    name = unique("Upper_Case") + "x" * 200           # 220 bytes: Swift only
    mine, their_s3 = swift(server), s3(server, OTHER)
    mine.put_container(name)
    with pytest.raises(ClientError) as info:          # AccessDenied, not NoSuchBucket
        their_s3.head_bucket(Bucket=name)
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    mine.delete_container(name)


def test_a_segments_container_belongs_to_its_buckets_owner(server: str) -> None:
    bucket = unique("segs")
    mine, their_s3 = swift(server), s3(server, OTHER)
    mine.put_container(f"{bucket}+segments")
    with pytest.raises(ClientError) as info:
        their_s3.create_bucket(Bucket=bucket)
    assert s3_code(info) == "BucketAlreadyExists"
    mine.put_container(bucket)               # the same owner may have both
    mine.delete_container(f"{bucket}+segments")
    with pytest.raises(ClientError) as info:  # the bucket still holds the name
        their_s3.create_bucket(Bucket=bucket)
    assert s3_code(info) == "BucketAlreadyExists"
    mine.delete_container(bucket)
    their_s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as info:   # theirs now, segments included
        s3(server).create_bucket(Bucket=bucket)
    assert s3_code(info) == "BucketAlreadyExists"
    their_s3.delete_bucket(Bucket=bucket)


# -- 3. features that do nothing say so --------------------------------------------------

REFUSED = [
    ("COPY", "target", {"X-Object-Manifest": "segs/o/", "Destination": "feat/o"}, ""),
]


@pytest.mark.parametrize("method, obj, headers, query", REFUSED)
def test_object_features_we_lack_are_refused(server: str, method: str, obj: str,
                                             headers: dict[str, str], query: str) -> None:
    conn = swift(server)
    conn.put_container("feat")
    conn.put_object("feat", "target", b"target body", headers={"X-Object-Meta-A": "1"})
    path = f"/v1/AUTH_test/feat/{obj}" + (f"?{query}" if query else "")
    body = b"manifest?" if method == "PUT" else b""
    status, _, text = raw(server, method, path,
                          {"X-Auth-Token": login(server, ADMIN),
                           "Content-Length": str(len(body)), **headers}, body)
    assert status == 400, (method, path, headers, status)
    assert b"not implemented yet" in text
    with pytest.raises(swiftclient.ClientException):
        conn.head_object("feat", "o")                       # nothing was stored
    head = conn.head_object("feat", "target")               # nor changed
    assert head["x-object-meta-a"] == "1"


def test_symlink_get_on_a_plain_object_means_the_object(server: str) -> None:
    """`?symlink=get` ("do not follow") and `?multipart-manifest=get|delete` on a plain
    object mean the object itself (swiftclient sends them on every delete and
    --skip-identical download); large objects: test_swift_slo.py, test_swift_dlo.py."""
    conn, tok = swift(server), login(server, ADMIN)
    conn.put_container("mfq")
    conn.put_object("mfq", "plain", b"plain body")
    for query in ("symlink=get", "multipart-manifest=get"):
        status, _, body = raw(server, "GET", f"/v1/AUTH_test/mfq/plain?{query}",
                              {"X-Auth-Token": tok})
        assert (status, body) == (200, b"plain body")
    status, _, _ = raw(server, "DELETE", "/v1/AUTH_test/mfq/plain?multipart-manifest=delete",
                       {"X-Auth-Token": tok})
    assert status == 204


@pytest.mark.parametrize("header", ["X-Container-Sync-To"])
def test_container_features_we_lack_are_refused(server: str, header: str) -> None:
    conn, name = swift(server), unique("cfeat")
    tok = login(server, ADMIN)
    status, _, _ = raw(server, "PUT", f"/v1/AUTH_test/{name}",
                       {"X-Auth-Token": tok, "Content-Length": "0", header: "true"})
    assert status == 400
    with pytest.raises(swiftclient.ClientException):
        conn.head_container(name)                           # not created
    conn.put_container(name)
    status, _, _ = raw(server, "POST", f"/v1/AUTH_test/{name}",
                       {"X-Auth-Token": tok, header: "true"})
    assert status == 400
    assert header.lower() not in conn.head_container(name)
    # asking for the feature to be off is true already: accepted
    status, _, _ = raw(server, "POST", f"/v1/AUTH_test/{name}",
                       {"X-Auth-Token": tok, header: ""})
    assert status == 204
    conn.delete_container(name)




def test_info_advertises_only_what_works(server: str) -> None:
    status, _, body = raw(server, "GET", "/info", {})
    info = json.loads(body)
    assert status == 200 and set(info) == {"swift", "tempurl", "tempauth", "symlink",
                                         "container_quotas", "account_quotas", "staticweb",
                                         "bulk_delete", "formpost", "bulk_upload", "slo",
                                         "dlo", "object_versioning", "versioned_writes",
                                         "objectstore_ring", "etag_quoter"}
    limits = info["swift"]
    assert (limits["max_meta_count"], limits["max_meta_name_length"],
            limits["max_meta_value_length"], limits["max_meta_overall_size"]) == \
        (90, 128, 256, 4096)
    assert swiftclient.Connection(authurl=f"{server}/auth/v1.0", user=ADMIN[0],
                                  key=ADMIN[1]).get_capabilities()["swift"] == limits


# -- 4. conditional PUT, POST Content-Type, routing, names, metadata limits ---------------

def test_put_if_none_match_star_creates_only(server: str) -> None:
    conn, tok = swift(server), login(server, ADMIN)
    conn.put_container("inm")
    path = "/v1/AUTH_test/inm/once"
    status, _, _ = raw(server, "PUT", path, {"X-Auth-Token": tok, "If-None-Match": "*",
                                             "Content-Length": "5"}, b"first")
    assert status == 201
    status, _, _ = raw(server, "PUT", path, {"X-Auth-Token": tok, "If-None-Match": "*",
                                             "Content-Length": "6"}, b"second")
    assert status == 412
    status, _, _ = raw(server, "PUT", path, {"X-Auth-Token": tok, "If-None-Match": '"abc"',
                                             "Content-Length": "6"}, b"second")
    assert status == 400
    assert conn.get_object("inm", "once")[1] == b"first"


def test_post_changes_the_content_type(server: str) -> None:
    conn = swift(server)
    conn.put_container("ctype")
    conn.put_object("ctype", "doc", b"<p>hi</p>", content_type="text/plain",
                    headers={"X-Object-Meta-Old": "1", "Content-Disposition": "inline"})
    conn.post_object("ctype", "doc", headers={"Content-Type": "text/html",
                                              "X-Object-Meta-New": "2"})
    headers, body = conn.get_object("ctype", "doc")
    assert body == b"<p>hi</p>" and headers["content-type"] == "text/html"
    assert headers["x-object-meta-new"] == "2" and "x-object-meta-old" not in headers
    assert headers["content-disposition"] == "inline"
    _, listing = conn.get_container("ctype")
    assert [(o["name"], o["content_type"]) for o in listing] == [("doc", "text/html")]


@pytest.mark.parametrize("bucket, key", [("info", "k"), ("healthcheck", "k"), ("v1.0", "k"),
                                         ("auth", "v1.0")])
def test_s3_buckets_named_like_swift_paths(server: str, bucket: str, key: str) -> None:
    client = s3(server)
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key=key, Body=b"in " + bucket.encode())
    assert client.get_object(Bucket=bucket, Key=key)["Body"].read() == b"in " + bucket.encode()
    assert [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]] == [key]
    url = client.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key})
    path = url.removeprefix(server)
    assert raw(server, "GET", path, {})[2] == b"in " + bucket.encode()
    client.delete_object(Bucket=bucket, Key=key)
    client.delete_bucket(Bucket=bucket)
    # unsigned, the same paths are still Swift's
    status, _, body = raw(server, "GET", "/info", {})
    assert status == 200 and "swift" in json.loads(body)
    assert raw(server, "GET", "/healthcheck", {})[:3:2] == (200, b"OK")
    assert raw(server, "GET", "/auth/v1.0", {"X-Auth-User": ADMIN[0],
                                             "X-Auth-Key": ADMIN[1]})[0] == 200


@pytest.mark.parametrize("name", ["..", ".", "%2E%2E", "%2e"])
def test_dot_containers_are_refused(server: str, name: str) -> None:
    tok = login(server, ADMIN)
    status, _, body = raw(server, "PUT", f"/v1/AUTH_test/{name}",
                          {"X-Auth-Token": tok, "Content-Length": "0"})
    assert status == 400 and b"not allowed" in body
    names = [c["name"] for c in swift(server).get_account()[1]]
    assert "." not in names and ".." not in names


def _meta(count: int, name: int = 8, value: int = 4) -> dict[str, str]:
    return {f"X-Object-Meta-{i:0{name}d}": "v" * value for i in range(count)}


@pytest.mark.parametrize("headers, ok", [
    (_meta(90), True), (_meta(91), False),
    ({"X-Object-Meta-" + "n" * 128: "v"}, True), ({"X-Object-Meta-" + "n" * 129: "v"}, False),
    ({"X-Object-Meta-N": "v" * 256}, True), ({"X-Object-Meta-N": "v" * 257}, False),
    (_meta(16, 6, 250), True),                     # 16 * 256 = 4096 bytes
    (_meta(16, 6, 251), False),                    # 4112
])
def test_object_metadata_limits(server: str, headers: dict[str, str], ok: bool) -> None:
    conn, tok = swift(server), login(server, ADMIN)
    conn.put_container("metalimits")
    name = unique("o")
    status, _, body = raw(server, "PUT", f"/v1/AUTH_test/metalimits/{name}",
                          {"X-Auth-Token": tok, "Content-Length": "1", **headers}, b"x")
    assert status == (201 if ok else 400), body
    if not ok:
        assert b"max" in body or b"longer than" in body
        with pytest.raises(swiftclient.ClientException):
            conn.head_object("metalimits", name)
        return
    status, _, _ = raw(server, "POST", f"/v1/AUTH_test/metalimits/{name}",
                       {"X-Auth-Token": tok, **headers, "X-Object-Meta-Zzz": "v" * 300})
    assert status == 400, "POST is held to the same limits"


def test_container_metadata_limits_count_what_is_stored(server: str) -> None:
    conn, tok, name = swift(server), login(server, ADMIN), unique("cmeta")
    first = {f"X-Container-Meta-A{i}": "v" for i in range(60)}
    conn.put_container(name, headers=first)
    more = {f"X-Container-Meta-B{i}": "v" for i in range(31)}
    status, _, body = raw(server, "POST", f"/v1/AUTH_test/{name}", {"X-Auth-Token": tok,
                                                                    **more})
    assert status == 400 and b"max 90" in body
    assert "x-container-meta-b0" not in conn.head_container(name)
    # removing some makes room
    fewer = {f"X-Remove-Container-Meta-A{i}": "x" for i in range(10)}
    status, _, _ = raw(server, "POST", f"/v1/AUTH_test/{name}", {"X-Auth-Token": tok,
                                                                 **fewer, **more})
    assert status == 204
    head = conn.head_container(name)
    assert "x-container-meta-a0" not in head and head["x-container-meta-b30"] == "v"
    conn.delete_container(name)


@pytest.mark.parametrize(("method", "path", "extra"), [
    ("PUT", "/v1/AUTH_test/c%00", {}), ("GET", "/v1/AUTH_test/c%00", {}),
    ("PUT", "/v1/AUTH_test/nulchecks/%00", {}), ("GET", "/v1/AUTH_test/nulchecks/a%00b", {}),
    ("PUT", "/v1/AUTH_test/nulchecks/copy", {"X-Copy-From": "/nulchecks/%00"}),
    ("COPY", "/v1/AUTH_test/nulchecks/src", {"Destination": "/nulchecks/%00"})])
def test_a_name_with_nul_is_refused(server: str, method: str, path: str,
                                    extra: dict[str, str]) -> None:
    """NUL in a name is a 412 at the edge (the S3 edge's InvalidArgument), never the
    nodes' 400 taken for a failing node."""
    conn = swift(server)
    conn.put_container("nulchecks")
    conn.put_object("nulchecks", "src", b"x")
    status, _, _ = raw(server, method, path, {"X-Auth-Token": login(server, ADMIN),
                                              "Content-Length": "0", **extra})
    assert status == 412
    assert [o["name"] for o in conn.get_container("nulchecks")[1]] == ["src"]


@pytest.mark.parametrize("path", ["/v1/AUTH_test/nulchecks?delimiter=" + "a" * 1025,
                                  "/v1/AUTH_test?delimiter=" + "a" * 1025])
def test_a_listing_the_nodes_refuse_is_a_client_error(server: str, path: str) -> None:
    """The nodes refuse a delimiter longer than any name (400, saying so): that
    refusal, agreed by the replicas, reaches the client as a 4xx, not a 503 for
    nodes taken to be failing."""
    swift(server).put_container("nulchecks")
    status, _, body = raw(server, "GET", path, {"X-Auth-Token": login(server, ADMIN)})
    assert status == 400
    assert b"delimiter" in body
