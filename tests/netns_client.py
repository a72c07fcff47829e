"""Run inside a lab namespace by tests/cluster/test_netns.py (the test process itself
cannot reach the lab's addresses): S3 writes or reads of N objects through a proxy,
one JSON line out -- how many succeeded, what failed, how long it took.

    python -m tests.netns_client ENDPOINT put|get BUCKET PREFIX N
    python -m tests.netns_client ENDPOINT load BUCKET PREFIX STOPFILE
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
import time
from pathlib import Path

import boto3
from botocore.config import Config


def main() -> None:
    endpoint, op, bucket, prefix, n = sys.argv[1:6]
    if op == "load":
        load(endpoint, bucket, prefix, Path(n))
        return
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1",
                      config=Config(retries={"max_attempts": 1}, read_timeout=60))
    began = time.monotonic()
    failed: list[str] = []
    if op == "put":
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=bucket)
    for i in range(int(n)):
        key = f"{prefix}{i:03d}"
        try:
            if op == "put":
                s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
            elif s3.get_object(Bucket=bucket, Key=key)["Body"].read() != key.encode():
                failed.append(f"{key}: wrong bytes")
        except Exception as exc:            # every failed request is reported
            failed.append(f"{key}: {type(exc).__name__}: {exc}")
    print(json.dumps({"ok": int(n) - len(failed), "failed": failed,
                      "seconds": round(time.monotonic() - began, 2)}))


def load(endpoint: str, bucket: str, prefix: str, stop: Path) -> None:
    """Write new objects and read acknowledged ones until `stop` exists; then one JSON
    line: requests, failures, the keys written."""
    s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id="test:tester",
                      aws_secret_access_key="testing", region_name="us-east-1",
                      config=Config(retries={"max_attempts": 1}, read_timeout=60))
    rng = random.Random(3)
    written: list[str] = []
    failed: list[str] = []
    requests = 0
    while not stop.exists():
        key = f"{prefix}{len(written):05d}"
        try:
            s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
            written.append(key)
            check = rng.choice(written)
            if s3.get_object(Bucket=bucket, Key=check)["Body"].read() != check.encode():
                failed.append(f"{check}: wrong bytes")
        except Exception as exc:            # every failed request is reported
            failed.append(f"{key}: {type(exc).__name__}: {exc}")
        requests += 2
    print(json.dumps({"requests": requests, "failed": failed, "written": written}))


if __name__ == "__main__":
    main()
