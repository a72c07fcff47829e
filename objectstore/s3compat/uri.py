"""Percent-decoding of what names things in an S3 request (the path, the query, the
copy source), strictly: the decoded bytes must be UTF-8. A lenient decoder turns every
invalid byte into U+FFFD, so `%ff` and `%fe` would name the same key."""

from __future__ import annotations

from urllib.parse import unquote_to_bytes

from objectstore.errors import ObjectStoreError


class InvalidURI(ObjectStoreError):
    """A percent-encoded name or value that is not UTF-8 (S3's InvalidURI)."""


def decode(text: str) -> str:
    """`text` holds the client's bytes as latin-1 (how servers hand over a raw path or
    header); percent-decode them and read the result as UTF-8."""
    try:
        return unquote_to_bytes(text.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise InvalidURI("Couldn't parse the specified URI.") from None
