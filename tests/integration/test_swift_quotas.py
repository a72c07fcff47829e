"""Container quotas (X-Container-Meta-Quota-Bytes / -Count) through swiftclient and
boto3: writes past them are refused 413 (S3 EntityTooLarge) whichever API or path
writes -- PUT, chunked PUT, copy, multipart parts and Complete -- and nothing is stored;
bad values are 400."""

from __future__ import annotations

import time
from typing import Any

import pytest
import swiftclient
from botocore.exceptions import ClientError

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, login, s3, s3_code, swift, unique


def status_of_put(conn: swiftclient.Connection, container: str, name: str,
                  body: bytes | object, **kw: object) -> int:
    try:
        conn.put_object(container, name, body, **kw)
    except swiftclient.ClientException as exc:
        return int(exc.http_status or 0)
    return 201


def test_a_bytes_quota_refuses_the_write_that_would_pass_it(server: str) -> None:
    conn, name = swift(server), unique("quota")
    conn.put_container(name, {"X-Container-Meta-Quota-Bytes": "20"})
    assert status_of_put(conn, name, "a", b"x" * 10) == 201
    assert status_of_put(conn, name, "b", b"x" * 10) == 201
    assert status_of_put(conn, name, "c", b"x") == 413
    # chunked (no length known first): refused by the count of bytes already there
    assert status_of_put(conn, name, "d", iter([b"x"])) == 413
    assert sorted(o["name"] for o in conn.get_container(name)[1]) == ["a", "b"]
    # through S3 too
    with pytest.raises(ClientError) as info:
        s3(server).put_object(Bucket=name, Key="s3", Body=b"x")
    assert s3_code(info) == "EntityTooLarge"
    conn.post_container(name, {"X-Remove-Container-Meta-Quota-Bytes": "x"})
    assert status_of_put(conn, name, "c", b"x") == 201
    for obj in conn.get_container(name)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def test_a_count_quota_and_copies(server: str) -> None:
    conn, name, src = swift(server), unique("quota"), unique("quota-src")
    conn.put_container(src)
    conn.put_object(src, "big", b"x" * 100)
    conn.put_container(name, {"X-Container-Meta-Quota-Count": "1"})
    assert status_of_put(conn, name, "one", b"1") == 201
    assert status_of_put(conn, name, "two", b"2") == 413
    conn.post_container(name, {"X-Container-Meta-Quota-Count": "",
                               "X-Container-Meta-Quota-Bytes": "50"})
    tok = login(server, ADMIN)
    status, _, _ = raw(server, "PUT", f"/v1/AUTH_test/{name}/copied",
                       {"X-Auth-Token": tok, "Content-Length": "0",
                        "X-Copy-From": f"{src}/big"})
    assert status == 413                  # 100 bytes copied into a 50-byte quota
    assert [o["name"] for o in conn.get_container(name)[1]] == ["one"]
    for c in (name, src):
        for obj in conn.get_container(c)[1]:
            conn.delete_object(c, obj["name"])
        conn.delete_container(c)


@pytest.mark.parametrize("header, value", [
    ("X-Container-Meta-Quota-Bytes", "lots"), ("X-Container-Meta-Quota-Count", "-1"),
    ("X-Container-Meta-Quota-Bytes", "1.5"),
])
def test_quotas_must_be_whole_numbers(server: str, header: str, value: str) -> None:
    name, tok = unique("quota"), login(server, ADMIN)
    assert raw(server, "PUT", f"/v1/AUTH_test/{name}",
               {"X-Auth-Token": tok, "Content-Length": "0", header: value})[0] == 400
    swift(server).put_container(name)
    assert raw(server, "POST", f"/v1/AUTH_test/{name}",
               {"X-Auth-Token": tok, header: value})[0] == 400
    assert header.lower() not in swift(server).head_container(name)
    swift(server).delete_container(name)


RESELLER = ("reseller:root", "rootkey")
MiB = 1024 * 1024


def as_reseller(server: str) -> swiftclient.Connection:
    return swiftclient.Connection(preauthurl=f"{server}/v1/AUTH_other",
                                  preauthtoken=login(server, RESELLER), retries=0)


