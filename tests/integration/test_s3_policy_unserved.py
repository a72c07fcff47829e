"""Bucket policies are a library until authorization consults them: the policy calls
answer 501 NotImplemented through boto3, and nothing is stored -- a policy kept but not
enforced would be a silent no-op. (This file goes when the calls are served.)"""

from __future__ import annotations

import json
from typing import Any

import pytest
from botocore.exceptions import ClientError

POLICY = {"Version": "2012-10-17", "Statement": [{
    "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::{bucket}/*"}]}


def refused(call: Any, **kwargs: Any) -> tuple[int, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    response = info.value.response
    return int(response["ResponseMetadata"]["HTTPStatusCode"]), str(response["Error"]["Code"])


def test_policy_calls_are_not_implemented(s3: Any, bucket: str) -> None:
    text = json.dumps(POLICY).replace("{bucket}", bucket)
    assert refused(s3.put_bucket_policy, Bucket=bucket, Policy=text) == (501, "NotImplemented")
    assert refused(s3.get_bucket_policy, Bucket=bucket) == (501, "NotImplemented")
    assert refused(s3.delete_bucket_policy, Bucket=bucket) == (501, "NotImplemented")
    assert refused(s3.get_bucket_policy_status, Bucket=bucket) == (501, "NotImplemented")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")        # the Deny was never kept
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"
