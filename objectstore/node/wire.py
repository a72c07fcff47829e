"""The node API's wire vocabulary, shared by the proxy and the nodes (one place, so the
two sides cannot drift apart): header names, the status a node answers for each
internal error, the error the proxy raises for a status the nodes agree on, and the
exceptions that mean a node could not be talked to at all."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import aiohttp

from objectstore import errors

# -- header names ----------------------------------------------------------------------
# The container replica an object write must update, as `host:port/device` (several
# may be given, comma-separated), and its partition.
UPDATE = "x-container-update"
PARTITION = "x-container-partition"
# Container replicas the proxy knows are unreachable (error-limited): the object node
# records the update for its updater at once instead of trying now.
UPDATE_LATER = "x-container-update-later"
# The same for a container write: the account replica that must hear of it.
ACCOUNT_UPDATE = "x-account-update"
ACCOUNT_PARTITION = "x-account-partition"
# The timestamp of what a node holds (an object, a tombstone, a database), in every
# answer about it: what newest-wins reads compare.
BACKEND_TIMESTAMP = "x-backend-timestamp"
# a container or account: its newest PUT or metadata change (Swift's Last-Modified)
METADATA_TIMESTAMP = "x-backend-metadata-timestamp"
# a container's storage policy index, set by the PUT that makes it (and only then)
POLICY_SYSMETA = "x-container-sysmeta-storage-policy"
# an account's counts for one storage policy's containers (account GET/HEAD)
POLICY_STAT = "x-backend-policy-"


def policy_stat(index: int, what: str) -> str:
    """`what` (container-count, object-count, bytes-used) of policy `index`."""
    return f"{POLICY_STAT}{index}-{what}"
# System metadata of an object: kept by the node with the object, never shown as
# user metadata, carried along when an object is rewritten onto itself.
OBJECT_SYSMETA = "x-object-sysmeta-"
# A checksum the node computed while storing the body (asked for by the S3 edge).
OBJECT_SYSMETA_CHECKSUM = OBJECT_SYSMETA + "checksum-"
# the ETag an object's container row shows instead of its own (a symlink's carries the
# link's target as parameters, as Swift's does)
LISTING_ETAG = OBJECT_SYSMETA + "container-update-override-etag"
# parameters a container row's ETag carries after whatever ETag it shows
# (`key=value; key=value`): what an API lists about an object beside its name, size and
# ETag without reading the object (S3: its storage class)
LISTING_PARAMS = OBJECT_SYSMETA + "container-update-params"


def listed_etag(etag: str, headers: Mapping[str, str]) -> str:
    """The ETag of an object's container row: `etag` with its LISTING_PARAMS, if any."""
    params = headers.get(LISTING_PARAMS)
    return f"{etag}; {params}" if params else etag
# On an object PUT: the algorithm of that checksum (objectstore.checksums), set by the
# proxy from the write's options; the node stores its value as OBJECT_SYSMETA_CHECKSUM
# + algorithm and answers with it.
CHECKSUM_ALGORITHM = "x-backend-checksum-algorithm"
# User metadata of an object: x-object-meta-<name>.
OBJECT_USER_META = "x-object-meta-"
# The content headers kept with an object and answered with it (besides its type).
CONTENT_HEADERS = ("content-encoding", "content-disposition", "content-language",
                   "cache-control", "expires")
# When an object expires (Unix seconds): kept with its .data, replaced by a POST's .meta.
DELETE_AT = "x-delete-at"

# -- transport failures ----------------------------------------------------------------
# What a request to a node raises when the node could not be reached or gave no complete
# answer (as opposed to an answer with an error status).
NODE_ERRORS = (aiohttp.ClientError, OSError, asyncio.TimeoutError)

# -- errors -> status (the node answers) -----------------------------------------------
# Every class of objectstore.errors named explicitly (a unit test checks it); a class
# defined elsewhere gets the status of its nearest ancestor here.
ERROR_STATUS: dict[type[errors.ObjectStoreError], int] = {
    errors.ObjectStoreError: 500,
    errors.BadRequest: 400,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.AccountNotFound: 404,
    errors.ContainerNotFound: 404,
    errors.ObjectNotFound: 404,
    errors.Conflict: 409,
    errors.ContainerNotEmpty: 409,
    errors.NameTaken: 409,
    errors.QuotaExceeded: 413,
    errors.PreconditionFailed: 412,
    errors.NotModified: 304,
    errors.RangeNotSatisfiable: 416,
    errors.UnprocessableEntity: 422,
    errors.ChecksumMismatch: 422,
    errors.InsufficientStorage: 507,
    errors.ServiceUnavailable: 503,
    errors.DiskFileError: 500,
    # the proxy's own (nodes never see a key): as their base classes
    errors.EncryptionKeyRequired: 400,
    errors.UnknownEncryptionKey: 400,
    errors.KeysUnavailable: 503,
}


def status_for(exc: errors.ObjectStoreError) -> int:
    """The node API status of an error: its class's, or its nearest ancestor's."""
    return next(ERROR_STATUS[cls] for cls in type(exc).__mro__ if cls in ERROR_STATUS)


# -- status -> error (the proxy raises) ------------------------------------------------
# The statuses that say something about the request itself when a quorum of nodes
# agrees on them. Any other status (401: our own signature refused; 5xx; no answer)
# means the nodes failed, not the client: ServiceUnavailable.
STATUS_ERRORS: dict[int, type[errors.ObjectStoreError]] = {
    400: errors.BadRequest, 404: errors.NotFound, 409: errors.Conflict,
    412: errors.PreconditionFailed, 416: errors.RangeNotSatisfiable,
    422: errors.UnprocessableEntity, 507: errors.InsufficientStorage,
}


def error_for(status: int) -> type[errors.ObjectStoreError]:
    """The error to raise for the status the nodes agreed on (see quorum.write_outcome)."""
    return STATUS_ERRORS.get(status, errors.ServiceUnavailable)
