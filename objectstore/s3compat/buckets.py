"""Bucket operations: create (global names through the registry), head, delete,
location, versioning state, ACL, and the bucket-level GETs and POSTs dispatched to the
listings, DeleteObjects and multipart modules."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.proxy import s3_acl_store
from objectstore.proxy.containers import Containers
from objectstore.proxy.default_encryption import BucketDefault, default_kms_key
from objectstore.proxy.retention import BUCKET_LOCK
from objectstore.proxy.s3_acl import Directory, Owner, private
from objectstore.proxy.s3_ownership import SYSMETA as OWNERSHIP
from objectstore.proxy.s3_ownership import check_bucket_acl
from objectstore.proxy.swift_only import is_swift_only
from objectstore.proxy.versions import state_of
from objectstore.s3compat import (
    bucket_encryption,
    features,
    listings,
    object_lock,
    s3errors,
    sigv4,
    version_listing,
    versioning,
)
from objectstore.s3compat.access import Reach, S3Access
from objectstore.s3compat.acl import AclRequests, bucket_create_acl
from objectstore.s3compat.bucket_access_config import PARAMS as ACCESS_PARAMS
from objectstore.s3compat.bucket_access_config import BucketAccessConfig, parse_ownership
from objectstore.s3compat.bucket_logging import LOGGED
from objectstore.s3compat.lifecycle import LifecycleRequests
from objectstore.s3compat.multi_delete import delete_objects
from objectstore.s3compat.multipart import Multipart, segments_container
from objectstore.s3compat.object_lock_requests import bucket_lock
from objectstore.s3compat.registry import BucketRegistry
from objectstore.s3compat.responses import el, xml_doc, xml_response
from objectstore.s3compat.tagging_requests import bucket_tagging
from objectstore.s3compat.uploads import request_stream
from objectstore.s3compat.versioning import S3Versioning
from objectstore.s3compat.xmlbody import parse, read_limited

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
LOCATION = "x-container-sysmeta-s3-location"
DEFAULT_REGION = "us-east-1"
# Query parameters of bucket requests we answer; any other subresource is NotImplemented.
KNOWN = {"list-type", "prefix", "delimiter", "max-keys", "continuation-token",
         "start-after", "marker", "encoding-type", "fetch-owner", "location", "versioning",
         "acl", "delete", "uploads", "versions", "key-marker", "version-id-marker",
         "upload-id-marker", "max-uploads", "x-id", "tagging", "object-lock", "lifecycle",
         "encryption", *ACCESS_PARAMS}
# S3's own sub-resources of a bucket, built here or not: naming one asks for that
# feature (NotImplemented when it is not built). Any other query parameter of a GET or
# HEAD is none of S3's, and S3 ignores it: the page a form's success_action_redirect
# sends a browser to may be the bucket itself, with bucket, key and etag in its query.
SUBRESOURCES = frozenset({
    "accelerate", "acl", "analytics", "cors", "delete", "encryption",
    "intelligent-tiering", "inventory", "lifecycle", "location", "logging",
    "metadataConfiguration", "metadataTable", "metrics", "notification", "object-lock",
    "ownershipControls", "policy", "policyStatus", "publicAccessBlock", "replication",
    "requestPayment", "session", "tagging", "torrent", "uploads", "versioning", "versions",
    "website"})
READ_ONLY = {"location"}      # GET only: setting it is not supported
ACCESS_SETTINGS = (s3_acl_store.CONTAINER_ACL, OWNERSHIP)   # what CreateBucket may set


def s3_params(method: str, params: dict[str, str]) -> dict[str, str]:
    """The query parameters of a bucket request that S3 reads: a GET or HEAD drops those
    that are none of S3's (a listing, whatever else the query says, as S3 answers)."""
    if method not in ("GET", "HEAD"):
        return params
    return {k: v for k, v in params.items()
            if k in KNOWN or k in SUBRESOURCES or k in sigv4.QUERY_AUTH_PARAMS}


def valid_bucket_name(name: str) -> bool:
    """S3's rules: 3-63 of a-z 0-9 . -, starting and ending alphanumeric, no '..', not
    an IP address."""
    return (bool(BUCKET_NAME.match(name)) and ".." not in name and ".-" not in name
            and "-." not in name and not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name))


