"""The source of a copy (CopyObject, UploadPartCopy): `x-amz-copy-source`."""

from __future__ import annotations

from objectstore.s3compat import uri
from objectstore.s3compat.responses import S3Error


def copy_source(header: str) -> tuple[str, str]:
    """`x-amz-copy-source`: URL-encoded `[/]bucket/key[?versionId=...]`; only the null
    version exists so far."""
    source, _, query = header.partition("?")
    if query and query not in ("versionId=null",):
        raise S3Error(501, "NotImplemented", "copying a version is not implemented yet")
    try:
        name = uri.decode_name(source)
    except uri.InvalidURI:
        raise S3Error(400, "InvalidArgument", "Invalid copy source encoding") from None
    bucket, _, key = name.lstrip("/").partition("/")
    if not bucket or not key:
        raise S3Error(400, "InvalidArgument", "Copy Source must mention the source bucket "
                      "and key: sourcebucket/sourcekey")
    return bucket, key
