"""Every request header AWS documents for the write operations is honoured or refused:
walked from botocore's own model of S3, so a header added there shows up here."""

from __future__ import annotations

import base64
import hashlib

import botocore.session
import pytest

from objectstore import errors
from objectstore.proxy.retention import BUCKET_LOCK
from objectstore.proxy.s3_acl import Owner, UserDirectory
from objectstore.proxy.s3_acl_headers import requested_acl
from objectstore.s3compat import features, object_lock, sse
from objectstore.s3compat.bucket_access_config import parse_ownership
from objectstore.s3compat.errormap import to_s3
from objectstore.s3compat.s3errors import S3Error

OWNER = "team"
KEY = bytes(range(32))          # an SSE-C key
KMS_KEY = "x-amz-server-side-encryption-aws-kms-key-id"
OPERATIONS = ("PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart",
              "UploadPartCopy", "CompleteMultipartUpload", "CreateBucket")
# header -> a value the store honours (stores, checks or has nothing to do for)
HONOURED = {
    "cache-control": "no-cache", "content-disposition": "inline", "content-encoding": "gzip",
    "content-language": "en", "content-length": "1", "content-md5": "x", "content-type": "a/b",
    "expires": "0", "if-match": '"e"', "if-none-match": "*", "x-amz-acl": "private",
    **{f"x-amz-checksum-{name}": "x" for name in (
        "crc32", "crc32c", "crc64nvme", "md5", "sha1", "sha256", "sha512", "xxhash64",
        "xxhash3", "xxhash128")},
    "x-amz-checksum-type": "COMPOSITE",
    "x-amz-checksum-algorithm": "CRC32", "x-amz-sdk-checksum-algorithm": "CRC32",
    "x-amz-expected-bucket-owner": OWNER, "x-amz-source-expected-bucket-owner": OWNER,
    "x-amz-meta-": "v", "x-amz-request-payer": "requester", "x-amz-copy-source": "/b/k",
    "x-amz-copy-source-if-match": '"e"', "x-amz-copy-source-if-none-match": '"e"',
    "x-amz-copy-source-if-modified-since": "0", "x-amz-copy-source-if-unmodified-since": "0",
    "x-amz-copy-source-range": "bytes=0-1", "x-amz-metadata-directive": "REPLACE",
    "x-amz-tagging-directive": "COPY", "x-amz-tagging": "a=b", "x-amz-storage-class": "STANDARD",
    "x-amz-bucket-object-lock-enabled": "true", "x-amz-object-lock-legal-hold": "ON",
    "x-amz-object-lock-mode": "GOVERNANCE",
    "x-amz-object-lock-retain-until-date": "2100-01-01T00:00:00Z",
    "x-amz-object-ownership": "BucketOwnerEnforced",
    "x-amz-server-side-encryption": "AES256",
    "x-amz-server-side-encryption-aws-kms-key-id": "k", "x-amz-server-side-encryption-context":
        base64.b64encode(b'{"a": "b"}').decode(),
    "x-amz-server-side-encryption-bucket-key-enabled": "true",
    **{f"x-amz-{side}server-side-encryption-customer-{k}": v
       for side in ("", "copy-source-")
       for k, v in (("algorithm", "AES256"), ("key", base64.b64encode(KEY).decode()),
                    ("key-md5", base64.b64encode(hashlib.md5(KEY).digest()).decode()))},
    **{f"x-amz-grant-{g}": f'id="{OWNER}"'
       for g in ("read", "write", "read-acp", "write-acp", "full-control")}}
# the headers a honoured one is only sent with
COMPANION = {"x-amz-object-lock-mode": ("x-amz-object-lock-retain-until-date",),
             "x-amz-object-lock-retain-until-date": ("x-amz-object-lock-mode",),
             **{f"x-amz-{side}server-side-encryption-customer-{k}": tuple(
                 f"x-amz-{side}server-side-encryption-customer-{o}"
                 for o in ("algorithm", "key", "key-md5") if o != k)
                for side in ("", "copy-source-") for k in ("algorithm", "key", "key-md5")},
             **{f"x-amz-server-side-encryption-{k}": ("x-amz-server-side-encryption",)
                for k in ("aws-kms-key-id", "context", "bucket-key-enabled")}}
# ... and the value it then has
COMPANION_VALUE = {("x-amz-server-side-encryption-aws-kms-key-id",
                    "x-amz-server-side-encryption"): "aws:kms",
                   ("x-amz-server-side-encryption-context",
                    "x-amz-server-side-encryption"): "aws:kms",
                   ("x-amz-server-side-encryption-bucket-key-enabled",
                    "x-amz-server-side-encryption"): "aws:kms"}
