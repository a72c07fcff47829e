"""A read/write load on a cluster from a test: S3 writes of new objects and reads of
acknowledged ones, counting every failed request."""

from __future__ import annotations

import random
import threading
from typing import Any

import boto3
from botocore.config import Config


def client(port: int) -> Any:
    return boto3.client("s3", endpoint_url=f"http://127.0.0.1:{port}",
                        aws_access_key_id="test:tester", aws_secret_access_key="testing",
                        region_name="us-east-1", config=Config(retries={"max_attempts": 1}))


def seed(port: int, bucket: str, keys: list[str]) -> Any:
    """A bucket holding `keys` (each object's body is its key); the client that wrote it."""
    s3 = client(port)
    s3.create_bucket(Bucket=bucket)
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return s3


class Load(threading.Thread):
    """Writes new objects and reads acknowledged ones until stopped; counts failures."""

    def __init__(self, port: int, known: list[str], bucket: str) -> None:
        super().__init__(daemon=True)
        self.bucket = bucket
        self.s3 = client(port)
        self.known = known
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.ops = 0

    def run(self) -> None:
        rng = random.Random(7)
        n = 0
        while not self.stop.is_set():
            try:
                key = f"live/{n:05d}"
                self.s3.put_object(Bucket=self.bucket, Key=key, Body=key.encode())
                self.known.append(key)
                n += 1
                check = rng.choice(self.known)
                got = self.s3.get_object(Bucket=self.bucket, Key=check)["Body"].read()
                if got != check.encode():
                    self.failures.append(f"{check}: read {got[:20]!r}")
                self.ops += 2
            except Exception as exc:            # any failed request counts
                self.failures.append(f"{type(exc).__name__}: {exc}")

    def __enter__(self) -> Load:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.join(60)

    def assert_clean(self, at_least: int) -> None:
        """No request failed, and the load did run."""
        assert not self.failures, self.failures[:5]
        assert self.ops >= at_least, f"only {self.ops} requests"
