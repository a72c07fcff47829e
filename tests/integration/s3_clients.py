"""boto3 at its default settings (checksums, retries, signature) for the S3 tests."""

from __future__ import annotations

from typing import Any

import boto3


def client(server: str, key: str = "test:tester", secret: str = "testing") -> Any:
    return boto3.client("s3", endpoint_url=server, aws_access_key_id=key,
                        aws_secret_access_key=secret, region_name="us-east-1")
