"""Conditional deletes: DeleteObject's If-Match, x-amz-if-match-last-modified-time and
x-amz-if-match-size, and DeleteObjects' ETag, LastModifiedTime and Size per object.

They hold against what the delete would remove: the version named, or the current
object -- in a versioned bucket whose current version is a delete marker, that marker
(it "still exists"). Nothing there at all: the delete succeeds and does nothing (no
delete marker either), as every S3 delete of a missing key succeeds. A condition that
fails is 412, and nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from objectstore import errors
from objectstore.proxy.object_info import MANIFEST_ETAG, MANIFEST_SIZE
from objectstore.s3compat import s3errors
from objectstore.timestamps import Timestamp


@dataclass(frozen=True)
class DeleteConditions:
    etags: tuple[str, ...] = ()       # If-Match: "*" or ETags (unquoted)
    mtime: int | None = None          # whole seconds since the epoch
    size: int | None = None

    def __bool__(self) -> bool:
        return bool(self.etags) or self.mtime is not None or self.size is not None

    def check(self, found: Mapping[str, str] | None) -> None:
        """PreconditionFailed unless the conditions hold for `found` (the headers of
        what would be removed; None: nothing is)."""
        if found is None or not self:
            return
        etag = found.get(MANIFEST_ETAG) or found.get("etag", "")
        if self.etags and "*" not in self.etags and etag not in self.etags:
            raise errors.PreconditionFailed("If-Match")
        if self.mtime is not None:
            seconds = int(Timestamp.parse(found.get("x-timestamp", "0")).seconds)
            if seconds != self.mtime:
                raise errors.PreconditionFailed("x-amz-if-match-last-modified-time")
        if self.size is not None:
            size = found.get(MANIFEST_SIZE) or found.get("content-length", "0")
            if int(size) != self.size:
                raise errors.PreconditionFailed("x-amz-if-match-size")


def from_headers(headers: Mapping[str, str]) -> DeleteConditions:
    """DeleteObject's conditions."""
    etags = tuple(t.strip().strip('"') for t in headers.get("if-match", "").split(",")
                  if t.strip())
    mtime = headers.get("x-amz-if-match-last-modified-time")
    size = headers.get("x-amz-if-match-size")
    return DeleteConditions(etags, None if mtime is None else _http_date(mtime),
                            None if size is None else _size(size))


def from_entry(etag: str | None, mtime: str | None, size: str | None) -> DeleteConditions:
    """One DeleteObjects entry's conditions (its ETag, LastModifiedTime, Size)."""
    return DeleteConditions(() if not etag else (etag.strip().strip('"'),),
                            None if mtime is None else _iso_date(mtime),
                            None if size is None else _size(size))


def _http_date(text: str) -> int:
    try:
        return int(parsedate_to_datetime(text).timestamp())
    except (TypeError, ValueError):
        raise s3errors.InvalidArgument("Invalid x-amz-if-match-last-modified-time") from None


def _iso_date(text: str) -> int:
    """A LastModifiedTime as SDKs write it: an HTTP date (botocore) or ISO 8601."""
    try:
        return int(parsedate_to_datetime(text).timestamp())
    except (TypeError, ValueError):
        pass
    try:
        return int(datetime.fromisoformat(text.strip().replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise s3errors.MalformedXML("LastModifiedTime is not a date") from None


def _size(text: str) -> int:
    if not text.strip().isdigit():
        raise s3errors.InvalidArgument("Invalid size condition")
    return int(text)
