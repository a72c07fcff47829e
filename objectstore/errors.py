"""One hierarchy of internal errors, raised below the APIs and mapped once at each edge
(`api/` to Swift statuses, `s3compat/` to S3 error codes)."""

from __future__ import annotations


class ObjectStoreError(Exception):
    """Base of every error the store raises on purpose; the message is safe to show."""


class BadRequest(ObjectStoreError):
    """The request itself is malformed (bad name, header, range, body length...)."""


class Unauthorized(ObjectStoreError):
    """No valid credentials."""


class Forbidden(ObjectStoreError):
    """Valid credentials, but not for this resource."""


class NotFound(ObjectStoreError):
    """The account, container or object does not exist."""


class AccountNotFound(NotFound):
    pass


class ContainerNotFound(NotFound):
    pass


class ObjectNotFound(NotFound):
    pass


class Conflict(ObjectStoreError):
    """The resource's state forbids the operation (e.g. deleting a non-empty container)."""


class ContainerNotEmpty(Conflict):
    pass


class PreconditionFailed(ObjectStoreError):
    """An If-Match / If-Unmodified-Since style condition does not hold."""


class NotModified(ObjectStoreError):
    """An If-None-Match / If-Modified-Since condition says the client's copy is current."""


class RangeNotSatisfiable(ObjectStoreError):
    """A Range header that selects no byte of the object."""


class UnprocessableEntity(ObjectStoreError):
    """The body does not match what the client declared (e.g. its ETag)."""


class ChecksumMismatch(UnprocessableEntity):
    """Content does not match its recorded checksum."""


class InsufficientStorage(ObjectStoreError):
    """A device is full or unusable (507)."""


class ServiceUnavailable(ObjectStoreError):
    """Not enough replicas answered to make a quorum (503)."""


class DiskFileError(ObjectStoreError):
    """An object file on disk is unreadable or damaged; it gets quarantined."""


class NameTaken(Conflict):
    """A bucket / container name another account holds: names are one global namespace
    (S3 BucketAlreadyExists, Swift 409)."""


class QuotaExceeded(ObjectStoreError):
    """A write would take a container past the quota its owner set (Swift 413, S3
    EntityTooLarge)."""


class EncryptionKeyRequired(BadRequest):
    """An object encrypted with a customer's key (S3 SSE-C), read without that key or
    with another one (400, as S3's compatible stores answer)."""


class UnknownEncryptionKey(BadRequest):
    """A KMS key id the store is not configured with (S3 KMS.NotFoundException)."""


class KeysUnavailable(ServiceUnavailable):
    """This proxy lacks the key file, or the key an object names in it."""
