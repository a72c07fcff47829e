"""Request headers that ask for what the store does not do yet: each is refused with a
clear error instead of a 2xx that quietly drops it (DESIGN: never a silent no-op).

Every header AWS documents for CreateBucket, PutObject, CopyObject,
CreateMultipartUpload, UploadPart(Copy) and CompleteMultipartUpload is either honoured
elsewhere (content headers, metadata, conditions, checksums of the algorithms we
compute, copy source and its conditions, the metadata directive, the private ACL) or
refused here; tests/unit/s3compat/test_features.py walks botocore's model of those
operations to keep it so. Accepted because they hold as they are: x-amz-request-payer
(nothing is charged), x-amz-mfa (no bucket has MFA delete), and the expected bucket
owners, which are checked. Tags (x-amz-tagging, x-amz-tagging-directive) are
tagging.py's; x-amz-object-lock-* and x-amz-bypass-governance-retention object_lock.py's.
"""

from __future__ import annotations

from collections.abc import Mapping

from objectstore import checksums
from objectstore.proxy.containers import LEGACY_VERSIONS
from objectstore.s3compat import s3errors

STORAGE_CLASSES = frozenset({
    "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
    "GLACIER", "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE",
    "FSX_OPENZFS", "FSX_ONTAP"})
# headers asking for a feature to be built by a later issue
NOT_BUILT = {
    "x-amz-website-redirect-location": "website redirects",
    "x-amz-write-offset-bytes": "appending to an object",
    "x-amz-object-annotation-directive": "object annotations",
    "x-amz-mp-object-size": "x-amz-mp-object-size",
    "x-amz-bucket-namespace": "bucket namespaces",
}
# x-amz-checksum-* that are not a checksum value
CHECKSUM_NAMES = frozenset({"x-amz-checksum-algorithm", "x-amz-checksum-type",
                            "x-amz-checksum-mode"})


def check_owner(headers: Mapping[str, str], owner: str) -> None:
    """x-amz-expected-bucket-owner (and the copy source's): a bucket a request reaches
    is always its requester's own, so any other expected owner is AccessDenied."""
    for name in ("x-amz-expected-bucket-owner", "x-amz-source-expected-bucket-owner"):
        if name in headers and headers[name] != owner:
            raise s3errors.AccessDenied()


def check_object_write(headers: Mapping[str, str]) -> None:
    """PutObject, CopyObject, CreateMultipartUpload, UploadPart(Copy), Complete."""
    names = {k.lower(): v for k, v in headers.items()}
    for name, what in NOT_BUILT.items():
        if names.get(name, "").strip():
            raise s3errors.not_implemented(what)
    storage = names.get("x-amz-storage-class", "STANDARD").strip()
    if storage not in STORAGE_CLASSES:      # (a known one is storage_class.py's)
        raise s3errors.InvalidStorageClass()
    if names.get("x-amz-tagging-directive", "COPY").upper() not in ("COPY", "REPLACE"):
        raise s3errors.InvalidArgument("Unknown tagging directive.")
    for name in names:
        if name.startswith("x-amz-checksum-") and name not in CHECKSUM_NAMES \
                and name[len("x-amz-checksum-"):] not in checksums.ALGORITHMS:
            raise s3errors.not_implemented(f"the {name} checksum")
    for name in ("x-amz-sdk-checksum-algorithm", "x-amz-checksum-algorithm"):
        algorithm = names.get(name, "").strip().lower()
        if algorithm and algorithm not in checksums.ALGORITHMS:
            raise s3errors.not_implemented(f"the {algorithm} checksum algorithm")


def check_bucket_create(headers: Mapping[str, str]) -> None:
    """CreateBucket's own headers (the ACL and ownership ones are acl.py's)."""
    names = {k.lower(): v.strip() for k, v in headers.items()}
    lock = names.get("x-amz-bucket-object-lock-enabled", "false").lower()
    if lock not in ("true", "false"):
        raise s3errors.InvalidArgument("x-amz-bucket-object-lock-enabled must be "
                                       "true or false")
    if names.get("x-amz-bucket-namespace"):
        raise s3errors.not_implemented("bucket namespaces")


def check_unversioned(container_sysmeta: Mapping[str, str]) -> None:
    """A bucket whose container keeps Swift's legacy versions (X-Versions-Location or
    X-History-Location) takes no S3 write or delete: S3 would replace or delete without
    keeping the version the Swift setting promises (501, until S3 versioning exists)."""
    if container_sysmeta.get(LEGACY_VERSIONS):
        raise s3errors.not_implemented(
            "Writing to a bucket with Swift's X-Versions-Location or X-History-Location "
            "through S3")
