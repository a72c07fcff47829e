"""Accounts and clients for the tests of who may do what through S3 (ACLs, bucket
policies): alice's admin, bob's (another account), alice's non-admin clerk, and
anonymous requests (their fixtures, one `objectstore serve` per module, are in
conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.client import Config
from botocore.exceptions import ClientError

USERS = """
[[users]]
account = "alice"
user = "admin"
key = "alice-key"
email = "alice@example.com"

[[users]]
account = "bob"
user = "admin"
key = "bob-key"
email = "bob@example.com"

[[users]]
account = "alice"
user = "clerk"
key = "clerk-key"
admin = false
"""
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def client(url: str, key: str | None, secret: str = "") -> Any:
    """boto3 as `key` (None: unsigned, anonymous requests), without retries."""
    config = Config(retries={"max_attempts": 1},
                    signature_version=UNSIGNED if key is None else None)
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=key or "x",
                        aws_secret_access_key=secret or "x", region_name="us-east-1",
                        config=config)


def error(call: Callable[[], Any]) -> tuple[int, str]:
    with pytest.raises(ClientError) as info:
        call()
    r = info.value.response
    return int(r["ResponseMetadata"]["HTTPStatusCode"]), str(r["Error"]["Code"])
