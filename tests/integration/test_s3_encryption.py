"""Encryption at rest through boto3, the aws cli and python-swiftclient against a real
`objectstore serve` with two KMS keys: SSE-S3, SSE-KMS and SSE-C on single and multipart
objects, ranges, parts, copies between them, a bucket's default encryption (for Swift
writes too), key rotation, the refusals S3 answers -- and no byte of any encrypted
object's plaintext in any file under the data directory."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import requests
import swiftclient
from botocore.exceptions import ClientError

from tests.integration.conftest import USERS, serving
from tests.integration.s3_clients import client

AWS = str(Path(sys.executable).parent / "aws")
CONFIG = USERS + '\n[kms]\nkeys = ["app-1", "app-2"]\n'
MIB = 1024 * 1024


class Store(NamedTuple):
    url: str
    data: Path


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    data = tmp_path_factory.mktemp("sse") / "data"
    with serving(data, CONFIG) as served:
        yield Store(served.url, data)


@pytest.fixture(scope="module")
def s3(store: Store) -> Iterator[Any]:
    c = client(store.url)
    yield c
    c.close()


def customer(key: bytes) -> dict[str, str]:
    return {"SSECustomerAlgorithm": "AES256",
            "SSECustomerKey": base64.b64encode(key).decode(),
            "SSECustomerKeyMD5": base64.b64encode(hashlib.md5(key).digest()).decode()}


def copy_source_key(key: bytes) -> dict[str, str]:
    return {"CopySource" + k: v for k, v in customer(key).items()}


def marked(size: int) -> tuple[bytes, bytes]:
    """(marker, body): a body of `size` bytes made of a marker no other test writes, so
    finding the marker in a file means finding this body's plaintext."""
    marker = b"plain-" + os.urandom(6).hex().encode() + b"-"
    return marker, (marker * (size // len(marker) + 1))[:size]


def files_holding(data: Path, needle: bytes) -> list[Path]:
    found = []
    for path in data.rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            found.append(path)
    return found


def error(info: pytest.ExceptionInfo[ClientError]) -> tuple[int, str]:
    r = info.value.response
    return int(r["ResponseMetadata"]["HTTPStatusCode"]), str(r["Error"]["Code"])


def test_sse_s3_and_kms_read_back_with_their_etag_and_never_reach_the_disk_in_clear(
        store: Store, s3: Any, bucket: str) -> None:
    markers = []
    for size in (1, 13, 1000, 64 * 1024 + 3, 3 * MIB + 5):
        marker, body = marked(size)
        markers.append(marker)
        put = s3.put_object(Bucket=bucket, Key=f"s3-{size}", Body=body,
                            ServerSideEncryption="AES256")
        assert put["ServerSideEncryption"] == "AES256"
        assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'   # the plaintext's
        got = s3.get_object(Bucket=bucket, Key=f"s3-{size}")
        assert got["Body"].read() == body and got["ServerSideEncryption"] == "AES256"
        assert got["ETag"] == put["ETag"]
        kms = s3.put_object(Bucket=bucket, Key=f"kms-{size}", Body=body,
                            ServerSideEncryption="aws:kms", SSEKMSKeyId="app-2")
        assert (kms["ServerSideEncryption"], kms["SSEKMSKeyId"]) == ("aws:kms", "app-2")
        head = s3.head_object(Bucket=bucket, Key=f"kms-{size}")
        assert (head["SSEKMSKeyId"], head["ContentLength"]) == ("app-2", size)
        assert s3.get_object(Bucket=bucket, Key=f"kms-{size}")["Body"].read() == body
        for first, last in ((0, 0), (5, 17), (size - 3, size - 1), (size // 2, size - 1)):
            if 0 <= first <= last < size:
                ranged = s3.get_object(Bucket=bucket, Key=f"kms-{size}",
                                       Range=f"bytes={first}-{last}")
                assert ranged["Body"].read() == body[first:last + 1]
    listed = {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]}
    assert listed["s3-13"] == s3.head_object(Bucket=bucket, Key="s3-13")["ETag"]
    for marker in markers:
        assert files_holding(store.data, marker) == []


def test_kms_refusals(s3: Any, bucket: str) -> None:
    cases = [({"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "nobody"},
              (400, "KMS.NotFoundException")),
             ({"ServerSideEncryption": "aws:kms"}, (400, "InvalidArgument")),  # no default
             ({"SSEKMSKeyId": "app-1"}, (400, "InvalidArgument")),     # without aws:kms
             ({"ServerSideEncryption": "aws:kms:dsse", "SSEKMSKeyId": "app-1"},
              (501, "NotImplemented"))]
    for asked, expected in cases:
        with pytest.raises(ClientError) as info:
            s3.put_object(Bucket=bucket, Key="k", Body=b"x", **asked)
        assert error(info) == expected, asked
    context = base64.b64encode(json.dumps({"team": "a"}).encode()).decode()
    s3.put_object(Bucket=bucket, Key="ctx", Body=b"x", ServerSideEncryption="aws:kms",
                  SSEKMSKeyId="app-1", SSEKMSEncryptionContext=context,
                  BucketKeyEnabled=True)
    head = s3.head_object(Bucket=bucket, Key="ctx")
    assert head["BucketKeyEnabled"] is True
    assert head["ResponseMetadata"]["HTTPHeaders"][
        "x-amz-server-side-encryption-context"] == context
    reader = client(s3.meta.endpoint_url)       # a read takes no SSE-S3/KMS headers

    def add_header(params: dict[str, Any], **_: Any) -> None:
        params["headers"]["x-amz-server-side-encryption"] = "aws:kms"
    reader.meta.events.register("before-call.s3.GetObject", add_header)
    with pytest.raises(ClientError) as info:
        reader.get_object(Bucket=bucket, Key="ctx")
    assert error(info) == (400, "InvalidArgument")
    reader.close()


def test_sse_c_needs_its_key_for_every_read(store: Store, s3: Any, bucket: str) -> None:
    key, other = os.urandom(32), os.urandom(32)
    marker, body = marked(200_000)
    put = s3.put_object(Bucket=bucket, Key="c", Body=body, **customer(key))
    assert put["SSECustomerKeyMD5"] == customer(key)["SSECustomerKeyMD5"]
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'    # a part sent again: same
    assert s3.get_object(Bucket=bucket, Key="c", **customer(key))["Body"].read() == body
    ranged = s3.get_object(Bucket=bucket, Key="c", Range="bytes=99999-100016",
                           **customer(key))
    assert ranged["Body"].read() == body[99999:100017]
    head = s3.head_object(Bucket=bucket, Key="c", **customer(key))
    assert head["SSECustomerAlgorithm"] == "AES256"
    for call in (s3.get_object, s3.head_object):
        for extra in ({}, customer(other)):
            with pytest.raises(ClientError) as info:
                call(Bucket=bucket, Key="c", **extra)
            assert error(info)[0] == 400, (call, extra)
    with pytest.raises(ClientError) as info:
        s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=["ObjectSize"])
    assert error(info)[0] == 400
    attrs = s3.get_object_attributes(Bucket=bucket, Key="c", ObjectAttributes=["ObjectSize"],
                                     **customer(key))
    assert attrs["ObjectSize"] == len(body)
    s3.put_object(Bucket=bucket, Key="plain", Body=b"plain")
    with pytest.raises(ClientError) as info:           # not an SSE-C object
        s3.get_object(Bucket=bucket, Key="plain", **customer(key))
    assert error(info) == (400, "InvalidRequest")
    assert files_holding(store.data, marker) == []


def test_sse_c_request_refusals(s3: Any, bucket: str) -> None:
    key = os.urandom(32)
    good = customer(key)
    wrong_md5 = {**good, "SSECustomerKeyMD5": base64.b64encode(b"0" * 16).decode()}
    short = customer(os.urandom(16))
    for asked in (wrong_md5, short, {**good, "ServerSideEncryption": "AES256"}):
        with pytest.raises(ClientError) as info:
            s3.put_object(Bucket=bucket, Key="k", Body=b"x", **asked)
        assert error(info) == (400, "InvalidArgument"), asked
    r = requests.put(f"{s3.meta.endpoint_url}/{bucket}/k", data=b"x", headers={
        "x-amz-server-side-encryption-customer-algorithm": "AES512"})
    assert r.status_code in (400, 403)                 # refused (unsigned: 403 first)
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x", SSECustomerAlgorithm="AES512",
                      SSECustomerKey=good["SSECustomerKey"])
    assert error(info)[0] == 400
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)


def test_multipart_uploads_encrypt_every_part(store: Store, s3: Any, bucket: str) -> None:
    key, other = os.urandom(32), os.urandom(32)
    marker, part = marked(5 * MIB + 1)          # parts not a multiple of the AES block
    for asked, read in ((customer(key), customer(key)),
                        ({"ServerSideEncryption": "AES256"}, {}),
                        ({"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "app-1"}, {})):
        name = f"mp-{next(iter(asked.values()))[:3]}"
        upload = s3.create_multipart_upload(Bucket=bucket, Key=name, **asked)["UploadId"]
        parts = []
        for n in (1, 2):
            done = s3.upload_part(Bucket=bucket, Key=name, UploadId=upload, PartNumber=n,
                                  Body=part, **read)
            parts.append({"ETag": done["ETag"], "PartNumber": n})
        if read:
            with pytest.raises(ClientError) as info:       # a part with another key
                s3.upload_part(Bucket=bucket, Key=name, UploadId=upload, PartNumber=3,
                               Body=b"x", **customer(other))
            assert error(info)[0] == 400
            for wrong in ({}, customer(other)):            # a Complete without the key
                with pytest.raises(ClientError) as info:
                    s3.complete_multipart_upload(Bucket=bucket, Key=name, UploadId=upload,
                                                 MultipartUpload={"Parts": parts}, **wrong)
                assert error(info)[0] == 400
        s3.complete_multipart_upload(Bucket=bucket, Key=name, UploadId=upload,
                                     MultipartUpload={"Parts": parts}, **read)
        whole = part + part
        got = s3.get_object(Bucket=bucket, Key=name, **read)
        assert got["Body"].read() == whole
        across = s3.get_object(Bucket=bucket, Key=name, Range=f"bytes={len(part) - 9}-"
                               f"{len(part) + 9}", **read)
        assert across["Body"].read() == whole[len(part) - 9:len(part) + 10]
        second = s3.get_object(Bucket=bucket, Key=name, PartNumber=2, **read)
        assert second["Body"].read() == part
        head = s3.head_object(Bucket=bucket, Key=name, **read)
        assert head.get("ServerSideEncryption") == asked.get("ServerSideEncryption")
    assert files_holding(store.data, marker) == []


@pytest.mark.parametrize("source", ["plain", "s3", "kms", "c"])
@pytest.mark.parametrize("destination", ["none", "s3", "kms", "c"])
def test_copies_between_kinds(s3: Any, bucket: str, source: str, destination: str) -> None:
    key, key2 = os.urandom(32), os.urandom(32)
    writes = {"plain": {}, "s3": {"ServerSideEncryption": "AES256"},
              "kms": {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "app-1"},
              "c": customer(key)}
    asks = {"none": {}, "s3": {"ServerSideEncryption": "AES256"},
            "kms": {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": "app-2"},
            "c": customer(key2)}
    _, body = marked(70_000)
    s3.put_object(Bucket=bucket, Key="src", Body=body, **writes[source])
    from_key = copy_source_key(key) if source == "c" else {}
    if source == "c":
        with pytest.raises(ClientError) as info:        # the source's key is needed
            s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket,
                                                                 "Key": "src"})
        assert error(info)[0] == 400
    copied = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket,
                                                                  "Key": "src"},
                            **asks[destination], **from_key)
    read = customer(key2) if destination == "c" else {}
    got = s3.get_object(Bucket=bucket, Key="dst", **read)
    assert got["Body"].read() == body
    # kept: what the copy asked for, else the source's SSE-S3/KMS (never SSE-C's key)
    expected = {"none": {"plain": None, "s3": "AES256", "kms": "aws:kms", "c": None}[source],
                "s3": "AES256", "kms": "aws:kms", "c": None}[destination]
    assert got.get("ServerSideEncryption") == expected
    assert copied.get("ServerSideEncryption") == expected


def test_a_copy_onto_itself_may_change_only_its_encryption(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="o", Body=b"data")
    with pytest.raises(ClientError) as info:
        s3.copy_object(Bucket=bucket, Key="o", CopySource={"Bucket": bucket, "Key": "o"})
    assert error(info) == (400, "InvalidRequest")
    s3.copy_object(Bucket=bucket, Key="o", CopySource={"Bucket": bucket, "Key": "o"},
                   ServerSideEncryption="AES256")
    got = s3.get_object(Bucket=bucket, Key="o")
    assert (got["Body"].read(), got["ServerSideEncryption"]) == (b"data", "AES256")


def test_bucket_default_encrypts_s3_and_swift_writes(store: Store, s3: Any,
                                                     bucket: str) -> None:
    with pytest.raises(ClientError) as info:
        s3.get_bucket_encryption(Bucket=bucket)
    assert error(info) == (404, "ServerSideEncryptionConfigurationNotFoundError")
    rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                                   "KMSMasterKeyID": "app-1"},
            "BucketKeyEnabled": True}
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
        "Rules": [rule]})
    shown = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
    assert shown["Rules"] == [rule]
    marker, body = marked(100_000)
    put = s3.put_object(Bucket=bucket, Key="by-default", Body=body)
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"]) == ("aws:kms", "app-1")
    swift = swiftclient.Connection(authurl=f"{store.url}/auth/v1.0", user="test:tester",
                                   key="testing", retries=0)
    try:
        swift_marker, swift_body = marked(50_000)
        etag = swift.put_object(bucket, "from-swift", swift_body)
        assert etag == hashlib.md5(swift_body).hexdigest()
        head = s3.head_object(Bucket=bucket, Key="from-swift")
        assert head["ServerSideEncryption"] == "aws:kms"
        headers, got = swift.get_object(bucket, "by-default")   # read through Swift
        assert got == body and headers["etag"] == hashlib.md5(body).hexdigest()
        key = os.urandom(32)
        s3.put_object(Bucket=bucket, Key="customer", Body=b"secret", **customer(key))
        with pytest.raises(swiftclient.ClientException) as refused:
            swift.get_object(bucket, "customer")     # no way to give the key there
        assert refused.value.http_status == 400
        assert swift.head_object(bucket, "customer")["content-length"] == "6"
    finally:
        swift.close()
    with pytest.raises(ClientError) as info:
        s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {
                "SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "nobody"}}]})
    assert error(info) == (400, "KMS.NotFoundException")
    r = requests.put(f"{store.url}/{bucket}?encryption", data=b"<not xml")
    assert r.status_code in (400, 403)
    s3.delete_bucket_encryption(Bucket=bucket)
    assert "ServerSideEncryption" not in s3.put_object(Bucket=bucket, Key="after", Body=b"x")
    assert files_holding(store.data, marker) == []
    assert files_holding(store.data, swift_marker) == []


def test_a_bucket_policy_can_require_encryption(s3: Any, bucket: str) -> None:
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
            "Resource": f"arn:aws:s3:::{bucket}/*",
            "Condition": {"Null": {"s3:x-amz-server-side-encryption": "true"}}}]}))
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="plain", Body=b"x")
    assert error(info) == (403, "AccessDenied")
    s3.put_object(Bucket=bucket, Key="sealed", Body=b"x", ServerSideEncryption="AES256")
    assert s3.head_object(Bucket=bucket, Key="sealed")["ServerSideEncryption"] == "AES256"


