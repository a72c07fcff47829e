"""What a write asks of the proxy (`PutOptions`), and what it stored (`Stored`).

The APIs fill a `PutOptions` with named fields and hand it to `Proxy.put_object`; the
proxy alone turns it into the node's wire headers (`node_headers`, the one place they
are built) and checks the write's conditions itself (`check_write`, after a HEAD). No
API sets a node header.

Names: `user_metadata` is keyed by the bare name, without any prefix (the S3 edge strips
`x-amz-meta-`, the Swift edge `x-object-meta-`), as `ObjectInfo.user_metadata` gives it
back, so a copy hands one to the other as it is. `system_metadata` is keyed by the full
`x-object-sysmeta-*` name (the constants of objectstore.proxy.object_info): it has one
internal spelling, and `SystemMetadata.headers()` gives a stored object's back in it.

Both are plain slotted dataclasses, built on every PUT: a frozen one costs a few
microseconds more to build on the 4 KiB path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from objectstore import errors
from objectstore.crypto.protection import Encryption as Encryption
from objectstore.crypto.protection import Protection
from objectstore.node import wire
from objectstore.node.wire import CONTENT_HEADERS as CONTENT_HEADERS
from objectstore.timestamps import Timestamp

DEFAULT_CONTENT_TYPE = "application/octet-stream"
_CONTENT = {name.encode(): name for name in CONTENT_HEADERS}


@dataclass(slots=True)
class PutOptions:
    """One object write, as the APIs describe it."""

    content_type: str = DEFAULT_CONTENT_TYPE
    # the stored content headers, by lower-case name: any of CONTENT_HEADERS
    # (content-encoding, content-disposition, content-language, cache-control, expires)
    content_headers: dict[str, str] = field(default_factory=dict)
    user_metadata: dict[str, str] = field(default_factory=dict)     # bare names
    system_metadata: dict[str, str] = field(default_factory=dict)   # x-object-sysmeta-*
    length: int | None = None           # the body's declared length; None: chunked
    etag: str | None = None             # the MD5 the body must have (Swift's ETag)
    checksum_algorithm: str = ""        # S3: the nodes compute and keep this checksum
    delete_at: int | None = None        # expires then (Unix seconds; Swift X-Delete-At)
    # Conditions on the version the write replaces (see check_write):
    if_none_match_any: bool = False     # create only (If-None-Match: *)
    if_none_match: tuple[str, ...] = ()     # S3: nor may it have one of these ETags
    if_match: tuple[str, ...] | None = None  # S3: it must exist with one of these ("*": any)
    encryption: Encryption | None = None     # store the body encrypted (crypto/)

    @property
    def conditional(self) -> bool:
        return self.if_none_match_any or bool(self.if_none_match) or self.if_match is not None


@dataclass(slots=True)
class Stored:
    """What `Proxy.put_object` stored: the object's ETag (the MD5 of the body), the
    write's timestamp, and the checksums the nodes computed (algorithm -> value; only
    with `PutOptions.checksum_algorithm`), and the version it is when versioned."""

    etag: str
    timestamp: Timestamp
    checksums: dict[str, str] = field(default_factory=dict)
    version_id: str | None = None        # set by versioned writes (S3's, Swift's)
    protection: Protection | None = None     # how it was encrypted, if it was


def content_headers_of(raw: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """The content headers among a request's (its raw ASGI header pairs, names in lower
    case), for `PutOptions.content_headers`; of one sent twice, the first, as
    Starlette's `headers[name]` gives it. (One pass over the pairs: asking a Headers
    object for each name scans them all five times.)"""
    found: dict[str, str] = {}
    for key, value in raw:
        name = _CONTENT.get(key)
        if name is not None and name not in found:
            found[name] = value.decode("latin-1")
    return found


def node_headers(options: PutOptions) -> dict[str, str]:
    """The node's PUT headers for `options` (without the length, timestamp and the
    placement headers, which the proxy adds per write)."""
    headers = {"content-type": options.content_type}
    content = options.content_headers
    if content:
        headers.update((k, content[k]) for k in CONTENT_HEADERS if k in content)
    for name, value in options.user_metadata.items():
        headers[wire.OBJECT_USER_META + name] = value
    if options.system_metadata:
        headers.update(options.system_metadata)
    if options.encryption is None:   # (encrypted: the proxy checks both on the plaintext)
        if options.etag:
            headers["etag"] = options.etag
        if options.checksum_algorithm:
            headers[wire.CHECKSUM_ALGORITHM] = options.checksum_algorithm
    if options.delete_at is not None:
        headers[wire.DELETE_AT] = str(options.delete_at)
    return headers


def check_write(options: PutOptions, name: str, current_etag: str | None) -> None:
    """Whether the write may replace the current version (its ETag as the APIs show it,
    a manifest's the whole object's; None: there is none). PreconditionFailed when a
    condition fails; ObjectNotFound for If-Match on a missing object (S3 answers that
    NoSuchKey, not 412)."""
    if current_etag is None:
        if options.if_match is not None:
            raise errors.ObjectNotFound(name)
        return
    if options.if_match is not None and "*" not in options.if_match \
            and current_etag not in options.if_match:
        raise errors.PreconditionFailed("If-Match")
    if options.if_none_match_any or current_etag in options.if_none_match:
        raise errors.PreconditionFailed("If-None-Match")
