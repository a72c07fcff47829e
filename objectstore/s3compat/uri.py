"""Percent-decoding of what names things in an S3 request (the path, the query, the
copy source), strictly: the decoded bytes must be UTF-8. A lenient decoder turns every
invalid byte into U+FFFD, so `%ff` and `%fe` would name the same key.

The query is decoded in two steps: losslessly first (`lossless`: an invalid byte
becomes a lone surrogate, so SigV4 signs exactly the client's bytes), then, once the
signature is checked, strictly (`strict_pairs`): a signed `?marker=%FF` is InvalidURI,
never SignatureDoesNotMatch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote_to_bytes

from objectstore.s3compat import s3errors


def decode(text: str) -> str:
    """`text` holds the client's bytes as latin-1 (how servers hand over a raw path or
    header); percent-decode them and read the result as UTF-8."""
    try:
        return unquote_to_bytes(text.encode("latin-1")).decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        raise s3errors.InvalidURI() from None


def decode_name(text: str) -> str:
    """A path or copy source, decoded strictly; NUL refused (InvalidArgument): S3 allows
    it in a key, our nodes and file systems cannot, and would refuse it only after the
    request had reached them."""
    name = decode(text)
    if "\0" in name:
        raise s3errors.InvalidArgument(
            "Bucket names and object keys must not contain a NUL character")
    return name


def lossless(text: str) -> str:
    """Percent-decode `text` (the client's bytes as latin-1) keeping every byte: what is
    not UTF-8 stays as surrogateescape, to be signed as sent and refused afterwards."""
    if "%" not in text and text.isascii():
        return text         # nothing to decode (most names and values: cheap, and common)
    return unquote_to_bytes(text.encode("latin-1", "replace")).decode(
        "utf-8", "surrogateescape")


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def is_utf8(text: str) -> bool:
    """Whether a `lossless` string came from valid UTF-8 (it holds no escaped byte).
    (At C speed: a presigned URL's query is a few hundred characters, on every GET.)"""
    return text.isascii() or _ESCAPED_BYTE.search(text) is None


def strict_pairs(pairs: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The `lossless` query pairs, if each is UTF-8; else InvalidURI."""
    if all(is_utf8(k) and is_utf8(v) for k, v in pairs):
        return list(pairs)
    raise s3errors.InvalidURI()