def test_rotation_keeps_old_objects_readable_and_seals_new_ones_with_the_new_key(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    with serving(data, CONFIG) as served:
        c = client(served.url)
        c.create_bucket(Bucket="rot")
        c.put_object(Bucket="rot", Key="old", Body=b"old", ServerSideEncryption="AES256")
        key_file = data / "encryption-keys.json"
        assert key_file.stat().st_mode & 0o777 == 0o600     # the owner's only
        out = subprocess.run([sys.executable, "-m", "objectstore", "keys", "rotate",
                              str(key_file)], capture_output=True, text=True, check=True)
        assert "active key k2" in out.stdout
    with serving(data, CONFIG) as served:       # (a running proxy sees it within 5 s)
        c = client(served.url)
        c.put_object(Bucket="rot", Key="new", Body=b"new", ServerSideEncryption="AES256")
        assert c.get_object(Bucket="rot", Key="old")["Body"].read() == b"old"
    keys = json.loads(key_file.read_text())
    del keys["keys"]["k1"]                      # which key sealed which object
    key_file.write_text(json.dumps(keys))
    with serving(data, CONFIG) as served:
        c = client(served.url)
        assert c.get_object(Bucket="rot", Key="new")["Body"].read() == b"new"
        with pytest.raises(ClientError) as info:
            c.get_object(Bucket="rot", Key="old")
        assert error(info)[0] == 503


def aws(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test:tester",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    proc = subprocess.run([AWS, "--endpoint-url", url, *args], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_the_aws_cli_uploads_and_downloads_encrypted(store: Store, s3: Any, bucket: str,
                                                    tmp_path: Path) -> None:
    marker, body = marked(9 * MIB)              # past the cli's 8 MiB: multipart
    src = tmp_path / "big.bin"
    src.write_bytes(body)
    aws(store.url, "s3", "cp", str(src), f"s3://{bucket}/s3.bin", "--sse", "AES256")
    aws(store.url, "s3", "cp", str(src), f"s3://{bucket}/kms.bin", "--sse", "aws:kms",
        "--sse-kms-key-id", "app-2")
    key = base64.b64encode(os.urandom(32)).decode()
    aws(store.url, "s3", "cp", str(src), f"s3://{bucket}/c.bin", "--sse-c", "AES256",
        "--sse-c-key", f"fileb://{_key_file(tmp_path, key)}")
    assert s3.head_object(Bucket=bucket, Key="s3.bin")["ServerSideEncryption"] == "AES256"
    assert s3.head_object(Bucket=bucket, Key="kms.bin")["SSEKMSKeyId"] == "app-2"
    for name, extra in (("s3.bin", []), ("kms.bin", []),
                        ("c.bin", ["--sse-c", "AES256", "--sse-c-key",
                                   f"fileb://{_key_file(tmp_path, key)}"])):
        out = tmp_path / f"out-{name}"
        aws(store.url, "s3", "cp", f"s3://{bucket}/{name}", str(out), *extra)
        assert out.read_bytes() == body, name
    assert files_holding(store.data, marker) == []


def _key_file(tmp_path: Path, key_b64: str) -> Path:
    path = tmp_path / "sse-c.key"
    path.write_bytes(base64.b64decode(key_b64))
    return path


def test_swift_rewrites_and_copies_keep_objects_encrypted(store: Store, s3: Any,
                                                         bucket: str) -> None:
    """A Swift POST that changes the Content-Type rewrites the object onto itself (its
    ciphertext and envelope as stored); a Swift COPY of an SSE-S3 object is SSE-S3 too;
    an SSE-C null version archived when versioning starts keeps its key."""
    marker, body = marked(80_000)
    s3.put_object(Bucket=bucket, Key="o", Body=body, ServerSideEncryption="AES256")
    swift = swiftclient.Connection(authurl=f"{store.url}/auth/v1.0", user="test:tester",
                                   key="testing", retries=0)
    try:
        swift.post_object(bucket, "o", {"content-type": "text/x-new"})
        head = s3.head_object(Bucket=bucket, Key="o")
        assert (head["ContentType"], head["ServerSideEncryption"]) == ("text/x-new", "AES256")
        assert s3.get_object(Bucket=bucket, Key="o")["Body"].read() == body
        swift.copy_object(bucket, "o", f"/{bucket}/o-copy")
        assert s3.head_object(Bucket=bucket, Key="o-copy")["ServerSideEncryption"] == "AES256"
        assert swift.get_object(bucket, "o-copy")[1] == body
    finally:
        swift.close()
    key = os.urandom(32)
    s3.put_object(Bucket=bucket, Key="v", Body=b"first", **customer(key))
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=bucket, Key="v", Body=b"second", **customer(key))
    versions = s3.list_object_versions(Bucket=bucket, Prefix="v")["Versions"]
    old = next(v["VersionId"] for v in versions if not v["IsLatest"])
    assert s3.get_object(Bucket=bucket, Key="v", VersionId=old,
                         **customer(key))["Body"].read() == b"first"
    assert s3.get_object(Bucket=bucket, Key="v", **customer(key))["Body"].read() == b"second"
    assert files_holding(store.data, marker) == []
