"""S3 Object Ownership (a bucket's OwnershipControls): who owns the objects written to
a bucket, and whether ACLs still count there.

- ObjectWriter: the writer owns what it writes (and a bucket without OwnershipControls
  behaves so); ACLs apply.
- BucketOwnerPreferred: the bucket owner owns an object written with the
  bucket-owner-full-control canned ACL, the writer any other; ACLs apply.
- BucketOwnerEnforced: ACLs are disabled. The bucket owner owns every object, an
  ACL grants nothing beyond the owner's FULL_CONTROL, writes may carry no ACL or
  bucket-owner-full-control (or the same in grant headers), and setting an ACL
  (PutBucketAcl, PutObjectAcl) is refused: AccessControlListNotSupported. Reading
  ACLs still works (it shows the owner's FULL_CONTROL).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from objectstore.proxy.s3_acl import (
    ACL,
    CanonicalUser,
    Directory,
    Grant,
    Owner,
    Permission,
    grants_only_to,
    private,
)
from objectstore.proxy.s3_acl_errors import AclNotSupported, AclWithEnforcedOwnership
from objectstore.proxy.s3_acl_headers import requested_acl

SYSMETA = "x-container-sysmeta-s3-ownership"       # a bucket's OwnershipControls


class ObjectOwnership(enum.Enum):
    BUCKET_OWNER_ENFORCED = "BucketOwnerEnforced"
    BUCKET_OWNER_PREFERRED = "BucketOwnerPreferred"
    OBJECT_WRITER = "ObjectWriter"


ENFORCED = ObjectOwnership.BUCKET_OWNER_ENFORCED


def object_owner(ownership: ObjectOwnership | None, writer: Owner, bucket_owner: Owner,
                 canned_acl: str | None) -> Owner:
    """The owner of an object `writer` writes (PutObject, CopyObject, a completed
    multipart upload) with canned ACL `canned_acl` (None: none named)."""
    if ownership is ENFORCED:
        return bucket_owner
    if ownership is ObjectOwnership.BUCKET_OWNER_PREFERRED \
            and canned_acl == "bucket-owner-full-control":
        return bucket_owner
    return writer


def _bucket_owner_full_control(acl: ACL, writer: Owner, bucket_owner: Owner) -> bool:
    """Whether `acl` is bucket-owner-full-control or says the same in grants: the
    bucket owner has FULL_CONTROL, and nobody but it and the writer has anything."""
    ours = {CanonicalUser(writer.id), CanonicalUser(bucket_owner.id)}
    return Grant(CanonicalUser(bucket_owner.id), Permission.FULL_CONTROL) in acl.grants \
        and all(g.grantee in ours and g.permission is Permission.FULL_CONTROL
                for g in acl.grants)


def check_object_write(ownership: ObjectOwnership | None, acl: ACL | None, writer: Owner,
                       bucket_owner: Owner) -> None:
    """A write's ACL as `writer` asks for it (its headers parsed with the writer as
    owner): under BucketOwnerEnforced none, or the bucket owner's FULL_CONTROL."""
    if ownership is ENFORCED and acl is not None \
            and not _bucket_owner_full_control(acl, writer, bucket_owner):
        raise AclNotSupported("The bucket does not allow ACLs")


def object_write_acl(ownership: ObjectOwnership | None, headers: Mapping[str, str],
                     writer: Owner, bucket_owner: Owner, directory: Directory) -> ACL:
    """The ACL, and so the owner (`.owner`), of an object `writer` writes with these
    headers (PutObject, CopyObject, CreateMultipartUpload) into a bucket with
    `ownership`: refused as S3 refuses it, else what to keep with the object."""
    asked = requested_acl(headers, writer, bucket_owner, directory)
    check_object_write(ownership, asked, writer, bucket_owner)
    canned = headers.get("x-amz-acl")
    owner = object_owner(ownership, writer, bucket_owner, canned.strip() if canned else None)
    if ownership is ENFORCED:
        return private(owner)
    if owner != writer:
        asked = requested_acl(headers, owner, bucket_owner, directory)
    return asked or private(owner)


def check_acl_change(ownership: ObjectOwnership | None) -> None:
    """PutBucketAcl and PutObjectAcl: refused while ACLs are disabled."""
    if ownership is ENFORCED:
        raise AclNotSupported("The bucket does not allow ACLs")


def check_bucket_acl(ownership: ObjectOwnership | None, acl: ACL | None) -> None:
    """CreateBucket with `ownership`, or PutBucketOwnershipControls switching to it on a
    bucket whose ACL is `acl`: BucketOwnerEnforced takes no ACL that grants anyone
    but the bucket's owner anything."""
    if ownership is ENFORCED and acl is not None and not grants_only_to(acl, acl.owner.id):
        raise AclWithEnforcedOwnership("Bucket cannot have ACLs set with "
                                       "ObjectOwnership's BucketOwnerEnforced setting")


def effective_acl(ownership: ObjectOwnership | None, acl: ACL, bucket_owner: Owner) -> ACL:
    """The ACL that counts (for checks and for GetBucketAcl/GetObjectAcl): while ACLs
    are disabled, whatever was stored before, the bucket owner's FULL_CONTROL."""
    if ownership is ENFORCED:
        return private(bucket_owner)
    return acl

