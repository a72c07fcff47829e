"""S3 server access logging through boto3 against a real `serve` (records gather for a
second here, and wait two at most for the next one: [bucket_logging] roll_seconds = 1,
idle_seconds = 2): the configuration as S3 keeps and
shows it, the refusals, and the log objects -- AWS's 26-field records, one per request
(one per key of a DeleteObjects), named as S3 names them, written into the target
bucket only when the target lets the logging service in."""

from __future__ import annotations

import json
import re
import shlex
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from tests.integration.conftest import USERS, serving


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("bucket-logging") / "data"
    with serving(data, USERS + "\n[bucket_logging]\nroll_seconds = 1\nidle_seconds = 2\n"
                 ) as served:
        yield served.url


def client(url: str, key: str = "test:tester", secret: str = "testing") -> Any:
    return boto3.client("s3", endpoint_url=url, aws_access_key_id=key,
                        aws_secret_access_key=secret, region_name="us-east-1",
                        config=Config(s3={"addressing_style": "path"}))


def buckets(s3: Any, *names: str) -> list[str]:
    made = [f"{n}-{uuid.uuid4().hex[:8]}" for n in names]
    for name in made:
        s3.create_bucket(Bucket=name)
    return made


def allow(s3: Any, target: str, sources: list[str], owner: str = "test") -> None:
    """The target's policy lets the logging service write there for `sources`."""
    s3.put_bucket_policy(Bucket=target, Policy=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{target}/*",
            "Condition": {"ArnLike": {"aws:SourceArn": [f"arn:aws:s3:::{s}"
                                                        for s in sources]},
                          "StringEquals": {"aws:SourceAccount": owner}}}]}))


def enable(s3: Any, source: str, target: str, prefix: str = "log/",
           **extra: Any) -> None:
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": target, "TargetPrefix": prefix, **extra}})


def log_lines(s3: Any, target: str, wait: float = 10.0) -> tuple[list[str], list[str]]:
    """The log objects' names and records, once there are any."""
    deadline = time.monotonic() + wait
    while True:
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=target).get("Contents", [])]
        if keys or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    lines = []
    for key in keys:
        lines += s3.get_object(Bucket=target, Key=key)["Body"].read().decode().splitlines()
    return keys, lines


def fields(line: str) -> list[str]:
    """A record split as the s3-tests suite splits one: 26 fields."""
    return shlex.split(line.replace("[", '"').replace("]", '"'))


def code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


def test_the_configuration_is_kept_shown_and_turned_off(url: str) -> None:
    s3 = client(url)
    source, target = buckets(s3, "src", "logs")
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=source)
    allow(s3, target, [source])
    enable(s3, source, target)
    first = s3.get_bucket_logging(Bucket=source)
    assert first["LoggingEnabled"] == {"TargetBucket": target, "TargetPrefix": "log/",
                                       "TargetObjectKeyFormat": {"SimplePrefix": {}}}
    stamp = first["ResponseMetadata"]["HTTPHeaders"]["last-modified"]
    time.sleep(1.1)
    enable(s3, source, target)                      # the same again: not changed
    assert s3.get_bucket_logging(Bucket=source)["ResponseMetadata"]["HTTPHeaders"][
        "last-modified"] == stamp
    enable(s3, source, target, TargetObjectKeyFormat={
        "PartitionedPrefix": {"PartitionDateSource": "DeliveryTime"}})
    again = s3.get_bucket_logging(Bucket=source)
    assert again["LoggingEnabled"]["TargetObjectKeyFormat"] == {
        "PartitionedPrefix": {"PartitionDateSource": "DeliveryTime"}}
    assert again["ResponseMetadata"]["HTTPHeaders"]["last-modified"] != stamp
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=source)


def test_each_request_is_one_record_in_aws_format(url: str) -> None:
    s3 = client(url)
    source, target = buckets(s3, "src", "logs")
    allow(s3, target, [source])
    enable(s3, source, target)
    put = s3.put_object(Bucket=source, Key="a b/c", Body=b"x" * 10)
    s3.put_object(Bucket=source, Key="other", Body=b"y")
    s3.get_object(Bucket=source, Key="a b/c")["Body"].read()
    s3.head_object(Bucket=source, Key="other")
    with pytest.raises(ClientError):
        s3.get_object(Bucket=source, Key="missing")
    s3.list_objects_v2(Bucket=source)
    s3.delete_objects(Bucket=source, Delete={"Objects": [{"Key": "a b/c"},
                                                         {"Key": "other"}]})
    keys, lines = log_lines(s3, target)
    assert len(keys) == 1 and re.fullmatch(
        r"log/\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d-[0-9A-F]{16}", keys[0])
    records = [fields(line) for line in lines]
    assert all(len(r) == 26 for r in records)
    by_op: dict[str, list[list[str]]] = {}
    for r in records:
        assert r[0] == "test" and r[1] == source and r[4] == "test"
        by_op.setdefault(r[6], []).append(r)
    assert {op: len(rs) for op, rs in by_op.items()} == {
        "REST.PUT.OBJECT": 2, "REST.GET.OBJECT": 2, "REST.HEAD.OBJECT": 1,
        "REST.GET.BUCKET": 1, "REST.POST.DELETE_MULTI_OBJECT": 2}
    written = next(r for r in by_op["REST.PUT.OBJECT"] if r[7] == "a%20b/c")
    assert written[5] == put["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]
    assert written[8] == f"PUT /{source}/a%20b/c HTTP/1.1" and written[9] == "200"
    assert written[12] == "10" and written[19] == "SigV4" and written[21] == "AuthHeader"
    missing = next(r for r in by_op["REST.GET.OBJECT"] if r[7] == "missing")
    assert (missing[9], missing[10]) == ("404", "NoSuchKey")
    assert sorted(r[7] for r in by_op["REST.POST.DELETE_MULTI_OBJECT"]) == ["a%20b/c",
                                                                            "other"]
    assert by_op["REST.GET.BUCKET"][0][7] == "-"


def test_partitioned_names_and_a_versioned_source(url: str) -> None:
    s3 = client(url)
    source, target = buckets(s3, "src", "logs")
    s3.put_bucket_versioning(Bucket=source,
                             VersioningConfiguration={"Status": "Enabled"})
    allow(s3, target, [source])
    enable(s3, source, target, TargetObjectKeyFormat={
        "PartitionedPrefix": {"PartitionDateSource": "EventTime"}})
    versions = [s3.put_object(Bucket=source, Key="k", Body=b"v")["VersionId"]
                for _ in range(2)]
    keys, lines = log_lines(s3, target)
    day = time.strftime("%Y/%m/%d", time.gmtime())
    assert len(keys) == 1 and keys[0].startswith(f"log/test/us-east-1/{source}/{day}/")
    assert sorted(fields(line)[17] for line in lines) == sorted(versions)


def test_refusals(url: str) -> None:
    s3 = client(url)
    source, target, logging_itself = buckets(s3, "src", "logs", "busy")
    with pytest.raises(ClientError) as info:       # the same owner's, but no policy yet
        enable(s3, source, target)
    assert code(info) == "AccessDenied"
    allow(s3, target, [source, logging_itself])
    enable(s3, logging_itself, target)
    for asked, expected in (({"TargetBucket": f"nope-{uuid.uuid4().hex}"}, "NoSuchKey"),
                            ({"TargetBucket": source}, "InvalidArgument"),
                            ({"TargetBucket": logging_itself}, "InvalidArgument"),
                            ({"TargetBucket": target, "TargetObjectKeyFormat": {
                                "PartitionedPrefix": {"PartitionDateSource": "kaboom"}}},
                             "MalformedXML"),
                            ({"TargetBucket": target, "TargetGrants": [{
                                "Grantee": {"Type": "CanonicalUser", "ID": "other"},
                                "Permission": "READ"}]}, "NotImplemented")):
        with pytest.raises(ClientError) as info:
            s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={
                "LoggingEnabled": {"TargetPrefix": "log/", **asked}})
        assert code(info) == expected, asked
    with pytest.raises(ClientError) as info:
        s3.put_bucket_logging(Bucket=f"nope-{uuid.uuid4().hex}", BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "log/"}})
    assert code(info) == "NoSuchBucket"
    # another account may neither read nor set it
    other = client(url, "other:someone", "secret2")
    for call in (lambda: other.get_bucket_logging(Bucket=source),
                 lambda: enable(other, source, target)):
        with pytest.raises(ClientError) as info:
            call()
        assert code(info) == "AccessDenied"
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=source)


def test_another_owners_target_needs_its_policy_to_let_the_service_in(url: str) -> None:
    s3, other = client(url), client(url, "other:someone", "secret2")
    [source] = buckets(s3, "src")
    [target] = buckets(other, "theirs")
    with pytest.raises(ClientError) as info:
        enable(s3, source, target)
    assert code(info) == "AccessDenied"
    everyone = {"Version": "2012-10-17", "Statement": [{       # not the service by name
        "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{target}/*"}]}
    other.put_bucket_policy(Bucket=target, Policy=json.dumps(everyone))
    with pytest.raises(ClientError) as info:
        enable(s3, source, target)
    assert code(info) == "AccessDenied"
    allow(other, target, [f"{source}-not-it"])                 # another source only
    with pytest.raises(ClientError) as info:
        enable(s3, source, target)
    assert code(info) == "AccessDenied"
    allow(other, target, [source])
    enable(s3, source, target)
    s3.put_object(Bucket=source, Key="k", Body=b"x")
    keys, lines = log_lines(other, target)
    assert len(keys) == 1 and fields(lines[0])[6] == "REST.PUT.OBJECT"
    with pytest.raises(ClientError) as info:             # the log is the target's owner's
        s3.get_object(Bucket=target, Key=keys[0])
    assert code(info) == "AccessDenied"
    # the target's owner takes the permission back: the source's records go nowhere
    other.delete_bucket_policy(Bucket=target)
    s3.put_object(Bucket=source, Key="after", Body=b"x")
    time.sleep(3)                                        # past idle_seconds
    assert log_lines(other, target)[0] == keys


def test_what_a_batch_gathered_is_written_before_the_configuration_changes(
        url: str, tmp_path: Path) -> None:
    s3 = client(url)
    source, first, second = buckets(s3, "src", "first", "second")
    allow(s3, first, [source])
    allow(s3, second, [source])
    enable(s3, source, first)
    s3.put_object(Bucket=source, Key="before", Body=b"x")
    enable(s3, source, second, prefix="new/")
    s3.put_object(Bucket=source, Key="after", Body=b"x")
    _, old = log_lines(s3, first, wait=0)      # written at the change, not a second later
    assert [fields(line)[7] for line in old] == ["before"]
    keys, new = log_lines(s3, second)
    assert keys[0].startswith("new/") and [fields(line)[7] for line in new] == ["after"]
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={})
    s3.put_object(Bucket=source, Key="unlogged", Body=b"x")
    time.sleep(1.5)
    _, latest = log_lines(s3, second)
    assert "unlogged" not in " ".join(latest)


def test_sources_logging_to_one_target_and_prefix_share_its_log_objects(url: str) -> None:
    s3 = client(url)
    one, two, target = buckets(s3, "one", "two", "logs")
    allow(s3, target, [one, two])
    enable(s3, one, target)
    enable(s3, two, target)
    s3.put_object(Bucket=one, Key="a", Body=b"x")
    s3.copy_object(Bucket=two, Key="b", CopySource={"Bucket": one, "Key": "a"})
    keys, lines = log_lines(s3, target)
    assert len(keys) == 1
    assert sorted((fields(line)[1], fields(line)[7]) for line in lines) == [
        (one, "a"), (two, "b")]


def test_a_record_says_when_an_acl_let_the_request_in(url: str) -> None:
    s3, other = client(url), client(url, "other:someone", "secret2")
    source, target = buckets(s3, "src", "logs")
    s3.put_object(Bucket=source, Key="shared", Body=b"x", ACL="public-read")
    allow(s3, target, [source])
    enable(s3, source, target)
    s3.get_object(Bucket=source, Key="shared")["Body"].read()            # the owner
    other.get_object(Bucket=source, Key="shared")["Body"].read()         # the object ACL
    _, lines = log_lines(s3, target)
    by_requester = {fields(line)[4]: fields(line)[25] for line in lines
                    if fields(line)[6] == "REST.GET.OBJECT"}
    assert by_requester == {"test": "-", "other": "Yes"}


def test_the_next_record_closes_a_batch_old_enough(url: str) -> None:
    s3 = client(url)
    source, target = buckets(s3, "src", "logs")
    allow(s3, target, [source])
    enable(s3, source, target)
    s3.put_object(Bucket=source, Key="first", Body=b"x")
    time.sleep(1.2)                               # older than roll_seconds, not idle yet
    s3.put_object(Bucket=source, Key="second", Body=b"x")
    keys, lines = log_lines(s3, target, wait=0.5)
    assert len(keys) == 1 and [fields(line)[7] for line in lines] == ["first"]
    deadline = time.monotonic() + 10              # "second" waits for the idle pass
    while len(keys) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        keys, lines = log_lines(s3, target)
    assert len(keys) == 2 and sorted(fields(line)[7] for line in lines) == ["first",
                                                                            "second"]
