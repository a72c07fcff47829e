"""The source of a copy (CopyObject, UploadPartCopy): `x-amz-copy-source`."""

from __future__ import annotations

from objectstore.s3compat import s3errors, uri
from objectstore.s3compat.versioning import requested


def copy_source(header: str) -> tuple[str, str, str | None]:
    """`x-amz-copy-source`: URL-encoded `[/]bucket/key[?versionId=...]`: the bucket,
    the key and the version (None: the current one)."""
    source, _, query = header.partition("?")
    vid = None
    if query:
        name, _, value = query.partition("=")
        if name != "versionId" or not value:
            raise s3errors.InvalidArgument("Invalid copy source: only versionId may follow "
                                           "the key")
        vid = requested({"versionId": value})
    try:
        name = uri.decode_name(source)
    except s3errors.InvalidURI:
        raise s3errors.InvalidArgument("Invalid copy source encoding") from None
    bucket, _, key = name.lstrip("/").partition("/")
    if not bucket or not key:
        raise s3errors.InvalidArgument("Copy Source must mention the source bucket "
                                       "and key: sourcebucket/sourcekey")
    return bucket, key, vid
