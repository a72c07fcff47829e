"""What the proxy knows of one object, as named fields rather than a header dict.

The nodes answer with headers; this reads them once into an `ObjectInfo` (its system
metadata into `SystemMetadata`), so the APIs ask for `info.size` or
`info.system.manifest_etag` instead of knowing which header carries what. Headers it
does not name stay in `other` (system metadata) or the handle's headers dict (which a
GET translates into the API's own headers). It is built only when asked (`handle.info`,
`Proxy.head_object_info`): a plain GET needs only the handle's size, ETag and timestamp.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from objectstore.node import wire
from objectstore.proxy import retention
from objectstore.timestamps import Timestamp

USER_META = wire.OBJECT_USER_META
SYSMETA = wire.OBJECT_SYSMETA
CONTENT_HEADERS = wire.CONTENT_HEADERS      # content-encoding, ..., expires
CHECKSUM = SYSMETA + "checksum-"            # checksum-<algorithm>: the stored value
MANIFEST = SYSMETA + "manifest"
MANIFEST_SIZE = SYSMETA + "manifest-size"
MANIFEST_ETAG = SYSMETA + "manifest-etag"     # the whole object's ETag as S3 shows it
SLO_ETAG = SYSMETA + "slo-etag"     # ... as Swift shows it (MD5 of the segments' ETags)
DLO_MANIFEST = SYSMETA + "dlo-manifest"     # a Swift DLO's X-Object-Manifest
CHECKSUM_TYPE = SYSMETA + "checksum-type"
S3_CHECKSUM_ALGORITHM = SYSMETA + "s3-checksum-algorithm"
S3_CHECKSUM_TYPE = SYSMETA + "s3-checksum-type"
S3_UPLOAD_ID = SYSMETA + "s3-upload-id"
S3_OWNER = SYSMETA + "s3-owner"
LISTING_ETAG = wire.LISTING_ETAG        # what a container row shows instead of the ETag
LISTING_PARAMS = wire.LISTING_PARAMS    # what it shows after its ETag (key=value; ...)
S3_TAGGING = SYSMETA + "s3-tagging"     # an object's S3 tags, URL-query encoded
# System metadata a POST changes without rewriting the object (a .meta stands over the
# .data under these names): every POST of the object carries their current values
# forward (`posted_system`), or they would fall back to the .data's.
S3_ACL = SYSMETA + "s3-acl"             # an object's S3 ACL (proxy/s3_acl_store.py)
POSTED = (S3_TAGGING, S3_ACL, *retention.NAMES)

_NAMED = {MANIFEST, MANIFEST_SIZE, MANIFEST_ETAG, CHECKSUM_TYPE, S3_CHECKSUM_ALGORITHM,
          S3_CHECKSUM_TYPE, S3_UPLOAD_ID, S3_OWNER}


def posted_system(headers: Mapping[str, str]) -> dict[str, str]:
    """The POSTED system metadata among an object's headers, for the next POST to keep."""
    return {k: headers[k] for k in POSTED if k in headers}


@dataclass(slots=True)
class SystemMetadata:
    """The x-object-sysmeta-* an object was stored with, each under its own name.
    (Slotted, not frozen: built on every read that asks for it, and a frozen
    dataclass costs a few microseconds more to build.)"""

    manifest: bool = False              # its body lists segments (a multipart object)
    manifest_size: int | None = None    # the whole object's size, for a manifest
    manifest_etag: str = ""             # the whole object's ETag, for a manifest
    checksums: dict[str, str] = field(default_factory=dict)    # algorithm -> value
    checksum_type: str = ""             # FULL_OBJECT / COMPOSITE
    s3_checksum_algorithm: str = ""
    s3_checksum_type: str = ""
    s3_upload_id: str = ""
    s3_owner: str = ""
    other: dict[str, str] = field(default_factory=dict)        # any not named above

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> SystemMetadata:
        checksums = {k[len(CHECKSUM):]: v for k, v in headers.items()
                     if k.startswith(CHECKSUM) and k not in _NAMED}
        other = {k: v for k, v in headers.items() if k.startswith(SYSMETA)
                 and k not in _NAMED and not k.startswith(CHECKSUM)}
        size = headers.get(MANIFEST_SIZE, "")
        return cls(manifest=headers.get(MANIFEST) == "1",
                   manifest_size=int(size) if size.isdigit() else None,
                   manifest_etag=headers.get(MANIFEST_ETAG, ""),
                   checksums=checksums,
                   checksum_type=headers.get(CHECKSUM_TYPE, ""),
                   s3_checksum_algorithm=headers.get(S3_CHECKSUM_ALGORITHM, ""),
                   s3_checksum_type=headers.get(S3_CHECKSUM_TYPE, ""),
                   s3_upload_id=headers.get(S3_UPLOAD_ID, ""),
                   s3_owner=headers.get(S3_OWNER, ""),
                   other=other)

    def headers(self) -> dict[str, str]:
        """Back to x-object-sysmeta-* names (what `from_headers` reads): to store the
        same system metadata again, as a rewrite of an object onto itself does."""
        out = {CHECKSUM + k: v for k, v in self.checksums.items()}
        named = ((MANIFEST, "1" if self.manifest else ""),
                 (MANIFEST_SIZE, "" if self.manifest_size is None else str(self.manifest_size)),
                 (MANIFEST_ETAG, self.manifest_etag), (CHECKSUM_TYPE, self.checksum_type),
                 (S3_CHECKSUM_ALGORITHM, self.s3_checksum_algorithm),
                 (S3_CHECKSUM_TYPE, self.s3_checksum_type), (S3_UPLOAD_ID, self.s3_upload_id),
                 (S3_OWNER, self.s3_owner))
        out.update((k, v) for k, v in named if v)
        out.update(self.other)
        return out


@dataclass(slots=True)
class ObjectInfo:
    """One version of an object: as stored, or (for a manifest) as the whole object
    its segments make -- size and ETag are then the whole object's."""

    name: str
    size: int
    etag: str
    content_type: str
    timestamp: Timestamp
    user_metadata: dict[str, str]       # x-object-meta-<name> -> value, by <name>
    system: SystemMetadata
    content_headers: dict[str, str] = field(default_factory=dict)   # CONTENT_HEADERS kept

    @classmethod
    def from_headers(cls, name: str, headers: Mapping[str, str]) -> ObjectInfo:
        """Read a node's (or a manifest handle's) answer; headers are lower-case."""
        length = headers.get("content-length", "0")
        return cls(name=name,
                   size=int(length) if length.isdigit() else 0,
                   etag=headers.get("etag", ""),
                   content_type=headers.get("content-type", "application/octet-stream"),
                   timestamp=Timestamp.parse(headers["x-timestamp"]),
                   user_metadata={k[len(USER_META):]: v for k, v in headers.items()
                                  if k.startswith(USER_META)},
                   system=SystemMetadata.from_headers(headers),
                   content_headers={k: headers[k] for k in CONTENT_HEADERS if k in headers})
