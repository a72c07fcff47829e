"""DeleteObjects needs an integrity check of its list (Content-MD5 or an
x-amz-checksum-* header), as S3 requires; every client that sends one still deletes."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import Config
from minio import Minio
from minio.deleteobjects import DeleteObject

from tests.integration.signed import send
from tests.integration.test_s3_awscli import aws
from tests.integration.test_s3_rclone_s3cmd import run

KEYS = ("a.txt", "dir/b.txt", "dir/c d.txt")
DELETE = ("<Delete>" + "".join(f"<Object><Key>{k}</Key></Object>" for k in KEYS)
          + "</Delete>").encode()


def filled(server: str) -> str:
    bucket = f"del-{os.urandom(4).hex()}"
    assert send(server, "PUT", f"/{bucket}").status == 200
    for key in KEYS:
        assert send(server, "PUT", f"/{bucket}/{key.replace(' ', '%20')}", body=b"x").status \
            == 200
    return bucket


def keys(server: str, bucket: str) -> list[str]:
    body = send(server, "GET", f"/{bucket}?list-type=2").body.decode()
    return [part.split("</Key>")[0] for part in body.split("<Key>")[1:]]


def test_delete_objects_without_an_integrity_header_is_refused(server: str) -> None:
    bucket = filled(server)
    answer = send(server, "POST", f"/{bucket}?delete", body=DELETE)
    assert (answer.status, answer.code) == (400, "InvalidRequest")
    assert b"Content-MD5" in answer.body
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    answer = send(server, "POST", f"/{bucket}?delete", {"content-md5": wrong}, DELETE)
    assert (answer.status, answer.code) == (400, "BadDigest")
    assert keys(server, bucket) == sorted(KEYS)
    md5 = base64.b64encode(hashlib.md5(DELETE).digest()).decode()
    answer = send(server, "POST", f"/{bucket}?delete", {"content-md5": md5}, DELETE)
    assert answer.status == 200 and answer.body.count(b"<Deleted>") == 3
    assert keys(server, bucket) == []
    bucket = filled(server)
    sha = base64.b64encode(hashlib.sha256(DELETE).digest()).decode()
    answer = send(server, "POST", f"/{bucket}?delete", {"x-amz-checksum-sha256": sha},
                  DELETE)
    assert answer.status == 200 and keys(server, bucket) == []


@pytest.mark.parametrize("checksums", ["when_supported", "when_required"])
def test_boto3_deletes(server: str, checksums: str) -> None:
    bucket = filled(server)
    s3: Any = boto3.client("s3", endpoint_url=server, aws_access_key_id="test:tester",
                           aws_secret_access_key="testing", region_name="us-east-1",
                           config=Config(request_checksum_calculation=checksums))
    done = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in KEYS]})
    assert sorted(d["Key"] for d in done["Deleted"]) == sorted(KEYS)
    assert keys(server, bucket) == []
    s3.close()


def test_cli_and_client_deletes(server: str, tmp_path: Path) -> None:
    """aws s3api delete-objects, s3cmd del --recursive, rclone delete, minio."""
    bucket = filled(server)
    objects = "{" + '"Objects":[' + ",".join(f'{{"Key":"{k}"}}' for k in KEYS) + "]}"
    aws(server, "s3api", "delete-objects", "--bucket", bucket, "--delete", objects)
    assert keys(server, bucket) == []

    bucket = filled(server)
    host = server.removeprefix("http://")
    cfg = tmp_path / "s3cfg"
    cfg.write_text(f"[default]\naccess_key = test:tester\nsecret_key = testing\n"
                   f"host_base = {host}\nhost_bucket = {host}\nuse_https = False\n"
                   "signature_v2 = False\nbucket_location = us-east-1\n")
    s3cmd = shutil.which("s3cmd")
    assert s3cmd, "scripts/test.sh installs s3cmd"
    run([s3cmd, "-c", str(cfg), "del", "--recursive", "--force", f"s3://{bucket}"])
    assert keys(server, bucket) == []

    bucket = filled(server)
    rclone = shutil.which("rclone")
    assert rclone, "scripts/test.sh installs rclone"
    conf = tmp_path / "rclone.conf"
    conf.write_text("[os]\ntype = s3\nprovider = Other\naccess_key_id = test:tester\n"
                    f"secret_access_key = testing\nendpoint = {server}\nregion = us-east-1\n"
                    "force_path_style = true\n")
    run([rclone, "--config", str(conf), "delete", f"os:{bucket}"])
    assert keys(server, bucket) == []

    bucket = filled(server)
    minio = Minio(host, access_key="test:tester", secret_key="testing", secure=False,
                  region="us-east-1")
    errors = list(minio.remove_objects(bucket, [DeleteObject(k) for k in KEYS]))
    assert errors == [] and keys(server, bucket) == []
