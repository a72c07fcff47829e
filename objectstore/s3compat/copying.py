"""The source of a copy (CopyObject, UploadPartCopy): `x-amz-copy-source`."""

from __future__ import annotations

from objectstore.s3compat import s3errors, uri


def copy_source(header: str) -> tuple[str, str]:
    """`x-amz-copy-source`: URL-encoded `[/]bucket/key[?versionId=...]`; only the null
    version exists so far."""
    source, _, query = header.partition("?")
    if query and query not in ("versionId=null",):
        raise s3errors.not_implemented("copying a version")
    try:
        name = uri.decode_name(source)
    except s3errors.InvalidURI:
        raise s3errors.InvalidArgument("Invalid copy source encoding") from None
    bucket, _, key = name.lstrip("/").partition("/")
    if not bucket or not key:
        raise s3errors.InvalidArgument("Copy Source must mention the source bucket "
                                       "and key: sourcebucket/sourcekey")
    return bucket, key
