"""A backup with rclone (Debian's, installed by scripts/test.sh) into a versioned bucket
with Object Lock, and what a client that turned hostile can and cannot do to it: its
overwrites and deletes only add versions and markers, its attempt to remove the old
versions is refused, and the backup as it was is restored with rclone's own
--s3-version-at."""

from __future__ import annotations

import datetime
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.test_s3_boto3 import client
from tests.integration.test_s3_rclone_s3cmd import run, tree


def test_a_locked_backup_outlives_its_client(server: str, tmp_path: Path) -> None:
    rclone = shutil.which("rclone")
    assert rclone, "scripts/test.sh installs rclone"
    s3: Any = client(server)
    name = f"backup-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=name, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    conf = tmp_path / "rclone.conf"
    conf.write_text("[os]\ntype = s3\nprovider = Other\naccess_key_id = test:tester\n"
                    f"secret_access_key = testing\nendpoint = {server}\nregion = us-east-1\n"
                    "force_path_style = true\n")
    base = [rclone, "--config", str(conf)]
    src, bucket = tmp_path / "src", f"os:{name}"
    tree(src)
    original = {p.relative_to(src).as_posix(): p.read_bytes()
                for p in src.rglob("*") if p.is_file()}
    run([*base, "copy", str(src), bucket])
    run([*base, "check", str(src), bucket])
    time.sleep(1.1)                     # the backup's moment, in whole seconds
    backed_up = datetime.datetime.now(datetime.UTC)
    time.sleep(1.1)
    # the client turns hostile: overwrites, deletes, then tries to drop old versions
    for path in src.rglob("*"):
        if path.is_file():
            path.write_bytes(b"encrypted by ransomware")
    run([*base, "sync", str(src), bucket])
    run([*base, "delete", bucket])
    assert run([*base, "lsf", "-R", bucket]).strip() == ""
    purge = subprocess.run([*base, "backend", "cleanup-hidden", bucket], capture_output=True,
                           text=True, timeout=300,
                           env={k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"})
    assert purge.returncode != 0 and "AccessDenied" in purge.stderr, purge.stderr
    versions = s3.list_object_versions(Bucket=name)
    kept = {(v["Key"], v["VersionId"]) for v in versions["Versions"]}
    assert {key for key, _ in kept} == set(original) and len(kept) == 2 * len(original)
    for key, vid in kept:
        with pytest.raises(Exception, match="AccessDenied"):
            s3.delete_object(Bucket=name, Key=key, VersionId=vid)
    # restored as it was at the backup's moment
    restored = tmp_path / "restored"
    run([*base, "copy", "--s3-version-at", backed_up.strftime("%Y-%m-%dT%H:%M:%SZ"),
         bucket, str(restored)])
    assert {p.relative_to(restored).as_posix(): p.read_bytes()
            for p in restored.rglob("*") if p.is_file()} == original
    s3.close()
