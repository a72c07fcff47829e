"""User metadata of Swift requests: collected once, within Swift's limits.

Swift's defaults (constraints.py): at most 90 metadata items per request, names up to
128 bytes and values up to 256 bytes (without the `X-<Kind>-Meta-` prefix), and 4096
bytes of names and values together. A request beyond them is 400 with the limit named,
before anything is stored; what we advertise in /info is these numbers.
`X-Remove-<Kind>-Meta-<name>` is Swift's way to delete an item: it becomes an empty value,
which deletes.
"""

from __future__ import annotations

from collections.abc import Mapping

from objectstore.errors import BadRequest

MAX_META_COUNT = 90
MAX_META_NAME_LENGTH = 128
MAX_META_VALUE_LENGTH = 256
MAX_META_OVERALL_SIZE = 4096
MAX_HEADER_SIZE = 8192      # one header line, as Swift's max_header_size


def user_metadata(headers: Mapping[str, str], kind: str) -> dict[str, str]:
    """The request's `x-<kind>-meta-*` headers (removals as empty values), checked
    against the limits. Header names and values are latin-1 text: len() is bytes."""
    prefix, remove = f"x-{kind}-meta-", f"x-remove-{kind}-meta-"
    meta: dict[str, str] = {}
    for key, value in headers.items():
        if key.startswith(remove):
            meta.setdefault(prefix + key[len(remove):], "")
        elif key.startswith(prefix):
            meta[key] = value
    check_limits(meta, prefix)
    return meta


def check_limits(meta: Mapping[str, str], prefix: str) -> None:
    """400 unless `meta` (names with `prefix`) is within Swift's limits."""
    size = 0
    for key, value in meta.items():
        name = key[len(prefix):]
        if not name:
            raise BadRequest("Metadata name cannot be empty")
        if len(name) > MAX_META_NAME_LENGTH:
            raise BadRequest(f"Metadata name too long: {key}; max {MAX_META_NAME_LENGTH}")
        if len(value) > MAX_META_VALUE_LENGTH:
            raise BadRequest(f"Metadata value longer than {MAX_META_VALUE_LENGTH}: {key}")
        size += len(name) + len(value)
    if len(meta) > MAX_META_COUNT:
        raise BadRequest(f"Too many metadata items; max {MAX_META_COUNT}")
    if size > MAX_META_OVERALL_SIZE:
        raise BadRequest(f"Total metadata too large; max {MAX_META_OVERALL_SIZE}")


def check_header_sizes(raw_headers: list[tuple[bytes, bytes]]) -> None:
    """400 for a header line longer than Swift's max_header_size (the HTTP layer takes
    lines up to 16 KiB for S3's sake; a Swift client is held to Swift's limit)."""
    for name, value in raw_headers:
        if len(name) + len(value) + 2 > MAX_HEADER_SIZE:
            raise BadRequest(f"Header line too long: {name.decode('latin-1')[:64]}; "
                             f"max {MAX_HEADER_SIZE}")
