"""S3 versioning through boto3 at its default settings, against a real `serve`: the
bucket's state, version ids on every write, reads and deletes by id, delete markers
and their answers, the null version (unversioned and suspended writes), copies and
multipart uploads of and into versions, DeleteObjects with ids, the version listing
and its paging, the bucket delete, the same versions seen through Swift, and the
refusals (bad ids, bad documents, MFA delete, another account)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import boto3
import pytest
import swiftclient
from botocore.exceptions import ClientError

from tests.integration.test_s3_boto3 import client
from tests.integration.test_swift_edge import swift

S3_NS = "http://s3.amazonaws.com/doc/2006-03-01/"


def new_bucket(s3: Any, versioned: bool = True) -> str:
    bucket = f"ver-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    if versioned:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    return bucket


def error(call: Any, *args: Any, **kwargs: Any) -> tuple[int, str, dict[str, str]]:
    with pytest.raises(ClientError) as info:
        call(*args, **kwargs)
    response = info.value.response
    return (response["ResponseMetadata"]["HTTPStatusCode"], response["Error"]["Code"],
            response["ResponseMetadata"]["HTTPHeaders"])


def body(s3: Any, bucket: str, key: str, **kwargs: Any) -> bytes:
    return bytes(s3.get_object(Bucket=bucket, Key=key, **kwargs)["Body"].read())


def listed(s3: Any, bucket: str, **kwargs: Any) -> list[tuple[str, str, bool, bool]]:
    """(key, version id, is latest, is a marker) in the answer's own order (boto3
    splits versions from markers, so the document is read as it came)."""
    raw: list[bytes] = []

    def keep(http_response: Any, **_: Any) -> None:
        raw.append(http_response.content)

    s3.meta.events.register("after-call.s3.ListObjectVersions", keep)
    try:
        s3.list_object_versions(Bucket=bucket, **kwargs)
    finally:
        s3.meta.events.unregister("after-call.s3.ListObjectVersions", keep)
    root = ET.fromstring(raw[0])
    out = []
    for element in root:
        kind = element.tag.rpartition("}")[2]
        if kind in ("Version", "DeleteMarker"):
            def text(name: str, e: ET.Element = element) -> str:
                return e.findtext(f"{{{S3_NS}}}{name}") or ""
            out.append((text("Key"), text("VersionId"), text("IsLatest") == "true",
                        kind == "DeleteMarker"))
    return out


def empty(s3: Any, bucket: str) -> None:
    for key, vid, _, _ in listed(s3, bucket):
        s3.delete_object(Bucket=bucket, Key=key, VersionId=vid)
    s3.delete_bucket(Bucket=bucket)


@pytest.fixture()
def s3(server: str) -> Iterator[Any]:
    s3 = client(server)
    yield s3
    s3.close()


def test_the_bucket_state(s3: Any) -> None:
    bucket = new_bucket(s3, versioned=False)
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    for bad in ({"Status": "Off"}, {}):
        assert error(s3.put_bucket_versioning, Bucket=bucket,
                     VersioningConfiguration=bad)[:2] == (400, "MalformedXML")
    assert error(s3.put_bucket_versioning, Bucket=bucket, VersioningConfiguration={
        "Status": "Enabled", "MFADelete": "Enabled"})[:2] == (501, "NotImplemented")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    assert error(s3.put_bucket_versioning, Bucket="no-such-bucket-here",
                 VersioningConfiguration={"Status": "Enabled"})[1] == "NoSuchBucket"
    s3.delete_bucket(Bucket=bucket)


def test_every_write_is_a_version_and_each_is_read_by_id(s3: Any) -> None:
    bucket = new_bucket(s3)
    ids = [s3.put_object(Bucket=bucket, Key="doc", Body=f"v{i}".encode())["VersionId"]
           for i in range(3)]
    assert len(set(ids)) == 3 and "null" not in ids
    assert body(s3, bucket, "doc") == b"v2"
    got = s3.get_object(Bucket=bucket, Key="doc")
    got["Body"].close()                 # (an unread body would hold its connection)
    assert got["VersionId"] == ids[2]
    for i, vid in enumerate(ids):
        assert body(s3, bucket, "doc", VersionId=vid) == f"v{i}".encode()
        assert s3.head_object(Bucket=bucket, Key="doc", VersionId=vid)["VersionId"] == vid
    assert listed(s3, bucket) == [("doc", ids[2], True, False), ("doc", ids[1], False, False),
                                  ("doc", ids[0], False, False)]
    # what ListObjects sees: the current version only, with its size and ETag
    contents = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(c["Key"], c["Size"], c["ETag"]) for c in contents] == [
        ("doc", 2, got["ETag"])]
    assert error(s3.get_object, Bucket=bucket, Key="doc", VersionId="not-an-id")[:2] == \
        (400, "InvalidArgument")
    assert error(s3.get_object, Bucket=bucket, Key="doc",
                 VersionId="1700000000.00000")[:2] == (404, "NoSuchVersion")
    empty(s3, bucket)


def test_delete_markers(s3: Any) -> None:
    bucket = new_bucket(s3)
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
    gone = s3.delete_object(Bucket=bucket, Key="k")
    assert gone["DeleteMarker"] is True and gone["VersionId"] not in (first, "null")
    status, code, headers = error(s3.get_object, Bucket=bucket, Key="k")
    assert (status, code) == (404, "NoSuchKey")
    assert headers["x-amz-delete-marker"] == "true"
    assert headers["x-amz-version-id"] == gone["VersionId"]
    assert error(s3.head_object, Bucket=bucket, Key="never")[2][
        "x-amz-delete-marker"] == "false"
    status, code, headers = error(s3.get_object, Bucket=bucket, Key="k",
                                  VersionId=gone["VersionId"])
    assert (status, code) == (405, "MethodNotAllowed")
    assert headers["x-amz-delete-marker"] == "true"
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
    again = s3.delete_object(Bucket=bucket, Key="k")          # markers stack
    assert listed(s3, bucket) == [("k", again["VersionId"], True, True),
                                  ("k", gone["VersionId"], False, True),
                                  ("k", first, False, False)]
    # removing the markers by id brings the object back
    for vid in (again["VersionId"], gone["VersionId"]):
        out = s3.delete_object(Bucket=bucket, Key="k", VersionId=vid)
        assert out["DeleteMarker"] is True and out["VersionId"] == vid
    assert body(s3, bucket, "k") == b"one"
    empty(s3, bucket)


def test_deleting_the_current_version_makes_the_previous_one_current(s3: Any) -> None:
    bucket = new_bucket(s3)
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())["VersionId"]
           for i in range(3)]
    s3.delete_object(Bucket=bucket, Key="k", VersionId=ids[2])
    assert body(s3, bucket, "k") == b"v1"
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == ids[1]
    s3.delete_object(Bucket=bucket, Key="k", VersionId=ids[0])       # an old one: no change
    assert listed(s3, bucket) == [("k", ids[1], True, False)]
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=ids[0])[
        "ResponseMetadata"]["HTTPStatusCode"] == 204                 # gone already: fine
    s3.delete_object(Bucket=bucket, Key="k", VersionId=ids[1])
    assert error(s3.get_object, Bucket=bucket, Key="k")[1] == "NoSuchKey"
    assert listed(s3, bucket) == []
    s3.delete_bucket(Bucket=bucket)


def test_the_null_version_of_an_object_written_before_versioning(s3: Any) -> None:
    bucket = new_bucket(s3, versioned=False)
    s3.put_object(Bucket=bucket, Key="k", Body=b"plain")
    assert "VersionId" not in s3.head_object(Bucket=bucket, Key="k")
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    new = s3.put_object(Bucket=bucket, Key="k", Body=b"versioned")["VersionId"]
    assert listed(s3, bucket) == [("k", new, True, False), ("k", "null", False, False)]
    assert body(s3, bucket, "k", VersionId="null") == b"plain"
    s3.delete_object(Bucket=bucket, Key="k", VersionId=new)
    assert body(s3, bucket, "k") == b"plain"
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    s3.delete_object(Bucket=bucket, Key="k", VersionId="null")
    assert error(s3.get_object, Bucket=bucket, Key="k")[1] == "NoSuchKey"
    assert listed(s3, bucket) == []
    s3.delete_bucket(Bucket=bucket)


def test_suspended_writes_replace_the_null_version(s3: Any) -> None:
    bucket = new_bucket(s3)
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"kept")["VersionId"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    for text in (b"null one", b"null two"):        # the null version, left unnamed
        assert "VersionId" not in s3.put_object(Bucket=bucket, Key="k", Body=text)
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    assert body(s3, bucket, "k") == b"null two"
    assert listed(s3, bucket) == [("k", "null", True, False), ("k", kept, False, False)]
    gone = s3.delete_object(Bucket=bucket, Key="k")
    assert gone["DeleteMarker"] is True and gone["VersionId"] == "null"
    assert listed(s3, bucket) == [("k", "null", True, True), ("k", kept, False, False)]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    newer = s3.put_object(Bucket=bucket, Key="k", Body=b"newer")["VersionId"]
    assert listed(s3, bucket) == [("k", newer, True, False), ("k", "null", False, True),
                                  ("k", kept, False, False)]
    assert body(s3, bucket, "k", VersionId=kept) == b"kept"
    empty(s3, bucket)


def test_copies_of_and_into_versions(s3: Any) -> None:
    bucket, plain = new_bucket(s3), new_bucket(s3, versioned=False)
    ids = [s3.put_object(Bucket=bucket, Key="src", Body=f"v{i}".encode())["VersionId"]
           for i in range(2)]
    out = s3.copy_object(Bucket=bucket, Key="src",
                         CopySource={"Bucket": bucket, "Key": "src", "VersionId": ids[0]})
    assert out["CopySourceVersionId"] == ids[0] and out["VersionId"] not in ids
    assert body(s3, bucket, "src") == b"v0"                     # the old one, restored
    s3.copy_object(Bucket=plain, Key="c", CopySource={"Bucket": bucket, "Key": "src",
                                                      "VersionId": ids[1]})
    assert body(s3, plain, "c") == b"v1"
    assert error(s3.copy_object, Bucket=plain, Key="c", CopySource={
        "Bucket": bucket, "Key": "src", "VersionId": "1700000000.00000"})[1] == "NoSuchVersion"
    empty(s3, bucket)
    empty(s3, plain)


def test_multipart_versions_keep_their_parts_until_removed(server: str, s3: Any) -> None:
    bucket = new_bucket(s3)
    part = os.urandom(5 * 1024 * 1024)
    vids = []
    for i in range(2):
        up = s3.create_multipart_upload(Bucket=bucket, Key="big")["UploadId"]
        etag = s3.upload_part(Bucket=bucket, Key="big", UploadId=up, PartNumber=1,
                              Body=part + bytes([i]))["ETag"]
        done = s3.complete_multipart_upload(
            Bucket=bucket, Key="big", UploadId=up,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
        vids.append(done["VersionId"])
    s3.delete_object(Bucket=bucket, Key="big")            # a marker: no part goes
    for i, vid in enumerate(vids):
        assert body(s3, bucket, "big", VersionId=vid)[-1] == i
    segments = swift(server)
    assert len(segments.get_container(f"{bucket}+segments")[1]) == 2
    s3.delete_object(Bucket=bucket, Key="big", VersionId=vids[0])    # for good: its part
    assert len(segments.get_container(f"{bucket}+segments")[1]) == 1
    assert body(s3, bucket, "big", VersionId=vids[1])[-1] == 1
    segments.close()
    empty(s3, bucket)


def test_delete_objects_with_version_ids(s3: Any) -> None:
    bucket = new_bucket(s3)
    a = s3.put_object(Bucket=bucket, Key="a", Body=b"a")["VersionId"]
    b = s3.put_object(Bucket=bucket, Key="b", Body=b"b")["VersionId"]
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "a", "VersionId": a}, {"Key": "b"}, {"Key": "c", "VersionId": "bad"}]})
    deleted = {d["Key"]: d for d in out["Deleted"]}
    assert deleted["a"]["VersionId"] == a and "DeleteMarker" not in deleted["a"]
    assert deleted["b"]["DeleteMarker"] is True
    assert deleted["b"]["DeleteMarkerVersionId"] not in (b, "null")
    assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [("c", "InvalidArgument")]
    assert listed(s3, bucket) == [("b", deleted["b"]["DeleteMarkerVersionId"], True, True),
                                  ("b", b, False, False)]
    empty(s3, bucket)


def test_the_version_listing_pages(s3: Any) -> None:
    bucket = new_bucket(s3)
    for key in ("a", "b/1", "b/2", "c"):
        for i in range(2):
            s3.put_object(Bucket=bucket, Key=key, Body=f"{key}{i}".encode())
    s3.delete_object(Bucket=bucket, Key="c")
    whole = listed(s3, bucket)
    assert len(whole) == 9
    seen, kwargs = [], {}
    while True:
        page = s3.list_object_versions(Bucket=bucket, MaxKeys=2, **kwargs)
        got = [(v["Key"], v["VersionId"]) for v in
               page.get("Versions", []) + page.get("DeleteMarkers", [])]
        assert 0 < len(got) <= 2
        seen += got
        if not page["IsTruncated"]:
            break
        kwargs = {"KeyMarker": page["NextKeyMarker"],
                  "VersionIdMarker": page["NextVersionIdMarker"]}
    assert sorted(seen) == sorted((k, v) for k, v, _, _ in whole)
    folded = s3.list_object_versions(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in folded["CommonPrefixes"]] == ["b/"]
    assert {v["Key"] for v in folded["Versions"]} == {"a", "c"}
    assert {v["Key"] for v in s3.list_object_versions(Bucket=bucket, Prefix="b/")[
        "Versions"]} == {"b/1", "b/2"}
    assert error(s3.list_object_versions, Bucket=bucket, VersionIdMarker="null")[:2] == \
        (400, "InvalidArgument")
    empty(s3, bucket)


def test_a_bucket_with_versions_is_not_empty(s3: Any) -> None:
    bucket = new_bucket(s3)
    vid = s3.put_object(Bucket=bucket, Key="k", Body=b"x")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="k")
    assert error(s3.delete_bucket, Bucket=bucket)[:2] == (409, "BucketNotEmpty")
    s3.delete_object(Bucket=bucket, Key="k", VersionId=vid)
    assert error(s3.delete_bucket, Bucket=bucket)[:2] == (409, "BucketNotEmpty")  # marker
    empty(s3, bucket)
    assert error(s3.head_bucket, Bucket=bucket)[0] == 404


def test_swift_sees_the_same_versions(server: str, s3: Any) -> None:
    bucket = new_bucket(s3)
    ids = [s3.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())["VersionId"]
           for i in range(2)]
    conn: swiftclient.Connection = swift(server)
    assert conn.head_container(bucket)["x-versions-enabled"] == "True"
    rows = conn.get_container(bucket, query_string="versions")[1]
    assert [(r["name"], r["version_id"], r["is_latest"]) for r in rows] == [
        ("k", ids[1], True), ("k", ids[0], False)]
    headers, data = conn.get_object(bucket, "k", query_string=f"version-id={ids[0]}")
    assert data == b"v0" and headers["x-object-version-id"] == ids[0]
    out: dict[str, Any] = {}
    conn.put_object(bucket, "k", b"swift", response_dict=out)
    swift_id = out["headers"]["x-object-version-id"]
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == swift_id
    assert body(s3, bucket, "k", VersionId=ids[1]) == b"v1"
    conn.close()
    empty(s3, bucket)


def test_another_account_reaches_no_version(server: str, s3: Any) -> None:
    bucket = new_bucket(s3)
    vid = s3.put_object(Bucket=bucket, Key="k", Body=b"secret")["VersionId"]
    other = boto3.client("s3", endpoint_url=server, aws_access_key_id="other:someone",
                         aws_secret_access_key="secret2", region_name="us-east-1")
    for call, kwargs in ((other.get_object, {"Key": "k", "VersionId": vid}),
                         (other.delete_object, {"Key": "k", "VersionId": vid}),
                         (other.list_object_versions, {}),
                         (other.put_bucket_versioning,
                          {"VersioningConfiguration": {"Status": "Suspended"}})):
        assert error(call, Bucket=bucket, **kwargs)[0] in (403, 404)
    other.close()
    assert body(s3, bucket, "k", VersionId=vid) == b"secret"
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    empty(s3, bucket)


def test_concurrent_writes_and_deletes_by_id_leave_nothing_behind(s3: Any) -> None:
    """Writes racing deletes of the versions they make current: no pointer outlives
    its version, so the bucket empties and goes."""
    bucket = new_bucket(s3)

    def write(i: int) -> None:
        s3.put_object(Bucket=bucket, Key="k", Body=f"v{i}".encode())

    def clear() -> None:
        for key, vid, _, _ in listed(s3, bucket):
            s3.delete_object(Bucket=bucket, Key=key, VersionId=vid)

    with ThreadPoolExecutor(8) as pool:
        for round_ in range(4):
            jobs = [pool.submit(write, round_ * 10 + i) for i in range(4)]
            jobs += [pool.submit(clear) for _ in range(2)]
            for job in jobs:
                job.result()
    clear()
    assert listed(s3, bucket) == []
    assert error(s3.get_object, Bucket=bucket, Key="k")[1] == "NoSuchKey"
    s3.delete_bucket(Bucket=bucket)


def test_conditional_deletes(s3: Any) -> None:
    """If-Match, x-amz-if-match-size and -last-modified-time on DeleteObject, and the
    same per object in DeleteObjects: a failing one is 412 and deletes nothing; a
    condition on a key that is not there does nothing (no marker either)."""
    plain, bucket = new_bucket(s3, versioned=False), new_bucket(s3)
    etag = s3.put_object(Bucket=plain, Key="k", Body=b"abc")["ETag"]
    mtime = s3.head_object(Bucket=plain, Key="k")["LastModified"]
    for bad in ({"IfMatch": '"nope"'}, {"IfMatchSize": 4},
                {"IfMatchLastModifiedTime": mtime.replace(year=2015)}):
        assert error(s3.delete_object, Bucket=plain, Key="k", **bad)[:2] == \
            (412, "PreconditionFailed")
    assert body(s3, plain, "k") == b"abc"
    s3.delete_object(Bucket=plain, Key="k", IfMatch=etag, IfMatchSize=3,
                     IfMatchLastModifiedTime=mtime)
    assert error(s3.get_object, Bucket=plain, Key="k")[1] == "NoSuchKey"
    s3.delete_object(Bucket=plain, Key="k", IfMatch=etag)          # gone: nothing to do
    vid = s3.put_object(Bucket=bucket, Key="k", Body=b"abc")["VersionId"]
    s3.delete_object(Bucket=bucket, Key="missing", IfMatch="*")
    assert listed(s3, bucket) == [("k", vid, True, False)]        # no marker made
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "k", "VersionId": vid, "ETag": '"nope"'}]})
    assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [("k", "PreconditionFailed")]
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "k", "VersionId": vid, "ETag": etag, "Size": 3}]})
    assert out["Deleted"][0]["VersionId"] == vid and listed(s3, bucket) == []
    s3.delete_bucket(Bucket=plain)
    s3.delete_bucket(Bucket=bucket)
