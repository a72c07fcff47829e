"""The aws cli against a real `objectstore serve`: s3 mb/cp/sync/ls/rm/rb (a 100 MiB
file, so cp goes multipart) and a few s3api calls."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AWS = str(Path(sys.executable).parent / "aws")


def aws(server: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "test:tester",
           "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
    proc = subprocess.run([AWS, "--endpoint-url", server, *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def bucket(server: str) -> str:
    name = f"cli-{os.urandom(4).hex()}"
    aws(server, "s3", "mb", f"s3://{name}")
    return name


def test_cp_ls_sync_rm_rb(server: str, bucket: str, tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        for _ in range(100):
            f.write(os.urandom(1024 * 1024))
    aws(server, "s3", "cp", str(big), f"s3://{bucket}/big.bin")
    head = json.loads(aws(server, "s3api", "head-object", "--bucket", bucket, "--key",
                          "big.bin").stdout)
    assert head["ContentLength"] == 100 * 1024 * 1024
    assert head["ETag"].strip('"').endswith("-13"), "cp uploads in 8 MiB parts"
    back = tmp_path / "back.bin"
    aws(server, "s3", "cp", f"s3://{bucket}/big.bin", str(back))
    assert hashlib.md5(back.read_bytes()).digest() == hashlib.md5(big.read_bytes()).digest()

    tree = tmp_path / "tree"
    (tree / "sub").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "sub/c.txt"):
        (tree / name).write_text(name)
    aws(server, "s3", "sync", str(tree), f"s3://{bucket}/tree")
    listing = aws(server, "s3", "ls", "--recursive", f"s3://{bucket}/tree/").stdout
    assert sorted(line.split()[-1] for line in listing.splitlines()) == [
        "tree/a.txt", "tree/b.txt", "tree/sub/c.txt"]
    (tree / "b.txt").unlink()
    aws(server, "s3", "sync", "--delete", str(tree), f"s3://{bucket}/tree")
    listed = json.loads(aws(server, "s3api", "list-objects-v2", "--bucket", bucket,
                            "--prefix", "tree/").stdout)
    assert [o["Key"] for o in listed["Contents"]] == ["tree/a.txt", "tree/sub/c.txt"]
    aws(server, "s3", "rm", "--recursive", f"s3://{bucket}")
    aws(server, "s3", "rb", f"s3://{bucket}")
    assert bucket not in aws(server, "s3", "ls").stdout