class Buckets:
    def __init__(self, containers: Containers, registry: BucketRegistry,
                 multipart: Multipart, versioning: S3Versioning,
                 lifecycle: LifecycleRequests, acls: AclRequests,
                 access_config: BucketAccessConfig, access: S3Access, directory: Directory
                 ) -> None:
        self.containers = containers
        self.registry = registry
        self.multipart = multipart
        self.versioning = versioning
        self.lifecycle = lifecycle
        self.acls = acls
        self.access_config = access_config
        self.access = access
        self.directory = directory

    async def handle(self, request: Request, reach: Reach, bucket: str,
                     params: dict[str, str]) -> Response:
        unknown = set(params) - KNOWN - sigv4.QUERY_AUTH_PARAMS
        if unknown:
            raise s3errors.not_implemented(sorted(unknown)[0])
        method, account = request.method, reach.account
        if method in ("PUT", "DELETE") and params.keys() & READ_ONLY:
            raise s3errors.not_implemented(f"{method} {sorted(params.keys() & READ_ONLY)[0]}")
        if "acl" in params:
            await self.registry.require(account, bucket)
            return await self.acls.bucket(request, reach, bucket)
        for param in ACCESS_PARAMS:
            if param in params:
                await self.registry.require(account, bucket)
                return await self.access_config.handle(request, reach, bucket, param)
        if "lifecycle" in params:
            return await self.lifecycle.handle(request, account, bucket,
                                               await self.registry.require(account, bucket))
        if "tagging" in params:
            return await bucket_tagging(request, self.containers, account, bucket,
                                        await self.registry.require(account, bucket))
        if "object-lock" in params:
            return await bucket_lock(request, self.containers, account, bucket,
                                     await self.registry.require(account, bucket))
        if "encryption" in params:
            return await bucket_encryption.handle(
                request, self.containers, account, bucket,
                await self.registry.require(account, bucket), self._check_default)
        if "versioning" in params and method != "GET":
            return await self.put_versioning(request, account, bucket)
        if method == "PUT":
            return await self.create(request, reach, bucket)
        headers = await self.registry.require(account, bucket)        # NoSuchBucket
        if method == "HEAD":
            return Response(status_code=200, headers={
                "x-amz-bucket-region": headers.get(LOCATION) or DEFAULT_REGION})
        if method == "DELETE":
            await self._delete_container(account, bucket, headers)
            await self._delete_segments_container(account, bucket)
            await self.lifecycle.store.delete(account, bucket, container_too=False)
            await self.access.policies.delete(account, bucket, container_too=False)
            await self.registry.release(account, bucket)
            self.access.forget(bucket)
            return Response(status_code=204)
        if method == "POST" and "delete" in params:
            features.check_unversioned(headers)
            logged = getattr(request.state, LOGGED, None)
            return await delete_objects(request, self.versioning, account, bucket,
                                        await self.access.delete_check(reach, bucket),
                                        logged.deleted if logged is not None else None)
        if method != "GET":
            raise s3errors.MethodNotAllowed()
        if "versions" in params:
            return xml_response(await version_listing.list_versions(
                self.versioning.versions, account, bucket, params, reach.owner))
        if "uploads" in params:
            return xml_response(await self.multipart.list_uploads(account, bucket, params,
                                                                  reach.owner))
        if "versioning" in params:
            status = versioning.STATUS.get(state_of(headers))
            return xml_response(xml_doc("VersioningConfiguration",
                                        el("Status", status) if status else ""))
        if "location" in params:
            region = headers.get(LOCATION, "")
            return xml_response(xml_doc("LocationConstraint", region))
        return xml_response(await listings.list_objects(
            self.containers, account, bucket, params, reach.owner))

    def _check_default(self, default: BucketDefault) -> None:
        """A default encryption this store could encrypt with (its KMS key known)."""
        proxy = self.containers.proxy
        proxy.check_encryption(default.encryption(default_kms_key(proxy.keyring)))

    async def put_versioning(self, request: Request, account: str, bucket: str
                             ) -> Response:
        """PutBucketVersioning: Enabled or Suspended (never unversioned again)."""
        if request.method != "PUT":
            raise s3errors.MethodNotAllowed()
        headers = await self.registry.require(account, bucket)
        features.check_unversioned(headers)      # Swift's legacy versions: one kind only
        body = await read_limited(request_stream(request))
        enable = versioning.parse_configuration(body)
        if not enable and object_lock.enabled(headers):
            raise s3errors.InvalidBucketState("An Object Lock configuration is present on "
                                              "this bucket, so the versioning state cannot "
                                              "be changed.")
        await self.versioning.configure(account, bucket, enable)
        return Response(status_code=200)

    async def _delete_container(self, account: str, bucket: str, headers: dict[str, str]
                                ) -> None:
        """BucketNotEmpty while it holds objects, or versions of them."""
        if not state_of(headers):
            await self.containers.delete_container(account, bucket)
            return
        try:
            await self.versioning.versions.delete_container(account, bucket)
        except errors.ContainerNotEmpty:
            raise
        except errors.Conflict:
            raise s3errors.BucketNotEmpty() from None

    async def _delete_segments_container(self, account: str, bucket: str) -> None:
        """The bucket's `<bucket>+segments` (multipart uploads') goes with it once
        nothing is left in it; an upload still in progress keeps it (and its parts)."""
        with contextlib.suppress(errors.ContainerNotFound, errors.ContainerNotEmpty):
            await self.containers.delete_container(account, segments_container(bucket))

    async def create(self, request: Request, reach: Reach, bucket: str) -> Response:
        features.check_bucket_create(request.headers)
        if not valid_bucket_name(bucket):
            raise s3errors.InvalidBucketName()
        settings = self._access_settings(request.headers, reach.owner)
        region = _location_constraint(await read_limited(request_stream(request)))
        account = reach.account
        await self.registry.claim(account, bucket)           # BucketAlreadyExists
        try:
            headers = await self.containers.head_container(account, bucket)
            exists = True
        except errors.ContainerNotFound:
            exists = False
        if exists and is_swift_only(headers):   # the name is free now: it is the bucket
            await self.registry.swift_only.make_bucket(account, bucket)
        if not exists:
            await self.containers.put_container(
                account, bucket, {**({LOCATION: region} if region else {}), **settings})
            if _lock_asked(request.headers):    # versioned, and lockable, for good
                await self.versioning.configure(account, bucket, True,
                                                {BUCKET_LOCK: "Enabled"})
        elif region not in ("", DEFAULT_REGION):
            # us-east-1 answers a repeated create with 200 (S3's legacy behaviour);
            # every other region with BucketAlreadyOwnedByYou
            raise s3errors.BucketAlreadyOwnedByYou()
        elif is_swift_only(headers):
            if settings:
                await self.containers.post_container(account, bucket, settings)
        elif any(headers.get(k, "") != settings.get(k, "") for k in ACCESS_SETTINGS):
            # a repeated create that would change who gets in changes nothing (S3 keeps
            # the bucket as it is): a 200 would tell the client its ACL was set (ceph
            # answers so too)
            raise s3errors.BucketAlreadyExists()
        self.access.forget(bucket)
        return Response(status_code=200, headers={"location": f"/{bucket}"})

    def _access_settings(self, headers: Mapping[str, str], owner: str) -> dict[str, str]:
        """What a new bucket keeps of CreateBucket's ACL and x-amz-object-ownership
        (a bucket without ObjectOwnership behaves as ObjectWriter)."""
        acl = bucket_create_acl(headers, owner, self.directory)
        out = {}
        if "x-amz-object-ownership" in headers:
            try:
                ownership = parse_ownership(headers["x-amz-object-ownership"])
            except s3errors.MalformedXML:
                raise s3errors.InvalidArgument("Invalid x-amz-object-ownership header"
                                               ) from None
            check_bucket_acl(ownership, acl)
            out[OWNERSHIP] = ownership.value
        if acl is not None and acl != private(Owner(owner)):
            out[s3_acl_store.CONTAINER_ACL] = s3_acl_store.encode(acl)
        return out


def _lock_asked(headers: Mapping[str, str]) -> bool:
    return headers.get("x-amz-bucket-object-lock-enabled", "").strip().lower() == "true"


def _location_constraint(body: bytes) -> str:
    """The LocationConstraint of a CreateBucketConfiguration body ('' if none)."""
    if not body.strip():
        return ""
    root = parse(body)
    if root.tag != "CreateBucketConfiguration":
        raise s3errors.MalformedXML("expected CreateBucketConfiguration")
    others = sorted({child.tag for child in root} - {"LocationConstraint"})
    if others:       # directory buckets (Location, Bucket), bucket tags
        raise s3errors.not_implemented(f"CreateBucketConfiguration {others[0]}")
    return (root.findtext("LocationConstraint") or "").strip()
