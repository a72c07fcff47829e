"""The one place an error becomes an S3 answer: the internal hierarchy
(`objectstore.errors`) mapped onto the S3 catalogue (`s3errors`), and the <Error>
document built from it.

The table is looked up along the exception's class hierarchy (as Starlette finds its
exception handlers), so a subclass is answered as its nearest mapped ancestor; a unit
test insists every internal class is mapped explicitly all the same, so a new one never
falls through to a 500 unnoticed.
"""

from __future__ import annotations

from urllib.parse import unquote

from starlette.responses import Response

from objectstore import errors
from objectstore.proxy import s3_acl_errors as acl
from objectstore.proxy.policy import MalformedPolicy, PolicyNotSupported
from objectstore.proxy.retention import Locked
from objectstore.proxy.versions import DeleteMarker
from objectstore.s3compat import s3errors
from objectstore.s3compat.responses import error_xml

INTERNAL: dict[type[errors.ObjectStoreError], type[s3errors.S3Error]] = {
    errors.ObjectStoreError: s3errors.InternalError,
    errors.BadRequest: s3errors.InvalidRequest,
    errors.Unauthorized: s3errors.AccessDenied,
    errors.Forbidden: s3errors.AccessDenied,
    errors.NotFound: s3errors.NoSuchKey,
    errors.AccountNotFound: s3errors.NoSuchBucket,
    errors.ContainerNotFound: s3errors.NoSuchBucket,
    errors.ObjectNotFound: s3errors.NoSuchKey,
    errors.Conflict: s3errors.OperationAborted,
    errors.ContainerNotEmpty: s3errors.BucketNotEmpty,
    errors.NameTaken: s3errors.BucketAlreadyExists,
    errors.QuotaExceeded: s3errors.EntityTooLarge,
    errors.PreconditionFailed: s3errors.PreconditionFailed,
    errors.NotModified: s3errors.NotModified,
    errors.RangeNotSatisfiable: s3errors.InvalidRange,
    errors.UnprocessableEntity: s3errors.BadDigest,
    errors.ChecksumMismatch: s3errors.BadDigest,
    errors.InsufficientStorage: s3errors.InsufficientStorage,
    errors.ServiceUnavailable: s3errors.ServiceUnavailable,
    errors.DiskFileError: s3errors.InternalError,
    errors.EncryptionKeyRequired: s3errors.InvalidRequest,
    errors.UnknownEncryptionKey: s3errors.KMSNotFound,
    errors.KeysUnavailable: s3errors.ServiceUnavailable,
    DeleteMarker: s3errors.MethodNotAllowed,    # S3 answers a marker's version 405
    Locked: s3errors.AccessDenied,              # a locked version: S3 answers 403
    MalformedPolicy: s3errors.MalformedPolicy,  # a bucket policy S3 refuses, S3's words
    PolicyNotSupported: s3errors.S3NotImplemented,
    # the S3 ACL model's refusals (proxy/s3_acl_errors.py)
    acl.AclError: s3errors.InvalidRequest,
    acl.InvalidAclArgument: s3errors.InvalidArgument,
    acl.ConflictingAclHeaders: s3errors.InvalidRequest,
    acl.MalformedAcl: s3errors.MalformedACLError,
    acl.UnresolvableEmail: s3errors.UnresolvableGrantByEmailAddress,
    acl.AclNotSupported: s3errors.AccessControlListNotSupported,
    acl.AclWithEnforcedOwnership: s3errors.InvalidBucketAclWithObjectOwnership,
    acl.CannedAclNotBuilt: s3errors.S3NotImplemented,
    acl.AclOwnerMismatch: s3errors.AccessDenied,
    acl.PublicAclBlocked: s3errors.AccessDenied,
    acl.CorruptStoredAcl: s3errors.InternalError,
}


def to_s3(exc: errors.ObjectStoreError) -> s3errors.S3Error:
    """The S3 error to answer for `exc`. Only a BadRequest's own message is shown (it
    says what was wrong with the request); other internal messages may name replicas,
    paths or node statuses, so the code's default message is used."""
    if isinstance(exc, s3errors.S3Error):
        return exc
    for cls in type(exc).__mro__:
        if issubclass(cls, errors.ObjectStoreError) and cls in INTERNAL:
            own = str(exc) if isinstance(exc, errors.BadRequest) else None
            s3 = INTERNAL[cls](own)
            if isinstance(exc, acl.AclError):       # ArgumentName and the like
                s3.details.update(exc.details)
            if isinstance(exc, DeleteMarker):       # a marker's version: S3 says so
                s3.headers.update({"x-amz-delete-marker": "true",
                                   "x-amz-version-id": exc.version_id, "allow": "DELETE"})
            return s3
    raise AssertionError("unreachable: ObjectStoreError is in the table")


def error_response(exc: errors.ObjectStoreError, method: str, raw_path: str,
                   req_id: str) -> Response:
    """The <Error> answer for `exc` (no body for HEAD, as S3; none for 304 either)."""
    s3 = to_s3(exc)
    body = b"" if method == "HEAD" or s3.status == 304 else error_xml(
        s3.code, str(s3), unquote(raw_path, errors="replace"), req_id, s3.details)
    return Response(body, status_code=s3.status, media_type="application/xml",
                    headers=s3.headers)
