"""What the S3 ACL model refuses, as internal errors (the proxy cannot name S3 codes):
`s3compat/errormap.py` maps each class onto the S3 code S3 answers, and carries
`details` (ArgumentName, ArgumentValue, ...) into the <Error> document."""

from __future__ import annotations

from objectstore import errors


class AclError(errors.BadRequest):
    """A request's ACL S3 would refuse; `details` are extra <Error> elements."""

    def __init__(self, message: str, **details: str) -> None:
        super().__init__(message)
        self.details = details


class InvalidAclArgument(AclError):
    """An unknown canned ACL, grantee id, group URI or grant header (InvalidArgument)."""


class ConflictingAclHeaders(AclError):
    """A canned ACL together with x-amz-grant-* headers (InvalidRequest)."""


class MalformedAcl(AclError):
    """An AccessControlPolicy that does not parse or validate (MalformedACLError)."""


class UnresolvableEmail(AclError):
    """A grantee email no configured user has (UnresolvableGrantByEmailAddress)."""


class AclNotSupported(AclError):
    """An ACL on a bucket whose ObjectOwnership is BucketOwnerEnforced
    (AccessControlListNotSupported)."""


class AclWithEnforcedOwnership(AclError):
    """A bucket made or switched to BucketOwnerEnforced while it has (or is given) an
    ACL other than its owner's FULL_CONTROL (InvalidBucketAclWithObjectOwnership)."""


class CannedAclNotBuilt(AclError):
    """A canned ACL S3 has and this store cannot honour (NotImplemented)."""


class AclOwnerMismatch(errors.Forbidden):
    """An AccessControlPolicy whose Owner is not the resource's owner: an ACL never
    changes who owns a bucket or object (AccessDenied)."""


class PublicAclBlocked(errors.Forbidden):
    """A public ACL on a bucket whose PublicAccessBlock has BlockPublicAcls
    (AccessDenied)."""


class CorruptStoredAcl(errors.ObjectStoreError):
    """An ACL kept in system metadata that does not decode: ours to fix (500)."""