@pytest.mark.parametrize("header", ["X-Account-Quota-Bytes", "X-Account-Quota-Count",
                                    "X-Account-Meta-Quota-Bytes",
                                    "X-Remove-Account-Quota-Bytes"])
def test_only_a_reseller_admin_sets_account_quotas(server: str, header: str) -> None:
    tok = login(server, ("other:someone", "secret2"))        # the account's own admin
    assert raw(server, "POST", "/v1/AUTH_other", {"X-Auth-Token": tok, header: "5"})[0] \
        == 403
    assert "x-account-quota-bytes" not in swift(server, ("other:someone", "secret2")
                                                 ).head_account()


def test_an_account_quota_holds_for_every_container_and_both_apis(server: str) -> None:
    other = swift(server, ("other:someone", "secret2"))
    used = int(other.head_account()["x-account-bytes-used"])
    root = as_reseller(server)
    name = unique("aquota")
    other.put_container(name)
    root.post_account({"X-Account-Quota-Bytes": str(used + 10)})
    try:
        assert other.head_account()["x-account-quota-bytes"] == str(used + 10)
        assert status_of_put(other, name, "fits", b"x" * 10) == 201
        # an account's usage follows its containers' reports (eventually consistent,
        # as in Swift): once it shows the 10 bytes, the next byte is refused
        deadline = time.monotonic() + 10
        while int(other.head_account()["x-account-bytes-used"]) < used + 10:
            assert time.monotonic() < deadline, "the account never counted the write"
            time.sleep(0.1)
        assert status_of_put(other, name, "over", b"x") == 413
        with pytest.raises(ClientError) as info:
            s3(server, ("other:someone", "secret2")).put_object(Bucket=name, Key="s3",
                                                                 Body=b"x")
        assert s3_code(info) == "EntityTooLarge"
        tok = login(server, RESELLER)
        assert raw(server, "POST", "/v1/AUTH_other",
                   {"X-Auth-Token": tok, "X-Account-Quota-Bytes": "many"})[0] == 400
    finally:
        root.post_account({"X-Account-Quota-Bytes": ""})
    assert "x-account-quota-bytes" not in other.head_account()
    assert status_of_put(other, name, "over", b"x") == 201
    remove(other, name)


def test_a_storage_policy_s_quota_holds_for_its_containers_alone(server: str) -> None:
    """X-Account-Quota-Count-Policy-<name> limits the objects of that policy's
    containers; the account's other policies are not held to it, and it shows with the
    account's counts per policy (X-Account-Storage-Policy-<name>-*)."""
    other = swift(server, ("other:someone", "secret2"))
    root = as_reseller(server)
    name, spare = unique("pquota"), unique("spare")
    other.put_container(name)
    other.put_container(spare, headers={"X-Storage-Policy": "reduced"})
    head = other.head_account()
    count = int(head.get("x-account-storage-policy-default-object-count", "0"))
    root.post_account({"X-Account-Quota-Count-Policy-default": str(count + 1)})
    try:
        assert other.head_account()["x-account-quota-count-policy-default"] == str(count + 1)
        assert status_of_put(other, name, "one", b"x") == 201
        deadline = time.monotonic() + 10
        while int(other.head_account().get(
                "x-account-storage-policy-default-object-count", "0")) < count + 1:
            assert time.monotonic() < deadline, "the account never counted the write"
            time.sleep(0.1)
        assert status_of_put(other, name, "two", b"x") == 413
        assert status_of_put(other, spare, "elsewhere", b"x") == 201, "another policy"
        root.post_account({"X-Account-Quota-Bytes-Policy-reduced": "1"})
        while other.head_account().get("x-account-storage-policy-reduced-bytes-used") != "1":
            assert time.monotonic() < deadline + 10, "the account never counted the write"
            time.sleep(0.1)
        assert other.head_account()["x-account-storage-policy-reduced-container-count"] \
            == "1"
        assert status_of_put(other, spare, "more", b"x") == 413
        tok = login(server, RESELLER)
        assert raw(server, "POST", "/v1/AUTH_other",
                   {"X-Auth-Token": tok, "X-Account-Quota-Bytes-Policy-gold": "5"})[0] == 400
        user = login(server, ("other:someone", "secret2"))
        assert raw(server, "POST", "/v1/AUTH_other", {
            "X-Auth-Token": user, "X-Remove-Account-Quota-Count-Policy-default": "x"})[0] \
            == 403
    finally:
        root.post_account({"X-Remove-Account-Quota-Count-Policy-default": "x",
                           "X-Remove-Account-Quota-Bytes-Policy-reduced": "x"})
    assert "x-account-quota-count-policy-default" not in other.head_account()
    assert status_of_put(other, name, "two", b"x") == 201
    remove(other, name)
    remove(other, spare)


