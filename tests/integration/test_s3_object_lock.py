"""S3 Object Lock through boto3 at its default settings, against a real `serve`: a
bucket made with Object Lock (versioned for good), its default retention, retention
and legal holds set on writes and afterwards, the rules for weakening a retention,
and a locked version surviving every path that could remove it -- S3 deletes by id,
DeleteObjects, Swift deletes by version-id and of the plain object, Swift's bulk
delete, a Swift delete of its multipart parts, the bucket delete."""

from __future__ import annotations

import datetime
import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import swiftclient
from botocore.exceptions import ClientError

from tests.integration.test_s3_boto3 import client
from tests.integration.test_s3_versioning import error
from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, login, swift

LATER = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)


@pytest.fixture()
def s3(server: str) -> Iterator[Any]:
    s3 = client(server)
    yield s3
    s3.close()


def locked_bucket(s3: Any) -> str:
    bucket = f"lock-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    return bucket


def test_a_locked_bucket_and_its_configuration(s3: Any) -> None:
    bucket = locked_bucket(s3)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert error(s3.put_bucket_versioning, Bucket=bucket,
                 VersioningConfiguration={"Status": "Suspended"})[:2] == \
        (409, "InvalidBucketState")
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled"}
    conf = {"ObjectLockEnabled": "Enabled",
            "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}}
    s3.put_object_lock_configuration(Bucket=bucket, ObjectLockConfiguration=conf)
    assert s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"] == conf
    for bad, answer in (({"Mode": "GOVERNANCE", "Days": 1, "Years": 1}, "MalformedXML"),
                        ({"Mode": "governance", "Days": 1}, "MalformedXML"),
                        ({"Mode": "GOVERNANCE", "Days": 0}, "InvalidRetentionPeriod")):
        assert error(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": bad}})[1] == answer
    # a version written now is retained for the default's two days
    vid = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    head = s3.head_object(Bucket=bucket, Key="k", VersionId=vid)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    until = head["ObjectLockRetainUntilDate"]
    now = datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(days=1.9) < until - now < datetime.timedelta(days=2.1)
    assert error(s3.delete_object, Bucket=bucket, Key="k", VersionId=vid)[:2] == \
        (403, "AccessDenied")
    s3.delete_object(Bucket=bucket, Key="k", VersionId=vid, BypassGovernanceRetention=True)


def test_a_plain_bucket_takes_no_lock(s3: Any) -> None:
    bucket = f"nolock-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    assert error(s3.get_object_lock_configuration, Bucket=bucket)[1] == \
        "ObjectLockConfigurationNotFoundError"
    assert error(s3.put_object_lock_configuration, Bucket=bucket, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled"})[:2] == (409, "InvalidBucketState")
    assert error(s3.put_object, Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                 ObjectLockRetainUntilDate=LATER)[:2] == (400, "InvalidRequest")
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert error(s3.put_object_retention, Bucket=bucket, Key="k", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": LATER})[:2] == (400, "InvalidRequest")
    assert error(s3.get_object_legal_hold, Bucket=bucket, Key="k")[:2] == \
        (400, "InvalidRequest")
    s3.delete_object(Bucket=bucket, Key="k")
    s3.delete_bucket(Bucket=bucket)


def test_retention_may_be_strengthened_but_only_governance_weakened_by_bypass(s3: Any
                                                                              ) -> None:
    bucket = locked_bucket(s3)
    soon = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=1)
    vid = s3.put_object(Bucket=bucket, Key="g", Body=b"g", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=soon)["VersionId"]
    s3.put_object_retention(Bucket=bucket, Key="g", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": LATER})            # longer: anyone
    assert s3.get_object_retention(Bucket=bucket, Key="g")["Retention"] == {
        "Mode": "GOVERNANCE", "RetainUntilDate": LATER}
    assert error(s3.put_object_retention, Bucket=bucket, Key="g", Retention={
        "Mode": "GOVERNANCE", "RetainUntilDate": soon})[:2] == (403, "AccessDenied")
    s3.put_object_retention(Bucket=bucket, Key="g", BypassGovernanceRetention=True,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": soon})
    # COMPLIANCE: not shortened, not changed, not removed, by anyone
    cid = s3.put_object(Bucket=bucket, Key="c", Body=b"c", ObjectLockMode="COMPLIANCE",
                        ObjectLockRetainUntilDate=soon)["VersionId"]
    for retention in ({"Mode": "GOVERNANCE", "RetainUntilDate": soon},
                      {"Mode": "COMPLIANCE", "RetainUntilDate": soon - datetime.timedelta(
                          hours=1)}):
        assert error(s3.put_object_retention, Bucket=bucket, Key="c", Retention=retention,
                     BypassGovernanceRetention=True)[:2] == (403, "AccessDenied")
    assert error(s3.delete_object, Bucket=bucket, Key="c", VersionId=cid,
                 BypassGovernanceRetention=True)[:2] == (403, "AccessDenied")
    s3.put_object_retention(Bucket=bucket, Key="c", Retention={
        "Mode": "COMPLIANCE", "RetainUntilDate": LATER})           # longer is fine
    s3.delete_object(Bucket=bucket, Key="g", VersionId=vid, BypassGovernanceRetention=True)
    assert error(s3.put_object_retention, Bucket=bucket, Key="c", Retention={
        "Mode": "BOGUS", "RetainUntilDate": LATER})[:2] == (400, "MalformedXML")
    assert error(s3.put_object, Bucket=bucket, Key="x", Body=b"x", ObjectLockMode="GOVERNANCE",
                 ObjectLockRetainUntilDate=datetime.datetime(2001, 1, 1))[:2] == \
        (400, "InvalidArgument")
    assert error(s3.put_object, Bucket=bucket, Key="x", Body=b"x",
                 ObjectLockMode="GOVERNANCE")[:2] == (400, "InvalidArgument")


def test_a_locked_version_survives_every_way_to_remove_it(server: str, s3: Any) -> None:
    bucket = locked_bucket(s3)
    vid = s3.put_object(Bucket=bucket, Key="doc", Body=b"keep me", ObjectLockMode="COMPLIANCE",
                        ObjectLockRetainUntilDate=LATER)["VersionId"]
    up = s3.create_multipart_upload(Bucket=bucket, Key="big",
                                    ObjectLockLegalHoldStatus="ON")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="big", UploadId=up, PartNumber=1,
                          Body=b"p" * 1024)["ETag"]
    big = s3.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=up,
                                       MultipartUpload={"Parts": [{"PartNumber": 1,
                                                                   "ETag": etag}]})["VersionId"]
    assert s3.get_object_legal_hold(Bucket=bucket, Key="big")["LegalHold"] == {"Status": "ON"}
    # S3: by id, by DeleteObjects (with bypass, too), and the bucket itself
    for key, version in (("doc", vid), ("big", big)):
        assert error(s3.delete_object, Bucket=bucket, Key=key, VersionId=version,
                     BypassGovernanceRetention=True)[:2] == (403, "AccessDenied")
    out = s3.delete_objects(Bucket=bucket, BypassGovernanceRetention=True, Delete={"Objects": [
        {"Key": "doc", "VersionId": vid}, {"Key": "big", "VersionId": big}]})
    assert sorted((e["Key"], e["Code"]) for e in out["Errors"]) == [
        ("big", "AccessDenied"), ("doc", "AccessDenied")]
    marker = s3.delete_object(Bucket=bucket, Key="doc")          # a marker is allowed
    assert marker["DeleteMarker"] is True
    assert error(s3.delete_bucket, Bucket=bucket)[:2] == (409, "BucketNotEmpty")
    # Swift: the version by id, the bulk delete, the parts of the multipart version
    conn: swiftclient.Connection = swift(server)
    with pytest.raises(swiftclient.ClientException) as info:
        conn.delete_object(bucket, "doc", query_string=f"version-id={vid}")
    assert info.value.http_status == 403
    body = f"{bucket}/big\n".encode()
    status, _, text = raw(server, "POST", "/v1/AUTH_test?bulk-delete", {
        "X-Auth-Token": login(server, ADMIN), "Accept": "application/json",
        "Content-Type": "text/plain", "Content-Length": str(len(body))}, body)
    assert status == 200 and json.loads(text)["Number Deleted"] == 1   # a marker only
    parts = conn.get_container(f"{bucket}+segments")[1]
    assert parts
    for part in parts:
        with pytest.raises(swiftclient.ClientException) as info:
            conn.delete_object(f"{bucket}+segments", part["name"])
        assert info.value.http_status == 403
    with pytest.raises(swiftclient.ClientException) as info:
        conn.put_object(f"{bucket}+segments", parts[0]["name"], b"overwritten")
    assert info.value.http_status == 403
    conn.close()
    # every version still reads as written
    assert s3.get_object(Bucket=bucket, Key="doc", VersionId=vid)["Body"].read() == b"keep me"
    assert s3.get_object(Bucket=bucket, Key="big", VersionId=big)["Body"].read() == \
        b"p" * 1024
    # the hold lifted, the multipart version goes (its part with it)
    s3.put_object_legal_hold(Bucket=bucket, Key="big", VersionId=big,
                             LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=bucket, Key="big", VersionId=big)
    assert not swift(server).get_container(f"{bucket}+segments")[1]


def test_another_account_cannot_touch_a_lock(server: str, s3: Any) -> None:
    bucket = locked_bucket(s3)
    vid = s3.put_object(Bucket=bucket, Key="k", Body=b"x", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=LATER)["VersionId"]
    other = boto3.client("s3", endpoint_url=server, aws_access_key_id="other:someone",
                         aws_secret_access_key="secret2", region_name="us-east-1")
    for call, kwargs in (
            (other.delete_object, {"Key": "k", "VersionId": vid,
                                   "BypassGovernanceRetention": True}),
            (other.put_object_retention, {"Key": "k", "BypassGovernanceRetention": True,
                                          "Retention": {"Mode": "GOVERNANCE",
                                                        "RetainUntilDate": LATER}}),
            (other.put_object_legal_hold, {"Key": "k", "LegalHold": {"Status": "ON"}}),
            (other.put_object_lock_configuration, {"ObjectLockConfiguration": {
                "ObjectLockEnabled": "Enabled"}})):
        assert error(call, Bucket=bucket, **kwargs)[0] in (403, 404)
    other.close()
    assert s3.get_object_retention(Bucket=bucket, Key="k")["Retention"]["Mode"] == "GOVERNANCE"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=vid, BypassGovernanceRetention=True)


def test_a_version_without_a_lock_goes_as_usual(s3: Any) -> None:
    bucket = locked_bucket(s3)
    vid = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    s3.put_object_legal_hold(Bucket=bucket, Key="k", LegalHold={"Status": "OFF"})
    with pytest.raises(ClientError):
        s3.get_object_retention(Bucket=bucket, Key="k")
    s3.delete_object(Bucket=bucket, Key="k", VersionId=vid)
    s3.delete_bucket(Bucket=bucket)
