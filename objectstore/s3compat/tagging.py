"""S3 tag sets: read from a Tagging document or an `x-amz-tagging` header, checked
against S3's limits, stored as one URL-query encoded value (sorted by key, each key
and value percent-encoded, so `&` counts the tags) and written back as XML.

An object's set is its system metadata `S3_TAGGING` (changed by a POST, never by a
rewrite: proxy/posted_metadata.py), a bucket's its container's `BUCKET_TAGGING`.
The limits, as S3 has them: 10 tags an object, 50 a bucket, a key of 1 to 128 and a
value of at most 256 Unicode characters, no key twice, none beginning `aws:`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote, unquote

from objectstore.proxy.object_info import S3_TAGGING
from objectstore.proxy.put_options import PutOptions
from objectstore.s3compat import s3errors
from objectstore.s3compat.responses import el, xml_doc
from objectstore.s3compat.xmlbody import parse

BUCKET_TAGGING = "x-container-sysmeta-s3-tagging"
OBJECT_TAGS, BUCKET_TAGS = 10, 50
MAX_KEY, MAX_VALUE = 128, 256
HEADER = "x-amz-tagging"
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

Tags = list[tuple[str, str]]


def check(tags: Tags, limit: int) -> Tags:
    """`tags` if S3 would take them (InvalidTag if not), sorted by key."""
    if len(tags) > limit:
        what = "Object" if limit == OBJECT_TAGS else "Bucket"
        raise s3errors.InvalidTag(f"{what} tags cannot be greater than {limit}")
    keys = [k for k, _ in tags]
    if len(set(keys)) != len(keys):
        raise s3errors.InvalidTag("Cannot provide multiple Tags with the same key")
    for key, value in tags:
        if not 1 <= len(key) <= MAX_KEY:
            raise s3errors.InvalidTag("The TagKey you have provided is too long, max "
                                      f"{MAX_KEY}" if key else "The TagKey is empty")
        if len(value) > MAX_VALUE:
            raise s3errors.InvalidTag("The TagValue you have provided is too long, max "
                                      f"{MAX_VALUE}")
        if key.lower().startswith("aws:"):
            raise s3errors.InvalidTag("Your TagKey cannot be prefixed with aws:")
    return sorted(tags)


def from_header(value: str) -> Tags:
    """`x-amz-tagging`: URL query parameters (`a=1&b`: b's value is empty)."""
    if _BAD_ESCAPE.search(value):
        raise _header_error()
    tags = []
    for pair in value.split("&"):
        if not pair:
            continue
        key, _, val = pair.partition("=")
        try:
            tags.append((unquote(key.replace("+", " "), errors="strict"),
                         unquote(val.replace("+", " "), errors="strict")))
        except UnicodeDecodeError:
            raise _header_error() from None
    if len({k for k, _ in tags}) != len(tags):
        raise _header_error()
    return check(tags, OBJECT_TAGS)


def _header_error() -> s3errors.InvalidArgument:
    return s3errors.InvalidArgument(
        "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query "
        "parameters without tag name duplicates.")


def from_xml(body: bytes, limit: int) -> Tags:
    """A PutObjectTagging / PutBucketTagging document."""
    root = parse(body)
    tag_set = root.find("TagSet")
    if root.tag != "Tagging" or tag_set is None:
        raise s3errors.MalformedXML("expected Tagging with a TagSet")
    tags = []
    for tag in tag_set:
        key, value = tag.find("Key"), tag.find("Value")
        if tag.tag != "Tag" or key is None or value is None:
            raise s3errors.MalformedXML("each Tag needs a Key and a Value")
        tags.append((key.text or "", value.text or ""))
    return check(tags, limit)


def encode(tags: Tags) -> str:
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in tags)


def decode(stored: str) -> Tags:
    if not stored:
        return []
    pairs = (p.partition("=") for p in stored.split("&"))
    return [(unquote(k), unquote(v)) for k, _, v in pairs]


def to_xml(tags: Tags) -> bytes:
    body = "".join(f"<Tag>{el('Key', k)}{el('Value', v)}</Tag>" for k, v in tags)
    return xml_doc("Tagging", f"<TagSet>{body}</TagSet>")


def add_count(node_headers: Mapping[str, str], out: dict[str, str]) -> None:
    """x-amz-tagging-count on a GET or HEAD of an object that has tags."""
    stored = node_headers.get(S3_TAGGING)
    if stored:
        out["x-amz-tagging-count"] = str(stored.count("&") + 1)


def on_write(headers: Mapping[str, str], options: PutOptions) -> None:
    """PutObject, CreateMultipartUpload (kept with the upload) and a copy's REPLACE:
    the tags of `x-amz-tagging` go with the object."""
    value = headers.get(HEADER)
    if value:
        options.system_metadata[S3_TAGGING] = encode(from_header(value))


def on_copy(headers: Mapping[str, str], source: Mapping[str, str],
            options: PutOptions) -> None:
    """CopyObject: `x-amz-tagging-directive` COPY (the default) keeps the source's
    tags (`source`: its system metadata), REPLACE takes the request's."""
    options.system_metadata.pop(S3_TAGGING, None)
    if headers.get("x-amz-tagging-directive", "COPY").upper() == "REPLACE":
        on_write(headers, options)
    elif source.get(S3_TAGGING):
        options.system_metadata[S3_TAGGING] = source[S3_TAGGING]


def kept(system: Mapping[str, str]) -> dict[str, str]:
    """An upload's tags (its marker's system metadata), for the object Complete makes."""
    return {S3_TAGGING: system[S3_TAGGING]} if system.get(S3_TAGGING) else {}
