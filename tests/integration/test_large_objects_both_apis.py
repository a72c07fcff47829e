"""One large-object model seen through both APIs, and the real clients, against a real
`objectstore serve`: an S3 multipart object is an SLO to Swift and a Swift SLO a
multipart object to S3; `swift upload --segment-size` (DLO) and `--use-slo` of a 30 MB
file round-trip byte-identical and `swift delete` takes the segments along; a bucket's
delete removes its `+segments` container once it is empty."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import swiftclient
from botocore.exceptions import ClientError

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, login, s3, swift
from tests.integration.test_swift_slo import segments

MIB = 1024 * 1024


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def multipart(server: str, bucket: str, key: str, parts: list[bytes]) -> str:
    client = s3(server)
    client.create_bucket(Bucket=bucket)
    upload = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    done = [{"PartNumber": n, "ETag": client.upload_part(
        Bucket=bucket, Key=key, UploadId=upload, PartNumber=n, Body=p)["ETag"]}
        for n, p in enumerate(parts, start=1)]
    return str(client.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload, MultipartUpload={"Parts": done})["ETag"])


def test_an_s3_multipart_object_is_an_slo_to_swift(server: str) -> None:
    bucket = f"mpu-{os.urandom(3).hex()}"
    parts = [b"x" * (5 * MIB), b"tail"]
    s3_etag = multipart(server, bucket, "big", parts)
    assert s3_etag.strip('"').endswith("-2")
    conn, tok = swift(server), login(server, ADMIN)
    head = conn.head_object(bucket, "big")
    assert head["x-static-large-object"] == "True"
    assert head["etag"] == f'"{md5((md5(parts[0]) + md5(parts[1])).encode())}"'
    status, _, body = raw(server, "GET", f"/v1/AUTH_test/{bucket}/big?multipart-manifest=get",
                          {"X-Auth-Token": tok})
    listed = json.loads(body)
    assert status == 200 and [e["bytes"] for e in listed] == [5 * MIB, 4]
    assert all(e["name"].startswith(f"/{bucket}+segments/big/") for e in listed)
    # a Swift delete with the segments takes the parts along
    status, _, body = raw(server, "DELETE", f"/v1/AUTH_test/{bucket}/big?"
                          "multipart-manifest=delete", {"X-Auth-Token": tok})
    assert status == 200 and b"Number Deleted: 3" in body
    assert conn.get_container(f"{bucket}+segments")[1] == []
    s3(server).delete_bucket(Bucket=bucket)


def test_a_swift_slo_is_a_multipart_object_to_s3(server: str) -> None:
    conn, container = swift(server), f"slos3-{os.urandom(3).hex()}"
    segs = segments(conn, container)
    body = json.dumps([segs["a"], segs["b"], segs["e"]]).encode()
    status, _, _ = raw(server, "PUT", f"/v1/AUTH_test/{container}/m?multipart-manifest=put",
                       {"X-Auth-Token": login(server, ADMIN),
                        "Content-Length": str(len(body))}, body)
    assert status == 201
    client = s3(server)
    digests = b"".join(bytes.fromhex(str(segs[k]["etag"])) for k in "abe")
    expected = f'"{md5(digests)}-3"'
    assert client.head_object(Bucket=container, Key="m")["ETag"] == expected
    part = client.get_object(Bucket=container, Key="m", PartNumber=2)
    assert part["Body"].read() == b"b" * MIB and part["PartsCount"] == 3
    assert client.head_object(Bucket=container, Key="m", PartNumber=3)["ContentLength"] == 1
    assert client.get_object(Bucket=container, Key="m")["Body"].read() == \
        b"a" * MIB + b"b" * MIB + b"e"


def test_a_bucket_delete_takes_its_segments_container_along(server: str) -> None:
    bucket = f"rb-{os.urandom(3).hex()}"
    multipart(server, bucket, "big", [b"y" * (5 * MIB), b"end"])
    client = s3(server)
    pending = client.create_multipart_upload(Bucket=bucket, Key="later")["UploadId"]
    client.delete_object(Bucket=bucket, Key="big")
    client.delete_bucket(Bucket=bucket)
    names = [c["name"] for c in swift(server).get_account()[1]]
    assert f"{bucket}+segments" in names        # an upload in progress keeps it
    client.create_bucket(Bucket=bucket)
    client.abort_multipart_upload(Bucket=bucket, Key="later", UploadId=pending)
    client.delete_bucket(Bucket=bucket)
    names = [c["name"] for c in swift(server).get_account()[1]]
    assert bucket not in names and f"{bucket}+segments" not in names
    with pytest.raises(ClientError):
        client.head_bucket(Bucket=bucket)


def cli(server: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = shutil.which("swift", path=str(Path(sys.executable).parent))
    assert command, "python-swiftclient installs the swift command"
    env = {**os.environ, "ST_AUTH": f"{server}/auth/v1.0", "ST_USER": ADMIN[0],
           "ST_KEY": ADMIN[1]}
    done = subprocess.run([command, *args], env=env, cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.mark.parametrize("kind", ["dlo", "slo"])
def test_the_swift_command_uploads_downloads_and_deletes_a_30mb_file(
        server: str, tmp_path: Path, kind: str) -> None:
    container = f"cli{kind}-{os.urandom(3).hex()}"
    data = os.urandom(30 * 1000 * 1000)
    (tmp_path / "big.bin").write_bytes(data)
    cli(server, tmp_path, "upload", "--segment-size", "5M",
        f"--use-{kind}", container, "big.bin")
    conn = swift(server)
    head = conn.head_object(container, "big.bin")
    assert ("x-static-large-object" in head) == (kind == "slo")
    assert ("x-object-manifest" in head) == (kind == "dlo")
    assert int(head["content-length"]) == len(data)
    assert len(conn.get_container(f"{container}_segments")[1]) == 6
    (tmp_path / "out").mkdir()
    cli(server, tmp_path / "out", "download", container, "big.bin")
    assert (tmp_path / "out" / "big.bin").read_bytes() == data
    # and through python-swiftclient's API, streamed in chunks
    _, chunks = conn.get_object(container, "big.bin", resp_chunk_size=1 << 20)
    assert hashlib.md5(b"".join(chunks), usedforsecurity=False).digest() == \
        hashlib.md5(data, usedforsecurity=False).digest()
    cli(server, tmp_path, "delete", container, "big.bin")
    with pytest.raises(swiftclient.ClientException):
        conn.head_object(container, "big.bin")
    assert conn.get_container(f"{container}_segments")[1] == []
