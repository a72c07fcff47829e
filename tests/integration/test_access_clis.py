"""ACLs and bucket policies from the command-line tools people use: the aws cli
(`s3 cp --acl public-read`, `s3api put-bucket-acl`, `s3api put-bucket-policy`) and
s3cmd (`setacl --acl-public` / `--acl-private`, `setpolicy`), checked by fetching with
no credentials at all, as curl or a browser would."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

from tests.integration.test_s3_awscli import aws
from tests.integration.test_s3_rclone_s3cmd import run, s3cmd_command


def anonymous_get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            reply.read()
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        exc.close()
        return int(exc.code)


def test_aws_cli_acls_and_policies(server: str, tmp_path: Path) -> None:
    bucket = f"cli-acl-{os.urandom(4).hex()}"
    aws(server, "s3", "mb", f"s3://{bucket}")
    src = tmp_path / "page.html"
    src.write_text("<h1>hello</h1>")
    aws(server, "s3", "cp", str(src), f"s3://{bucket}/public/page.html", "--acl", "public-read")
    aws(server, "s3", "cp", str(src), f"s3://{bucket}/private/page.html")
    assert anonymous_get(f"{server}/{bucket}/public/page.html") == 200
    assert anonymous_get(f"{server}/{bucket}/private/page.html") == 403
    acl = json.loads(aws(server, "s3api", "get-object-acl", "--bucket", bucket, "--key",
                         "public/page.html").stdout)
    assert {g["Permission"] for g in acl["Grants"]} == {"FULL_CONTROL", "READ"}
    # a bucket ACL from the cli: anyone may list
    assert anonymous_get(f"{server}/{bucket}?list-type=2") == 403
    aws(server, "s3api", "put-bucket-acl", "--bucket", bucket, "--acl", "public-read")
    assert anonymous_get(f"{server}/{bucket}?list-type=2") == 200
    aws(server, "s3api", "put-bucket-acl", "--bucket", bucket, "--acl", "private")
    # a policy from the cli opens a prefix
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/private/*"}]}
    aws(server, "s3api", "put-bucket-policy", "--bucket", bucket, "--policy",
        json.dumps(policy))
    assert anonymous_get(f"{server}/{bucket}/private/page.html") == 200
    shown = json.loads(aws(server, "s3api", "get-bucket-policy", "--bucket", bucket).stdout)
    assert json.loads(shown["Policy"]) == policy
    status = json.loads(aws(server, "s3api", "get-bucket-policy-status", "--bucket",
                            bucket).stdout)
    assert status["PolicyStatus"]["IsPublic"] is True
    aws(server, "s3api", "delete-bucket-policy", "--bucket", bucket)
    assert anonymous_get(f"{server}/{bucket}/private/page.html") == 403


def test_s3cmd_setacl_and_setpolicy(server: str, tmp_path: Path) -> None:
    base = s3cmd_command(server, tmp_path)
    name = f"sc-acl-{os.urandom(4).hex()}"
    src = tmp_path / "file.txt"
    src.write_text("shared with everyone")
    run([*base, "mb", f"s3://{name}"])
    run([*base, "put", str(src), f"s3://{name}/file.txt"])
    assert anonymous_get(f"{server}/{name}/file.txt") == 403
    run([*base, "setacl", "--acl-public", f"s3://{name}/file.txt"])
    assert anonymous_get(f"{server}/{name}/file.txt") == 200
    assert "*anon*: READ" in run([*base, "info", f"s3://{name}/file.txt"])
    run([*base, "setacl", "--acl-private", f"s3://{name}/file.txt"])
    assert anonymous_get(f"{server}/{name}/file.txt") == 403
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{name}/*"}]}))
    run([*base, "setpolicy", str(policy), f"s3://{name}"])
    assert anonymous_get(f"{server}/{name}/file.txt") == 200
    run([*base, "delpolicy", f"s3://{name}"])
    assert anonymous_get(f"{server}/{name}/file.txt") == 403
