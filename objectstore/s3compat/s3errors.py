"""S3's error codes, one class each: the HTTP status and the default message are class
attributes, so a handler raises `NoSuchUpload()` and never spells a status or a code.

The class name is the code (`code` is set only where a name would shadow a builtin:
`S3NotImplemented`). Keyword arguments become extra elements of the <Error> document,
in the order given (`AccessDenied(HeadersNotSigned="x-amz-foo")`). The internal errors
of `objectstore.errors` are mapped onto these classes once, in `errormap.py`.
"""

from __future__ import annotations

from typing import ClassVar

from objectstore import errors


class S3Error(errors.ObjectStoreError):
    """Base of the catalogue: an error S3 names by its code."""

    status: ClassVar[int]
    code: ClassVar[str]
    default_message: ClassVar[str]

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "code" not in vars(cls):
            cls.code = cls.__name__

    def __init__(self, message: str | None = None, **details: str) -> None:
        super().__init__(message or self.default_message)
        self.details = details
        self.headers: dict[str, str] = {}       # answered with the error


# 3xx

class NotModified(S3Error):
    status, default_message = 304, "Not Modified"


# 400

class AccessControlListNotSupported(S3Error):
    status, default_message = 400, "The bucket does not allow ACLs"


class AuthorizationHeaderMalformed(S3Error):
    status, default_message = 400, "The authorization header you provided is invalid."


class AuthorizationQueryParametersError(S3Error):
    status = 400
    default_message = "Error parsing the X-Amz-Credential parameter."


class BadDigest(S3Error):
    status = 400
    default_message = ("The Content-MD5 or checksum you specified did not match what was "
                       "received.")


class EntityTooLarge(S3Error):
    status = 400
    default_message = "Your proposed upload exceeds the maximum allowed object size."


class EntityTooSmall(S3Error):
    status = 400
    default_message = "Your proposed upload is smaller than the minimum allowed object size."


class InvalidArgument(S3Error):
    status, default_message = 400, "Invalid Argument"


class InvalidBucketName(S3Error):
    status, default_message = 400, "The specified bucket is not valid."


class InvalidBucketAclWithObjectOwnership(S3Error):
    status = 400
    default_message = ("Bucket cannot have ACLs set with ObjectOwnership's "
                       "BucketOwnerEnforced setting")


class InvalidDigest(S3Error):
    status, default_message = 400, "The Content-MD5 you specified is not valid."


class InvalidEncryptionAlgorithmError(S3Error):
    status = 400
    default_message = "The encryption request you specified is not valid."


class KMSNotFound(S3Error):
    status, code, default_message = 400, "KMS.NotFoundException", "Invalid keyId"


class InvalidObjectState(S3Error):
    status, default_message = 403, "The operation is not valid for the object's state."


class InvalidPart(S3Error):
    status = 400
    default_message = ("One or more of the specified parts could not be found. The part may "
                       "not have been uploaded, or the specified entity tag may not match "
                       "the part's entity tag.")


class InvalidPartOrder(S3Error):
    status = 400
    default_message = ("The list of parts was not in ascending order. The parts list must "
                       "be specified in order by part number.")


class InvalidRequest(S3Error):
    status, default_message = 400, "Invalid Request"


class InvalidPolicyDocument(S3Error):
    status, default_message = 400, "Invalid Policy"


class InvalidTag(S3Error):
    status, default_message = 400, "The TagKey you have provided is invalid"


class InvalidStorageClass(S3Error):
    status, default_message = 400, "The storage class you specified is not valid"


class InvalidURI(S3Error):
    status, default_message = 400, "Couldn't parse the specified URI."


class KeyTooLongError(S3Error):
    status, default_message = 400, "Your key is too long"


class InvalidRetentionPeriod(S3Error):
    status = 400
    default_message = "The retention period must be a positive whole number of days or years"


class MalformedACLError(S3Error):
    status = 400
    default_message = ("The XML you provided was not well-formed or did not validate "
                       "against our published schema")


class MalformedPolicy(S3Error):
    status, default_message = 400, "Policies must be valid JSON"


class MalformedXML(S3Error):
    status = 400
    default_message = ("The XML you provided was not well-formed or did not validate "
                       "against our published schema")


class MaxPostPreDataLengthExceeded(S3Error):
    status = 400
    default_message = ("Your POST request fields preceding the upload file were too "
                       "large.")


