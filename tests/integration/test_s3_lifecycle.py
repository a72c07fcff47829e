"""S3 lifecycle through boto3 at its default settings, against a real `objectstore
serve` whose lifecycle day is 2 s ([lifecycle] day_seconds): the configuration calls
and S3's refusals, x-amz-expiration, and rules the worker really carries out. Nothing
waits a fixed time: each check polls until its deadline."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import swiftclient
from botocore.exceptions import ClientError

from tests.integration.conftest import USERS, serving
from tests.integration.s3_clients import client

DAY = 2
CONFIG = USERS + f"\n[lifecycle]\nday_seconds = {DAY}\n"


@pytest.fixture(scope="module")
def lc_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serving(tmp_path_factory.mktemp("lifecycle") / "data", CONFIG) as served:
        yield served.url


@pytest.fixture
def s3(lc_server: str) -> Iterator[Any]:
    """(conftest's `bucket` is made with this one: on the short-day server)"""
    with closing(client(lc_server)) as s3:
        yield s3


def error(call: Callable[..., Any], **kwargs: Any) -> tuple[int, str]:
    with pytest.raises(ClientError) as info:
        call(**kwargs)
    return (info.value.response["ResponseMetadata"]["HTTPStatusCode"],
            info.value.response["Error"]["Code"])


def until(check: Callable[[], bool], deadline: float = 30.0) -> None:
    """Poll `check` until it holds; fail at the deadline."""
    end = time.monotonic() + deadline
    while not check():
        if time.monotonic() > end:
            raise AssertionError("not so by the deadline")
        time.sleep(0.3)


def keys(s3: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def rule(rule_id: str = "r1", prefix: str = "", **actions: Any) -> dict[str, Any]:
    return {"ID": rule_id, "Filter": {"Prefix": prefix}, "Status": "Enabled", **actions}


def put_rules(s3: Any, bucket: str, *rules: dict[str, Any]) -> None:
    s3.put_bucket_lifecycle_configuration(Bucket=bucket,
                                          LifecycleConfiguration={"Rules": list(rules)})


# -- the configuration calls -------------------------------------------------------------

def test_put_get_delete(s3: Any, bucket: str) -> None:
    assert error(s3.get_bucket_lifecycle_configuration, Bucket=bucket) == \
        (404, "NoSuchLifecycleConfiguration")
    rules = [{"ID": "old", "Expiration": {"Days": 31}, "Prefix": "logs/", "Status": "Enabled"},
             {"ID": "tags", "Filter": {"And": {"Prefix": "t/", "Tags": [
                 {"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}]}},
              "Status": "Disabled", "NoncurrentVersionExpiration": {
                  "NoncurrentDays": 3, "NewerNoncurrentVersions": 2}},
             {"ID": "mpu", "Filter": {"Prefix": ""}, "Status": "Enabled",
              "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}},
             {"ID": "date", "Filter": {"ObjectSizeGreaterThan": 100}, "Status": "Enabled",
              "Expiration": {"Date": datetime(2030, 1, 1, tzinfo=UTC)}}]
    s3.put_bucket_lifecycle_configuration(Bucket=bucket,
                                          LifecycleConfiguration={"Rules": rules})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got[:3] == rules[:3]
    assert got[3]["Expiration"]["Date"] == datetime(2030, 1, 1, tzinfo=UTC)
    assert got[3]["Filter"] == {"ObjectSizeGreaterThan": 100}
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert error(s3.get_bucket_lifecycle_configuration, Bucket=bucket)[1] == \
        "NoSuchLifecycleConfiguration"
    s3.delete_bucket_lifecycle(Bucket=bucket)        # none: still 204


def test_a_rule_without_id_gets_one(s3: Any, bucket: str) -> None:
    put_rules(s3, bucket, {"Filter": {}, "Status": "Enabled", "Expiration": {"Days": 3}})
    (got,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert got["ID"] and got["Expiration"] == {"Days": 3}


@pytest.mark.parametrize(("rules", "answer"), [
    ([rule("x" * 256, Expiration={"Days": 1})], (400, "InvalidArgument")),
    ([rule("same", Expiration={"Days": 1}), rule("same", "b", Expiration={"Days": 2})],
     (400, "InvalidArgument")),
    ([rule(Expiration={"Days": 0})], (400, "InvalidArgument")),
    ([rule(Expiration={"Date": datetime(2030, 1, 1, 12, tzinfo=UTC)})],
     (400, "InvalidArgument")),
    ([rule(NoncurrentVersionExpiration={"NoncurrentDays": 1,
                                        "NewerNoncurrentVersions": 101})],
     (400, "InvalidArgument")),
    ([rule()], (400, "InvalidRequest")),           # no action
    ([{"ID": "t", "Filter": {"Tag": {"Key": "a", "Value": "b"}}, "Status": "Enabled",
       "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}}],
     (400, "InvalidRequest")),
    ([rule(Transitions=[{"Days": 30, "StorageClass": "GLACIER"}])],
     (501, "NotImplemented")),
    ([rule(NoncurrentVersionTransitions=[{"NoncurrentDays": 30,
                                          "StorageClass": "STANDARD_IA"}])],
     (501, "NotImplemented")),
    ([rule(Expiration={"Days": 1}) for _ in range(1001)], (400, "MalformedXML")),
])
def test_refusals(s3: Any, bucket: str, rules: list[dict[str, Any]],
                  answer: tuple[int, str]) -> None:
    if len(rules) > 1000:
        rules = [dict(r, ID=f"r{i}") for i, r in enumerate(rules)]
    assert error(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                 LifecycleConfiguration={"Rules": rules}) == answer
    assert error(s3.get_bucket_lifecycle_configuration, Bucket=bucket)[1] == \
        "NoSuchLifecycleConfiguration"           # nothing was stored


def test_malformed_documents(lc_server: str, s3: Any, bucket: str) -> None:
    for status in ("enabled", "invalid"):
        assert error(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                     LifecycleConfiguration={"Rules": [
                         {"ID": "r", "Prefix": "", "Status": status,
                          "Expiration": {"Days": 1}}]}) == (400, "MalformedXML")
    both = {"Rules": [{"ID": "r", "Prefix": "a", "Filter": {"Prefix": "a"},
                       "Status": "Enabled", "Expiration": {"Days": 1}}]}
    assert error(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                 LifecycleConfiguration=both) == (400, "MalformedXML")
    assert error(s3.put_bucket_lifecycle_configuration, Bucket=bucket,
                 LifecycleConfiguration={"Rules": [rule(Expiration={
                     "Days": 1, "ExpiredObjectDeleteMarker": True})]}) == (400, "MalformedXML")


def test_only_the_owner(lc_server: str, s3: Any, bucket: str) -> None:
    put_rules(s3, bucket, rule(Expiration={"Days": 5}))
    with closing(client(lc_server, "other:someone", "secret2")) as other, \
            closing(client(lc_server, "test:reader", "readkey")) as reader:   # no admin
        refused(bucket, other, reader)
    (kept,) = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert kept["Expiration"] == {"Days": 5}
    assert error(s3.get_bucket_lifecycle_configuration, Bucket="no-such-lc-bucket") == \
        (404, "NoSuchBucket")


def refused(bucket: str, *clients: Any) -> None:
    for who in clients:
        assert error(who.get_bucket_lifecycle_configuration, Bucket=bucket) == \
            (403, "AccessDenied")
        assert error(who.put_bucket_lifecycle_configuration, Bucket=bucket,
                     LifecycleConfiguration={"Rules": [rule(Expiration={"Days": 1})]}) == \
            (403, "AccessDenied")
        assert error(who.delete_bucket_lifecycle, Bucket=bucket) == (403, "AccessDenied")


# -- x-amz-expiration ----------------------------------------------------------------------

def expiration(headers: dict[str, str]) -> tuple[datetime, str] | None:
    value = headers.get("x-amz-expiration")
    if value is None:
        return None
    m = re.fullmatch(r'expiry-date="(.+)", rule-id="(.+)"', value)
    assert m, value
    return parsedate_to_datetime(m.group(1)), m.group(2)


def test_expiration_header(s3: Any, bucket: str) -> None:
    put_rules(s3, bucket, rule("soon", "a/", Expiration={"Days": 1000}),
              rule("later", "a/b", Expiration={"Days": 2000}),
              rule("off", "c/", Expiration={"Days": 1}) | {"Status": "Disabled"})
    before = time.time()
    put = s3.put_object(Bucket=bucket, Key="a/b", Body=b"x")
    headers = put["ResponseMetadata"]["HTTPHeaders"]
    found = expiration(headers)
    assert found is not None and found[1] == "soon"        # the earliest rule names it
    due = found[0].timestamp()
    # creation + 1000 days, rounded up to the next (2 s) midnight
    assert before + 1000 * DAY <= due <= time.time() + 1000 * DAY + DAY and due % DAY == 0
    for read in (s3.head_object, s3.get_object):
        assert expiration(read(Bucket=bucket, Key="a/b")["ResponseMetadata"]
                          ["HTTPHeaders"]) == found
    s3.put_object(Bucket=bucket, Key="c/d", Body=b"x")
    assert expiration(s3.head_object(Bucket=bucket, Key="c/d")["ResponseMetadata"]
                      ["HTTPHeaders"]) is None
    s3.delete_bucket_lifecycle(Bucket=bucket)
    assert expiration(s3.head_object(Bucket=bucket, Key="a/b")["ResponseMetadata"]
                      ["HTTPHeaders"]) is None


# -- rules carried out -----------------------------------------------------------------------

def test_expiration_deletes(s3: Any, bucket: str) -> None:
    for key in ("old/1", "old/2", "keep/1"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"data")
    parts = s3.create_multipart_upload(Bucket=bucket, Key="old/big")
    etags = [s3.upload_part(Bucket=bucket, Key="old/big", UploadId=parts["UploadId"],
                            PartNumber=n, Body=b"p" * (5 * 1024 * 1024 if n == 1 else 10)
                            )["ETag"] for n in (1, 2)]
    s3.complete_multipart_upload(Bucket=bucket, Key="old/big", UploadId=parts["UploadId"],
                                 MultipartUpload={"Parts": [
                                     {"PartNumber": n, "ETag": e}
                                     for n, e in zip((1, 2), etags, strict=True)]})
    put_rules(s3, bucket, rule("one-day", "old/", Expiration={"Days": 1}),
              rule("never", "keep/", Expiration={"Date": datetime(2100, 1, 1, tzinfo=UTC)}))
    until(lambda: keys(s3, bucket) == ["keep/1"])
    # the multipart object's parts went with it
    assert [c for c in s3.list_buckets()["Buckets"] if c["Name"] == bucket]
    swift = swiftclient.Connection(authurl=f"{s3.meta.endpoint_url}/auth/v1.0",
                                   user="test:tester", key="testing")
    try:
        _, rows = swift.get_container(f"{bucket}+segments")
    except swiftclient.ClientException:
        rows = []
    finally:
        swift.close()
    assert rows == []


def test_size_filters(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="small", Body=b"s" * 10)
    s3.put_object(Bucket=bucket, Key="big", Body=b"b" * 3000)
    put_rules(s3, bucket, {"ID": "gt", "Status": "Enabled", "Expiration": {"Days": 1},
                           "Filter": {"ObjectSizeGreaterThan": 2000}})
    until(lambda: keys(s3, bucket) == ["small"])


def test_abort_incomplete_uploads(s3: Any, bucket: str) -> None:
    stale = s3.create_multipart_upload(Bucket=bucket, Key="tmp/a")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="tmp/a", UploadId=stale, PartNumber=1, Body=b"x")
    s3.create_multipart_upload(Bucket=bucket, Key="keep/b")
    put_rules(s3, bucket, rule("mpu", "tmp/",
                               AbortIncompleteMultipartUpload={"DaysAfterInitiation": 1}))

    def uploads() -> list[str]:
        return [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])]
    until(lambda: uploads() == ["keep/b"])
    assert error(s3.list_parts, Bucket=bucket, Key="tmp/a", UploadId=stale)[1] == \
        "NoSuchUpload"


def test_a_deleted_bucket_takes_its_rules(s3: Any, bucket: str) -> None:
    put_rules(s3, bucket, rule(Expiration={"Days": 1}))
    s3.delete_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)
    assert error(s3.get_bucket_lifecycle_configuration, Bucket=bucket)[1] == \
        "NoSuchLifecycleConfiguration"
    s3.put_object(Bucket=bucket, Key="new", Body=b"x")
    time.sleep(3 * DAY)         # (what must *not* happen cannot be polled for)
    assert keys(s3, bucket) == ["new"]


def test_noncurrent_versions_of_a_versioned_container(lc_server: str, s3: Any,
                                                      bucket: str) -> None:
    """Versions written through Swift's X-Versions-Enabled (the one version model S3
    versioning uses): the noncurrent ones older than a day go, the newest noncurrent
    one is kept (NewerNoncurrentVersions), the current one stays."""
    swift = swiftclient.Connection(authurl=f"{lc_server}/auth/v1.0", user="test:tester",
                                   key="testing")
    swift.post_container(bucket, {"X-Versions-Enabled": "true"})
    for i in range(4):
        swift.put_object(bucket, "doc", f"v{i}".encode())
    put_rules(s3, bucket, rule("nc", NoncurrentVersionExpiration={
        "NoncurrentDays": 1, "NewerNoncurrentVersions": 1}))

    def versions() -> list[str]:
        _, rows = swift.get_container(bucket, query_string="versions")
        return [r.get("version_id", "") for r in rows]
    first = versions()
    assert len(first) == 4
    until(lambda: len(versions()) == 2)
    assert versions() == first[:2]          # the current one and the newest noncurrent
    assert swift.get_object(bucket, "doc")[1] == b"v3"
    swift.close()


def test_restart_mid_pass(tmp_path: Path) -> None:
    """A slow worker (5 actions a second) is killed mid-pass; the next serve begins the
    bucket where it stopped, and everything due is deleted."""
    slow = USERS + f"\n[lifecycle]\nday_seconds = {DAY}\nactions_per_second = 5\n"
    data = tmp_path / "data"
    with serving(data, slow) as first, closing(client(first.url)) as s3:
        port = int(first.url.rsplit(":", 1)[1])
        s3.create_bucket(Bucket="restart")
        for i in range(40):
            s3.put_object(Bucket="restart", Key=f"k{i:03d}", Body=b"x")
        put_rules(s3, "restart", rule(Expiration={"Days": 1}))
        until(lambda: len(keys(s3, "restart")) < 35, deadline=60)
        # where it got to is saved about every second (its first save also makes the
        # progress container): give it two, and it is still mid-pass (5 actions a second)
        time.sleep(2.5)
        assert keys(s3, "restart"), "killed mid-pass, not after it"
        first.proc.kill()           # a hard stop, mid-pass
        first.proc.wait()
    with serving(data, slow, port) as second, closing(client(second.url)) as s3:
        until(lambda: keys(s3, "restart") == [], deadline=60)
    log = (tmp_path / "data.log").read_text()
    assert re.search(r"[1-9]\d* buckets resumed", log), log[-3000:]


def versions_of(s3: Any, bucket: str) -> tuple[list[str], list[str]]:
    """(version ids, delete marker ids), newest first."""
    page = s3.list_object_versions(Bucket=bucket)
    return ([v["VersionId"] for v in page.get("Versions", [])],
            [m["VersionId"] for m in page.get("DeleteMarkers", [])])


def test_versioned_bucket(s3: Any, bucket: str) -> None:
    """Expiration gives the current version a delete marker (one), noncurrent versions
    go a day after they stopped being current, then the marker left alone goes."""
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    ids = [s3.put_object(Bucket=bucket, Key="doc", Body=f"v{i}".encode())["VersionId"]
           for i in range(3)]
    put_rules(s3, bucket, rule("exp", Expiration={"Days": 1}))
    until(lambda: len(versions_of(s3, bucket)[1]) == 1)
    assert versions_of(s3, bucket) == (ids[::-1], versions_of(s3, bucket)[1])
    assert error(s3.head_object, Bucket=bucket, Key="doc")[0] == 404
    put_rules(s3, bucket, rule("nc", NoncurrentVersionExpiration={"NoncurrentDays": 1}),
              rule("dm", "doc", Expiration={"ExpiredObjectDeleteMarker": True}))
    until(lambda: versions_of(s3, bucket) == ([], []))
    time.sleep(DAY)
    assert versions_of(s3, bucket) == ([], [])       # and never a second marker


def test_tag_filters(s3: Any, bucket: str) -> None:
    s3.put_object(Bucket=bucket, Key="tagged", Body=b"x", Tagging="keep=no&team=a")
    s3.put_object(Bucket=bucket, Key="later", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="later",
                          Tagging={"TagSet": [{"Key": "keep", "Value": "no"}]})
    s3.put_object(Bucket=bucket, Key="other", Body=b"x", Tagging="keep=yes")
    put_rules(s3, bucket, {"ID": "tag", "Status": "Enabled", "Expiration": {"Days": 1},
                           "Filter": {"Tag": {"Key": "keep", "Value": "no"}}})
    head = s3.head_object(Bucket=bucket, Key="later")["ResponseMetadata"]["HTTPHeaders"]
    assert expiration(head) is not None and expiration(head)[1] == "tag"      # type: ignore[index]
    assert expiration(s3.head_object(Bucket=bucket, Key="other")["ResponseMetadata"]
                      ["HTTPHeaders"]) is None
    until(lambda: keys(s3, bucket) == ["other"])


def test_a_locked_version_survives(s3: Any) -> None:
    """Object lock holds against lifecycle: a retained noncurrent version stays, an
    unlocked one beside it goes."""
    name = f"lc-lock-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    until_date = datetime.fromtimestamp(time.time() + 3600, UTC)
    locked = s3.put_object(Bucket=name, Key="locked", Body=b"old",
                           ObjectLockMode="COMPLIANCE",
                           ObjectLockRetainUntilDate=until_date)["VersionId"]
    s3.put_object(Bucket=name, Key="locked", Body=b"new")
    free = s3.put_object(Bucket=name, Key="free", Body=b"old")["VersionId"]
    s3.put_object(Bucket=name, Key="free", Body=b"new")
    put_rules(s3, name, rule("nc", NoncurrentVersionExpiration={"NoncurrentDays": 1}))

    def kept() -> list[str]:
        return versions_of(s3, name)[0]
    until(lambda: free not in kept())
    time.sleep(2 * DAY)                 # more passes: the locked one is still there
    assert locked in kept() and len(kept()) == 3
