"""Run inside a lab namespace by tests/cluster/test_netns.py (the test process itself
cannot reach the lab's addresses): S3 writes or reads of N objects through a proxy,
one JSON line out -- how many succeeded, what failed, how long it took.

    python -m tests.netns_client ENDPOINT put|get BUCKET PREFIX N
"""

from __future__ import annotations

import contextlib
import json
import sys
import time

import boto3
from botocore.config import Config


def main() -> None:
    endpoint, op, bucket, prefix, n = sys.argv[1:6]
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


if __name__ == "__main__":
    main()