def remove(conn: swiftclient.Connection, name: str) -> None:
    for obj in conn.get_container(name)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def multipart(client: Any, bucket: str, key: str, sizes: list[int]) -> Any:
    """An upload with one part per size (5 MiB at least but the last), not completed."""
    upload = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    parts = []
    for number, size in enumerate(sizes, 1):
        etag = client.upload_part(Bucket=bucket, Key=key, UploadId=upload,
                                  PartNumber=number, Body=b"m" * size)["ETag"]
        parts.append({"PartNumber": number, "ETag": etag})
    return upload, parts


def test_a_multipart_upload_is_held_to_its_bucket_s_quota_when_completed(
        server: str) -> None:
    """The object a Complete makes adds its whole size to the bucket: past the bucket's
    quota it is refused (EntityTooLarge) and no object appears; within it, it is made."""
    conn, name = swift(server), unique("mquota")
    conn.put_container(name, {"X-Container-Meta-Quota-Bytes": str(8 * MiB)})
    client = s3(server)
    upload, parts = multipart(client, name, "big", [5 * MiB, 4 * MiB])
    with pytest.raises(ClientError) as info:
        client.complete_multipart_upload(Bucket=name, Key="big", UploadId=upload,
                                         MultipartUpload={"Parts": parts})
    assert s3_code(info) == "EntityTooLarge"
    assert client.list_objects_v2(Bucket=name).get("KeyCount") == 0
    client.abort_multipart_upload(Bucket=name, Key="big", UploadId=upload)
    upload, parts = multipart(client, name, "fits", [5 * MiB, 3 * MiB])
    client.complete_multipart_upload(Bucket=name, Key="fits", UploadId=upload,
                                     MultipartUpload={"Parts": parts})
    assert client.head_object(Bucket=name, Key="fits")["ContentLength"] == 8 * MiB
    client.delete_object(Bucket=name, Key="fits")
    conn.delete_container(name)


def test_an_account_quota_holds_for_each_part_uploaded(server: str) -> None:
    """Parts are stored in the account as they come: a part past the account's quota is
    refused (EntityTooLarge), not taken and only found out at Complete."""
    other = swift(server, ("other:someone", "secret2"))
    client = s3(server, ("other:someone", "secret2"))
    name = unique("pquota")
    client.create_bucket(Bucket=name)
    used = int(other.head_account()["x-account-bytes-used"])
    root = as_reseller(server)
    root.post_account({"X-Account-Quota-Bytes": str(used + 6 * MiB)})
    try:
        upload = client.create_multipart_upload(Bucket=name, Key="k")["UploadId"]
        client.upload_part(Bucket=name, Key="k", UploadId=upload, PartNumber=1,
                           Body=b"p" * (5 * MiB))
        deadline = time.monotonic() + 10
        while int(other.head_account()["x-account-bytes-used"]) < used + 5 * MiB:
            assert time.monotonic() < deadline, "the account never counted the part"
            time.sleep(0.1)
        with pytest.raises(ClientError) as info:
            client.upload_part(Bucket=name, Key="k", UploadId=upload, PartNumber=2,
                               Body=b"p" * (2 * MiB))
        assert s3_code(info) == "EntityTooLarge"
        parts = client.list_parts(Bucket=name, Key="k", UploadId=upload)["Parts"]
        assert [p["PartNumber"] for p in parts] == [1]
        client.abort_multipart_upload(Bucket=name, Key="k", UploadId=upload)
    finally:
        root.post_account({"X-Account-Quota-Bytes": ""})
    client.delete_bucket(Bucket=name)