LOCKED = {BUCKET_LOCK: "Enabled"}       # a bucket made with Object Lock
DIRECTORY = UserDirectory([(OWNER, "")])
# a value of the feature a refused header asks for (others: "x")
REFUSED_VALUE = {"x-amz-storage-class": "COLD", "x-amz-bucket-object-lock-enabled": "yes",
                 "x-amz-object-lock-mode": "FOREVER", "x-amz-object-lock-legal-hold": "maybe",
                 "x-amz-object-lock-retain-until-date": "2001-01-01T00:00:00Z",
                 "x-amz-object-ownership": "Nobody", "x-amz-acl": "no-such-acl",
                 "x-amz-expected-bucket-owner": "someone-else",
                 "x-amz-source-expected-bucket-owner": "someone-else",
                 "x-amz-sdk-checksum-algorithm": "MD4", "x-amz-checksum-algorithm": "XXHASH32",
                 "x-amz-server-side-encryption": "aes:kms"}


def documented() -> list[tuple[str, str]]:
    model = botocore.session.get_session().get_service_model("s3")
    out = []
    for op in OPERATIONS:
        for shape in model.operation_model(op).input_shape.members.values():
            if shape.serialization.get("location") in ("header", "headers"):
                out.append((op, shape.serialization["name"].lower()))
    return out


def check(op: str, name: str, value: str) -> None:
    """What the S3 edge checks of a request to `op` carrying one header (and the one
    it goes with), to a bucket with Object Lock."""
    headers = {name: value}
    for other in COMPANION.get(name, ()):
        headers[other] = COMPANION_VALUE.get((name, other), HONOURED[other])
    if name in ("x-amz-server-side-encryption-bucket-key-enabled",
                "x-amz-server-side-encryption-context"):
        headers[KMS_KEY] = "k"          # (aws:kms needs a key id: no default here)
    try:
        checks(op, headers)
    except errors.ObjectStoreError as exc:     # as the client sees it
        raise to_s3(exc) from None


def checks(op: str, headers: dict[str, str]) -> None:
    features.check_owner(headers, OWNER)
    requested_acl(headers, Owner(OWNER), Owner(OWNER), DIRECTORY)
    if op == "CreateBucket":
        features.check_bucket_create(headers)
        if "x-amz-object-ownership" in headers:
            parse_ownership(headers["x-amz-object-ownership"])
        return
    if op in ("PutObject", "CopyObject", "CreateMultipartUpload"):
        sse.requested(headers)
    sse.customer_key(headers)
    sse.customer_key(headers, sse.COPY_CUSTOMER)
    features.check_object_write(headers)
    object_lock.check_bucket(headers, LOCKED)
    object_lock.requested(headers, {})


@pytest.mark.parametrize(("op", "name"), documented())
def test_each_documented_header_is_honoured_or_refused(op: str, name: str) -> None:
    if name in HONOURED:
        check(op, name, HONOURED[name])
    if name not in HONOURED or name in REFUSED_VALUE:
        with pytest.raises(S3Error) as info:
            check(op, name, REFUSED_VALUE.get(name, "x"))
        assert info.value.status in (400, 403, 501)


def test_the_refusals_say_what() -> None:
    cases = {("x-amz-storage-class", "COLD"): (400, "InvalidStorageClass"),
             ("x-amz-checksum-xxhash32", "AAAA"): (501, "NotImplemented")}
    for (name, value), expected in cases.items():
        with pytest.raises(S3Error) as info:
            features.check_object_write({name: value})
        assert (info.value.status, info.value.code) == expected
    with pytest.raises(S3Error) as info:
        features.check_bucket_create({"x-amz-bucket-object-lock-enabled": "yes"})
    assert (info.value.status, info.value.code) == (400, "InvalidArgument")
    features.check_object_write({"x-amz-tagging": "a=b"})   # tags are tagging.py's
    for storage in features.STORAGE_CLASSES:               # storage_class.py keeps them
        features.check_object_write({"x-amz-storage-class": storage})
    with pytest.raises(S3Error) as info:            # a lock, asked of a plain bucket
        object_lock.check_bucket({"x-amz-object-lock-legal-hold": "ON"}, {})
    assert (info.value.status, info.value.code) == (400, "InvalidRequest")
