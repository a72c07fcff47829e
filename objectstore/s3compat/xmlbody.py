"""Small XML request bodies (DeleteObjects, ACLs): read with a size limit, parsed
without namespaces getting in the way; anything malformed is MalformedXML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator

from objectstore.s3compat import s3errors

MAX_BODY = 2 * 1024 * 1024


async def read_limited(stream: AsyncIterator[bytes], limit: int = MAX_BODY) -> bytes:
    out = bytearray()
    async for chunk in stream:
        out += chunk
        if len(out) > limit:
            raise s3errors.MalformedXML("The XML you provided was too large")
    return bytes(out)


def parse(body: bytes) -> ET.Element:
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise s3errors.MalformedXML("DTDs and entities are not accepted")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise s3errors.MalformedXML() from None
    for element in root.iter():           # drop namespaces: {ns}Key -> Key
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
    return root


def delete_keys(body: bytes) -> tuple[list[ET.Element], bool]:
    """The <Object> entries of a DeleteObjects request (at most 1,000), each with a
    Key, and whether it is Quiet."""
    root = parse(body)
    if root.tag != "Delete":
        raise s3errors.MalformedXML("expected a Delete document")
    keys = []
    for obj in root.findall("Object"):
        key = obj.findtext("Key")
        if key is None or key == "":
            raise s3errors.MalformedXML("an Object without a Key")
        keys.append(obj)
    if not keys or len(keys) > 1000:
        raise s3errors.MalformedXML("between 1 and 1,000 objects per request")
    quiet = (root.findtext("Quiet") or "").strip().lower() == "true"
    return keys, quiet