class MissingSecurityHeader(S3Error):
    status, default_message = 400, "Your request was missing a required header"


class MetadataTooLarge(S3Error):
    status = 400
    default_message = "Your metadata headers exceed the maximum allowed metadata size."


class UnexpectedContent(S3Error):
    status, default_message = 400, "This request does not support content"


class UnresolvableGrantByEmailAddress(S3Error):
    status = 400
    default_message = ("The e-mail address you provided does not match any account on "
                       "record.")


class XAmzContentSHA256Mismatch(S3Error):
    status = 400
    default_message = ("The provided 'x-amz-content-sha256' header does not match what was "
                       "computed.")


# 403

class AccessDenied(S3Error):
    status, default_message = 403, "Access Denied"


class InvalidAccessKeyId(S3Error):
    status = 403
    default_message = "The AWS Access Key Id you provided does not exist in our records."


class RequestTimeTooSkewed(S3Error):
    status = 403
    default_message = ("The difference between the request time and the current time is "
                       "too large.")


class SignatureDoesNotMatch(S3Error):
    status = 403
    default_message = ("The request signature we calculated does not match the signature "
                       "you provided.")


# 404

class NoSuchBucket(S3Error):
    status, default_message = 404, "The specified bucket does not exist"


class NoSuchKey(S3Error):
    status, default_message = 404, "The specified key does not exist."


class NoSuchBucketPolicy(S3Error):
    status, default_message = 404, "The bucket policy does not exist"


class NoSuchPublicAccessBlockConfiguration(S3Error):
    status = 404
    default_message = "The public access block configuration was not found"


class OwnershipControlsNotFoundError(S3Error):
    status = 404
    default_message = "The bucket ownership controls were not found"


class ServerSideEncryptionConfigurationNotFoundError(S3Error):
    status = 404
    default_message = "The server side encryption configuration was not found"


class NoSuchTagSet(S3Error):
    status, default_message = 404, "The TagSet does not exist"


class NoSuchCORSConfiguration(S3Error):
    status, default_message = 404, "The CORS configuration does not exist"


class NoSuchObjectLockConfiguration(S3Error):
    status = 404
    default_message = "The specified object does not have a ObjectLock configuration"


class ObjectLockConfigurationNotFoundError(S3Error):
    status = 404
    default_message = "Object Lock configuration does not exist for this bucket"


class NoSuchVersion(S3Error):
    status = 404
    default_message = ("The specified version does not exist.")


class NoSuchUpload(S3Error):
    status, default_message = 404, "The specified upload does not exist."


# 405-416

class MethodNotAllowed(S3Error):
    status, default_message = 405, "The specified method is not allowed"


class BucketAlreadyExists(S3Error):
    status = 409
    default_message = ("The requested bucket name is not available. The bucket namespace "
                       "is shared by all users of the system. Please select a different "
                       "name and try again.")


class BucketAlreadyOwnedByYou(S3Error):
    status = 409
    default_message = ("Your previous request to create the named bucket succeeded and you "
                       "already own it.")


class InvalidBucketState(S3Error):
    status, default_message = 409, "The request is not valid with the current state of the bucket."


class BucketNotEmpty(S3Error):
    status, default_message = 409, "The bucket you tried to delete is not empty"


class OperationAborted(S3Error):
    status, default_message = 409, "A conflicting operation is in progress."


class MissingContentLength(S3Error):
    status, default_message = 411, "You must provide the Content-Length HTTP header."


class PreconditionFailed(S3Error):
    status = 412
    default_message = "At least one of the pre-conditions you specified did not hold"


class InvalidRange(S3Error):
    status, default_message = 416, "The requested range is not satisfiable"


# 5xx

class InternalError(S3Error):
    status, default_message = 500, "We encountered an internal error."


class S3NotImplemented(S3Error):
    """S3's NotImplemented (the name would shadow Python's builtin)."""

    status, code = 501, "NotImplemented"
    default_message = "A header you provided implies functionality that is not implemented"


class ServiceUnavailable(S3Error):
    status, default_message = 503, "Please reduce your request rate."


class SlowDown(S3Error):
    status, default_message = 503, "Please reduce your request rate."


class InsufficientStorage(S3Error):
    status, default_message = 507, "Insufficient Storage"


def not_implemented(what: str) -> S3NotImplemented:
    """The answer for a request we understand but cannot honour yet (never a silent 2xx)."""
    return S3NotImplemented(f"{what} is not implemented yet")
