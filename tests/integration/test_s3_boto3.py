"""The S3 API of a real `objectstore serve`, driven by boto3 with its current defaults
(checksums on, aws-chunked trailers) and with checksums only when required."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import boto3
import pytest
import requests
import swiftclient
from botocore.client import Config
from botocore.exceptions import ClientError


def client(server: str, **config: Any) -> Any:
    return boto3.client("s3", endpoint_url=server, aws_access_key_id="test:tester",
                        aws_secret_access_key="testing", region_name="us-east-1",
                        config=Config(**config))


@pytest.fixture(params=["default", "when_required"])
def s3(server: str, request: pytest.FixtureRequest) -> Any:
    if request.param == "default":
        return client(server)
    return client(server, request_checksum_calculation="when_required",
                  response_checksum_validation="when_required")


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_buckets_and_objects(s3: Any) -> None:
    bucket = f"b-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    s3.create_bucket(Bucket=bucket)          # us-east-1 answers a repeat with 200
    with pytest.raises(ClientError) as info:
        s3.create_bucket(Bucket=bucket,
                         CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert code(info) == "BucketAlreadyOwnedByYou"
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    s3.head_bucket(Bucket=bucket)
    body = os.urandom(300_000)
    put = s3.put_object(Bucket=bucket, Key="dir/a b.bin", Body=body,
                        ContentType="application/x-test", Metadata={"color": "blue"})
    assert put["ETag"] == f'"{hashlib.md5(body).hexdigest()}"'
    got = s3.get_object(Bucket=bucket, Key="dir/a b.bin")
    assert got["Body"].read() == body
    assert got["ContentType"] == "application/x-test" and got["Metadata"] == {"color": "blue"}
    part = s3.get_object(Bucket=bucket, Key="dir/a b.bin", Range="bytes=10-19")
    assert part["Body"].read() == body[10:20] and part["ContentRange"] == "bytes 10-19/300000"
    head = s3.head_object(Bucket=bucket, Key="dir/a b.bin")
    assert head["ContentLength"] == len(body)
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"k{i}", Body=b"x")
    page = s3.list_objects_v2(Bucket=bucket, MaxKeys=3)
    assert page["IsTruncated"] and page["KeyCount"] == 3
    rest = s3.list_objects_v2(Bucket=bucket, ContinuationToken=page["NextContinuationToken"])
    keys = [o["Key"] for o in page["Contents"] + rest["Contents"]]
    assert keys == ["dir/a b.bin", "k0", "k1", "k2", "k3", "k4"]
    tree = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert [p["Prefix"] for p in tree["CommonPrefixes"]] == ["dir/"]
    v1 = s3.list_objects(Bucket=bucket, Prefix="k", MaxKeys=2)
    assert [o["Key"] for o in v1["Contents"]] == ["k0", "k1"] and v1["IsTruncated"]
    with pytest.raises(ClientError) as info:
        s3.delete_bucket(Bucket=bucket)
    assert code(info) == "BucketNotEmpty"
    for key in keys:
        s3.delete_object(Bucket=bucket, Key=key)
    s3.delete_object(Bucket=bucket, Key="never-there")       # idempotent
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="k0")
    assert code(info) == "NoSuchKey"
    s3.delete_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as info:
        s3.head_bucket(Bucket=bucket)
    assert info.value.response["Error"]["Code"] in ("404", "NoSuchBucket")


def test_one_namespace_with_swift(server: str, s3: Any) -> None:
    bucket = f"shared-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="from-s3", Body=b"s3 bytes", ContentType="text/plain",
                  Metadata={"color": "red"})
    conn = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                  key="testing", retries=0)
    headers, body = conn.get_object(bucket, "from-s3")
    assert body == b"s3 bytes" and headers["x-object-meta-color"] == "red"
    assert headers["content-type"] == "text/plain"
    conn.put_object(bucket, "from-swift", b"swift bytes", headers={"X-Object-Meta-Size": "L"})
    got = s3.get_object(Bucket=bucket, Key="from-swift")
    assert got["Body"].read() == b"swift bytes" and got["Metadata"] == {"size": "L"}
    assert got["ETag"] == f'"{hashlib.md5(b"swift bytes").hexdigest()}"'


def test_a_deleted_bucket_takes_no_more_writes(server: str, s3: Any) -> None:
    """The proxy trusts a bucket it saw a moment ago; deleting it -- through either
    API -- must end that at once."""
    conn = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                  key="testing", retries=0)
    for delete in ("s3", "swift"):
        bucket = f"gone-{delete}-{os.urandom(4).hex()}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")      # the bucket is now known
        conn.put_object(bucket, "k2", b"y")
        s3.delete_object(Bucket=bucket, Key="k")
        conn.delete_object(bucket, "k2")
        if delete == "s3":
            s3.delete_bucket(Bucket=bucket)
        else:
            conn.delete_container(bucket)
        with pytest.raises(ClientError) as info:
            s3.put_object(Bucket=bucket, Key="k", Body=b"x")
        assert info.value.response["Error"]["Code"] == "NoSuchBucket"
        with pytest.raises(swiftclient.ClientException) as raised:
            conn.put_object(bucket, "k", b"x")
        assert raised.value.http_status == 404


def test_auth_failures(server: str, s3: Any) -> None:
    bad = boto3.client("s3", endpoint_url=server, aws_access_key_id="test:tester",
                       aws_secret_access_key="wrong", region_name="us-east-1")
    with pytest.raises(ClientError) as info:
        bad.list_buckets()
    assert code(info) == "SignatureDoesNotMatch"
    unknown = boto3.client("s3", endpoint_url=server, aws_access_key_id="nobody",
                           aws_secret_access_key="x", region_name="us-east-1")
    with pytest.raises(ClientError) as info:
        unknown.list_buckets()
    assert code(info) == "InvalidAccessKeyId"
    bucket = f"auth-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    anonymous = requests.get(f"{server}/{bucket}", timeout=10)
    assert anonymous.status_code == 403 and b"<Code>AccessDenied</Code>" in anonymous.content
    assert "x-amz-request-id" in anonymous.headers
    # Anonymous owns no buckets: the service listing is empty, never another's buckets.
    listing = requests.get(f"{server}/", timeout=10)
    assert listing.status_code == 200 and bucket.encode() not in listing.content
    assert b"<Bucket>" not in listing.content


def test_presigned_urls(server: str, s3: Any) -> None:
    bucket = f"pre-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"presigned")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"},
                                    ExpiresIn=60)
    assert requests.get(url, timeout=10).content == b"presigned"
    tampered = url.replace("Key", "Kez") if "Key" in url else url + "x"
    assert requests.get(tampered, timeout=10).status_code == 403
    v4 = client(server, signature_version="s3v4")
    for signer in (s3, v4):          # boto3 presigns with V2 by default here, V4 on request
        listing = signer.generate_presigned_url("list_objects_v2", ExpiresIn=60,
                                                Params={"Bucket": bucket, "MaxKeys": 10})
        got = requests.get(listing, timeout=10)
        assert got.status_code == 200 and b"<Key>k</Key>" in got.content
    v4.close()


def test_unsupported_is_not_implemented(server: str, s3: Any) -> None:
    bucket = f"ni-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as info:
        s3.get_bucket_website(Bucket=bucket)
    assert code(info) == "NotImplemented"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    # asked for dual-layer encryption: refused, never stored as if it were
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="k", Body=b"secret",
                      ServerSideEncryption="aws:kms:dsse", SSEKMSKeyId="k")
    assert code(info) == "NotImplemented"
    with pytest.raises(ClientError) as info:
        s3.head_object(Bucket=bucket, Key="k")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_delete_objects_copy_acl_versioning(s3: Any) -> None:
    bucket = f"ops-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    for i in range(5):
        s3.put_object(Bucket=bucket, Key=f"d{i}", Body=b"x", Metadata={"n": str(i)})
    out = s3.delete_objects(Bucket=bucket, Delete={
        "Objects": [{"Key": "d0"}, {"Key": "d1"}, {"Key": "missing"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["d0", "d1", "missing"]
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "d2"}], "Quiet": True})
    assert "Deleted" not in out
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["d3", "d4"]

    copied = s3.copy_object(Bucket=bucket, Key="c1", CopySource={"Bucket": bucket, "Key": "d3"})
    assert copied["CopyObjectResult"]["ETag"] == s3.head_object(Bucket=bucket, Key="d3")["ETag"]
    assert s3.head_object(Bucket=bucket, Key="c1")["Metadata"] == {"n": "3"}
    s3.copy_object(Bucket=bucket, Key="c2", CopySource=f"{bucket}/d4",
                   MetadataDirective="REPLACE", Metadata={"new": "yes"}, ContentType="text/x")
    head = s3.head_object(Bucket=bucket, Key="c2")
    assert head["Metadata"] == {"new": "yes"} and head["ContentType"] == "text/x"
    with pytest.raises(ClientError) as info:
        s3.copy_object(Bucket=bucket, Key="d4", CopySource=f"{bucket}/d4")
    assert code(info) == "InvalidRequest"
    s3.copy_object(Bucket=bucket, Key="d4", CopySource=f"{bucket}/d4",
                   MetadataDirective="REPLACE", Metadata={"self": "1"})
    assert s3.head_object(Bucket=bucket, Key="d4")["Metadata"] == {"self": "1"}
    with pytest.raises(ClientError) as info:
        s3.copy_object(Bucket=bucket, Key="c3", CopySource=f"{bucket}/d4",
                       CopySourceIfMatch='"nope"')
    assert code(info) == "PreconditionFailed"

    acl = s3.get_bucket_acl(Bucket=bucket)
    assert [g["Permission"] for g in acl["Grants"]] == ["FULL_CONTROL"]
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    assert s3.get_object_acl(Bucket=bucket, Key="d3")["Grants"][0]["Permission"] == \
        "FULL_CONTROL"
    s3.put_bucket_acl(Bucket=bucket, ACL="public-read")      # (test_s3_acls.py: the rest)
    assert {g["Grantee"].get("URI", "").rsplit("/", 1)[-1]: g["Permission"]
            for g in s3.get_bucket_acl(Bucket=bucket)["Grants"]}["AllUsers"] == "READ"
    s3.put_bucket_acl(Bucket=bucket, ACL="private")
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    assert s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") in (None, "")


def test_bad_input(server: str, s3: Any) -> None:
    for name in ("ab", "UPPER", "a..b", "192.168.1.1", "-start", "x" * 64):
        with pytest.raises(ClientError) as info:
            s3.create_bucket(Bucket=name)
        assert code(info) == "InvalidBucketName", name
    bucket = f"bad-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="m", Body=b"x", Metadata={"big": "v" * 2100})
    assert code(info) == "MetadataTooLarge"
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="md5", Body=b"data",
                      ContentMD5="AAAAAAAAAAAAAAAAAAAAAA==")
    assert code(info) in ("BadDigest", "InvalidDigest")
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="md5")
    assert code(info) == "NoSuchKey", "a body that failed its digest is not stored"
    s3.put_object(Bucket=bucket, Key="once", Body=b"1", IfNoneMatch="*")
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket=bucket, Key="once", Body=b"2", IfNoneMatch="*")
    assert code(info) == "PreconditionFailed"
    assert s3.get_object(Bucket=bucket, Key="once")["Body"].read() == b"1"
    resp = requests.post(f"{server}/{bucket}?delete", data=b"<Delete><Object>",
                         timeout=10)
    assert resp.status_code == 403, "unsigned: denied before the body is parsed"


def test_checksums_stored_and_returned(s3: Any) -> None:
    import base64
    import zlib
    bucket = f"ck-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(70_000)
    s3.put_object(Bucket=bucket, Key="k", Body=body, ChecksumAlgorithm="CRC32")
    crc = base64.b64encode(zlib.crc32(body).to_bytes(4, "big")).decode()
    got = s3.get_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == crc and got["Body"].read() == body
    assert s3.head_object(Bucket=bucket, Key="k", ChecksumMode="ENABLED")["ChecksumCRC32"] == crc
    s3.put_object(Bucket=bucket, Key="s", Body=b"abc", ChecksumAlgorithm="SHA256")
    head = s3.head_object(Bucket=bucket, Key="s", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="


def test_virtual_hosted_style(server: str, s3: Any) -> None:
    """Host <bucket>.localhost names the bucket (the default domain), signed as boto3
    signs a virtual-hosted request."""
    import http.client

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    bucket = f"vh-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="dir/key", Body=b"virtual")
    port = int(server.rsplit(":", 1)[1])
    req = AWSRequest(method="GET", url=f"http://{bucket}.localhost:{port}/dir/key")
    req.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    S3SigV4Auth(Credentials("test:tester", "testing"), "s3", "us-east-1").add_auth(req)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest("GET", "/dir/key", skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", f"{bucket}.localhost:{port}")
        for k, v in req.headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        assert (resp.status, resp.read()) == (200, b"virtual")
    finally:
        conn.close()


def test_multipart_upload(server: str, s3: Any) -> None:
    import io

    from boto3.s3.transfer import TransferConfig
    bucket = f"mp-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    body = os.urandom(12 * 1024 * 1024 + 123)
    config = TransferConfig(multipart_threshold=5 * 1024 * 1024,
                            multipart_chunksize=5 * 1024 * 1024, max_concurrency=3)
    s3.upload_fileobj(io.BytesIO(body), bucket, "big.bin", Config=config,
                      ExtraArgs={"ContentType": "application/x-big", "Metadata": {"m": "1"}})
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    parts = [hashlib.md5(body[i:i + 5 * 1024 * 1024]).digest()
             for i in range(0, len(body), 5 * 1024 * 1024)]
    assert head["ETag"] == f'"{hashlib.md5(b"".join(parts)).hexdigest()}-3"'
    assert head["ContentLength"] == len(body) and head["Metadata"] == {"m": "1"}
    assert head["ContentType"] == "application/x-big"
    assert s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == body
    part = s3.get_object(Bucket=bucket, Key="big.bin", Range="bytes=5242870-5242889")
    assert part["Body"].read() == body[5242870:5242890]
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["Size"]) for o in listed] == [("big.bin", len(body))]
    assert bucket + "+segments" not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    conn = swiftclient.Connection(authurl=f"{server}/auth/v1.0", user="test:tester",
                                  key="testing", retries=0)
    assert conn.get_object(bucket, "big.bin")[1] == body, "Swift reads it as one object"

    second = s3.get_object(Bucket=bucket, Key="big.bin", PartNumber=2)
    assert second["Body"].read() == body[5 * 1024 * 1024:10 * 1024 * 1024]
    assert second["PartsCount"] == 3
    assert s3.head_object(Bucket=bucket, Key="big.bin", PartNumber=3)["ContentLength"] == \
        len(body) - 10 * 1024 * 1024
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket=bucket, Key="big.bin", PartNumber=4)
    assert code(info) == "InvalidPart"

    # UploadPartCopy, a whole object and a byte range of one
    up = s3.create_multipart_upload(Bucket=bucket, Key="copied")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=up, PartNumber=1,
                             CopySource={"Bucket": bucket, "Key": "big.bin"},
                             CopySourceRange="bytes=0-5242879")["CopyPartResult"]["ETag"]
    s3.put_object(Bucket=bucket, Key="small", Body=b"the end")
    p2 = s3.upload_part_copy(Bucket=bucket, Key="copied", UploadId=up, PartNumber=2,
                             CopySource=f"{bucket}/small")["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(Bucket=bucket, Key="copied", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": p1}, {"PartNumber": 2, "ETag": p2}]})
    assert s3.get_object(Bucket=bucket, Key="copied")["Body"].read() == \
        body[:5242880] + b"the end"
    s3.delete_object(Bucket=bucket, Key="copied")
    s3.delete_object(Bucket=bucket, Key="small")

    # the checks of Complete, ListParts, Abort
    up = s3.create_multipart_upload(Bucket=bucket, Key="checks")["UploadId"]
    e1 = s3.upload_part(Bucket=bucket, Key="checks", UploadId=up, PartNumber=1,
                        Body=b"small")["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key="checks", UploadId=up, PartNumber=2,
                        Body=b"tail")["ETag"]
    assert [p["PartNumber"] for p in s3.list_parts(Bucket=bucket, Key="checks",
                                                   UploadId=up)["Parts"]] == [1, 2]
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [up]
    for parts_list, error in (
            ([{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}], "EntityTooSmall"),
            ([{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}], "InvalidPartOrder"),
            ([{"PartNumber": 1, "ETag": '"' + "0" * 32 + '"'}], "InvalidPart")):
        with pytest.raises(ClientError) as info:
            s3.complete_multipart_upload(Bucket=bucket, Key="checks", UploadId=up,
                                         MultipartUpload={"Parts": parts_list})
        assert code(info) == error
    s3.abort_multipart_upload(Bucket=bucket, Key="checks", UploadId=up)
    with pytest.raises(ClientError) as info:
        s3.list_parts(Bucket=bucket, Key="checks", UploadId=up)
    assert code(info) == "NoSuchUpload"
    # deleting the object takes its parts along
    s3.delete_object(Bucket=bucket, Key="big.bin")
    _, segs = conn.get_container(bucket + "+segments")
    assert segs == []


def test_versions_of_an_unversioned_bucket(s3: Any) -> None:
    bucket = f"ver-{os.urandom(4).hex()}"
    s3.create_bucket(Bucket=bucket)
    for key in ("a", "b/c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    versions = s3.list_object_versions(Bucket=bucket)["Versions"]
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in versions] == [
        ("a", "null", True), ("b/c", "null", True)]
    s3.delete_object(Bucket=bucket, Key="a", VersionId="null")
    s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b/c", "VersionId": "null"}]})
    assert "Versions" not in s3.list_object_versions(Bucket=bucket)
    s3.delete_bucket(Bucket=bucket)
