"""How an upload's body is framed is not part of the object: `aws-chunked` is dropped
from the stored Content-Encoding, and a body sent with Transfer-Encoding: chunked (no
Content-Length) is taken whole; a PUT with neither has no length (411)."""

from __future__ import annotations

import os
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.integration.signed import send

ENCODINGS = [("gzip", "gzip"), ("deflate, gzip", "deflate, gzip"),
             ("gzip, aws-chunked", "gzip"), ("aws-chunked, gzip", "gzip"),
             ("aws-chunked", None), ("aws-chunked, aws-chunked", None),
             ("AWS-Chunked,br", "br")]


@pytest.mark.parametrize(("sent", "kept"), ENCODINGS)
def test_aws_chunked_is_no_stored_content_encoding(s3: Any, bucket: str, sent: str,
                                                   kept: str | None) -> None:
    s3.put_object(Bucket=bucket, Key="k", Body=b"data", ContentEncoding=sent)
    assert s3.head_object(Bucket=bucket, Key="k").get("ContentEncoding") == kept
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", ContentEncoding=sent)
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"part")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1,
                                                             "ETag": part["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="mp").get("ContentEncoding") == kept


def _chunked(request: Any, **_: Any) -> None:
    """As ceph/s3-tests does: the body goes out chunked, without a Content-Length."""
    request.headers.add_header("Transfer-Encoding", "chunked")


def test_a_chunked_transfer_encoding_body_is_stored_whole(s3: Any, bucket: str) -> None:
    body = os.urandom(300_000)
    s3.meta.events.register_first("before-sign.s3.PutObject", _chunked)
    s3.meta.events.register_first("before-sign.s3.UploadPart", _chunked)
    s3.put_object(Bucket=bucket, Key="te", Body=body)
    got = s3.get_object(Bucket=bucket, Key="te")
    assert (got["ContentLength"], got["Body"].read()) == (len(body), body)

    up = s3.create_multipart_upload(Bucket=bucket, Key="te-mp")
    part = s3.upload_part(Bucket=bucket, Key="te-mp", UploadId=up["UploadId"],
                          PartNumber=1, Body=body)
    s3.complete_multipart_upload(Bucket=bucket, Key="te-mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1,
                                                             "ETag": part["ETag"]}]})
    assert s3.get_object(Bucket=bucket, Key="te-mp")["Body"].read() == body

    with pytest.raises(ClientError) as info:      # its checksums hold as ever
        s3.put_object(Bucket=bucket, Key="te-bad", Body=body, ChecksumCRC32="AAAAAA==")
    assert info.value.response["Error"]["Code"] == "BadDigest"


def test_a_put_with_no_length_at_all_is_411(server: str, bucket: str) -> None:
    answer = send(server, "PUT", f"/{bucket}/nolength", content_length=False)
    assert (answer.status, answer.code) == (411, "MissingContentLength")
    assert send(server, "HEAD", f"/{bucket}/nolength").status == 404
