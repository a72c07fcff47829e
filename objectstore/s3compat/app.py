"""The Amazon S3 API as one ASGI app, translating onto the proxy core.

Parse, then dispatch: authenticate (SigV4 or SigV2, header or presigned URL; a request
with no signature at all is anonymous), split the path into bucket and key (path or
virtual-hosted style), find whose bucket it is and whether the requester may
(access.py), then one handler per operation. Every response carries x-amz-request-id
and x-amz-id-2; every error is an S3 <Error> document.
"""

from __future__ import annotations

import time
from dataclasses import replace

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.default_encryption import bucket_default
from objectstore.proxy.lifecycle_rules import DAY
from objectstore.proxy.lifecycle_store import LifecycleStore
from objectstore.proxy.object_info import S3_OWNER
from objectstore.proxy.policy_store import PolicyStore
from objectstore.proxy.versions import DeleteMarker
from objectstore.request_id import note_account, note_operation
from objectstore.s3compat import (
    delete_conditions,
    features,
    listings,
    object_lock,
    objects,
    s3errors,
    sigv4,
    sse,
    storage_class,
    uri,
    versioning,
)
from objectstore.s3compat.access import Reach, S3Access, identity_of, requester_of
from objectstore.s3compat.access_log_delivery import IDLE_SECONDS, ROLL_SECONDS
from objectstore.s3compat.access_log_records import operation
from objectstore.s3compat.acl import AclRequests, acl_metadata, write_acl
from objectstore.s3compat.bucket_access_config import BucketAccessConfig
from objectstore.s3compat.bucket_cors import BucketCors
from objectstore.s3compat.bucket_logging import LOGGED, BucketLogging, Logged
from objectstore.s3compat.buckets import DEFAULT_REGION, Buckets, s3_params
from objectstore.s3compat.copying import copy_source
from objectstore.s3compat.credentials import KeyStore, S3User
from objectstore.s3compat.errormap import error_response, to_s3
from objectstore.s3compat.lifecycle import LifecycleRequests
from objectstore.s3compat.multipart import Multipart
from objectstore.s3compat.multipart_requests import MultipartRequests
from objectstore.s3compat.object_lock_requests import ObjectLockRequests
from objectstore.s3compat.policy_requests import Caller
from objectstore.s3compat.post_object import PostObject, is_form
from objectstore.s3compat.registry import BucketRegistry
from objectstore.s3compat.responses import request_id
from objectstore.s3compat.sigv2 import parse_v2, verify_v2
from objectstore.s3compat.tagging_requests import ObjectTagging
from objectstore.s3compat.versioning import S3Versioning

# Bucket sub-resources a PUT sets (a PUT without any of them creates the bucket).
BUCKET_SETTINGS = {"acl", "versioning", "lifecycle", "tagging", "object-lock", "policy",
                   "publicAccessBlock", "ownershipControls", "location", "logging",
                   "cors", "website", "encryption", "replication", "accelerate",
                   "requestPayment", "notification", "analytics", "metrics", "inventory",
                   "intelligent-tiering"}
# Query parameters of object requests we answer; any other is NotImplemented.
OBJECT_PARAMS = {"response-content-type", "response-content-language", "response-expires",
                 "response-cache-control", "response-content-disposition",
                 "response-content-encoding", "x-id", "acl", "uploads", "uploadId",
                 "partNumber", "attributes", "max-parts", "part-number-marker", "versionId",
                 "tagging", "retention", "legal-hold", "restore", *sigv4.QUERY_AUTH_PARAMS}


class S3API:
    def __init__(self, proxy: Proxy, keys: KeyStore,
                 domains: tuple[str, ...] = ("localhost",), day_seconds: float = DAY,
                 log_timing: tuple[float, float] = (ROLL_SECONDS, IDLE_SECONDS)) -> None:
        """`log_timing`: how long server access log records gather before the next
        one, or no record for a while, closes them into a log object ([bucket_logging]
        roll_seconds, idle_seconds: access_log_delivery.py)."""
        self.proxy = proxy
        self.containers = Containers(proxy)
        self.keys = keys
        self.registry = BucketRegistry(proxy, self.containers)
        self.versioning = S3Versioning(proxy, self.containers)
        multipart = Multipart(proxy, self.containers, self.versioning.put_object)
        self.lifecycle = LifecycleRequests(LifecycleStore(proxy, self.containers), day_seconds)
        policies = PolicyStore(proxy, self.containers)
        self.access = S3Access(proxy, self.containers, self.registry, self.versioning,
                               policies)
        self.acls = AclRequests(proxy, self.containers, self.versioning, keys.directory)
        self.buckets = Buckets(self.containers, self.registry, multipart, self.versioning,
                               self.lifecycle, self.acls,
                               BucketAccessConfig(proxy, self.containers, policies),
                               self.access, keys.directory)
        self.multipart = MultipartRequests(proxy, multipart, self.versioning)
        self.tagging = ObjectTagging(proxy, self.versioning)
        self.lock = ObjectLockRequests(proxy, self.versioning)
        self.forms = PostObject(keys, self.registry, self.versioning, self.access)
        self.cors = BucketCors(proxy, self.containers)
        self.logging = BucketLogging(self.versioning, self.registry, self.access,
                                     DEFAULT_REGION, *log_timing)
        # Host <bucket>.<domain> names the bucket (virtual-hosted style).
        self.domains = tuple(d.lower().strip(".") for d in domains if d)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        req_id = request_id()
        request = Request(scope, receive)
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        raw_path = raw_path.split("?", 1)[0]
        started, error_code = time.monotonic(), ""
        try:
            response = await self.handle(request, raw_path, started)
        except errors.ObjectStoreError as exc:     # the one handler: see errormap.py
            response = error_response(exc, request.method, raw_path, req_id)
            error_code = to_s3(exc).code
        except ClientDisconnect:
            response = Response(b"", status_code=400)
        response.headers["x-amz-request-id"] = req_id
        response.headers["x-amz-id-2"] = req_id
        logged = getattr(request.state, LOGGED, None)
        if logged is not None:              # a bucket's request: its server access log
            await self.logging.record(logged, request, response, req_id, error_code)
            if "origin" in request.headers:     # and a browser's: CORS
                await self.cors.decorate(request, response, logged.reach.account,
                                         logged.bucket)
        await response(scope, receive, send)

    async def authenticate(self, request: Request, raw_path: str,
                           query: list[tuple[str, str]], as_sent: bool = False
                           ) -> tuple[S3User | None, sigv4.SignedRequest | None, bytes]:
        """Who signed the request (SigV4, or SigV2 for older clients; None when it is not
        signed at all: anonymous). Returns the user, the SigV4 claims and signing key
        (for chunks). A signature that does not verify is refused, never anonymous.
        `as_sent`: check a SigV4 signature over the query as sent, not its canonical
        form (sigv4.as_sent_query: the admin API's second try)."""
        headers = sigv4.joined_headers(request.headers.items())
        v2 = parse_v2(headers, query)
        if v2 is not None:
            user = await self._user(v2.access_key)
            verify_v2(request.method, raw_path, query, headers, v2, user.secret)
            return user, None, b""
        if "authorization" in headers:
            signed = sigv4.parse_authorization(headers)
        elif any(k == "X-Amz-Signature" for k, _ in query):
            signed = sigv4.parse_presigned(query)
        else:
            return None, None, b""
        user = await self._user(signed.credential.access_key)
        text = sigv4.as_sent_query(request.scope.get("query_string", b"").decode(
            "latin-1"), signed.presigned) if as_sent else None
        key = sigv4.verify(request.method, raw_path, query, headers, signed, user.secret,
                           query_text=text)
        return user, signed, key

    async def _user(self, access_key: str) -> S3User:
        user = await self.keys.get(access_key)
        if user is None:
            raise s3errors.InvalidAccessKeyId()
        return user

    async def handle(self, request: Request, raw_path: str, started: float = 0.0
                     ) -> Response:
        if request.method == "POST" and is_form(request):    # POST Object: the form signs
            bucket, obj = self.bucket_and_key(request.headers.get("host", ""), raw_path)
            if bucket and not obj:
                note_operation("s3", "REST.POST.OBJECT", bucket)
                return await self.forms.handle(request, bucket)
        if request.method == "OPTIONS":       # a browser's preflight: never signed
            return await self.preflight(request, raw_path)
        query = sigv4.split_query(request.scope.get("query_string", b"").decode("latin-1"))
        user, signed, key = await self.authenticate(request, raw_path, query)
        note_account(user.account if user is not None else "")
        query = uri.strict_pairs(query)       # signed as sent; now it must be UTF-8
        bucket, obj = self.bucket_and_key(request.headers.get("host", ""), raw_path)
        params = dict(query)
        if bucket and not obj:
            params = s3_params(request.method, params)
        note_operation("s3", operation(request.method, obj or None, params) if bucket else
                       f"REST.{request.method}.SERVICE", bucket)
        if not bucket or (not obj and request.method == "PUT" and not
                          params.keys() & BUCKET_SETTINGS):
            # ListBuckets and CreateBucket: an account's own, for its admins
            if user is None and not bucket and request.method == "GET":
                return listings.no_buckets()      # anonymous owns none (as RGW answers)
            if user is None or not user.admin:
                raise s3errors.AccessDenied()
            features.check_owner(request.headers, user.account)
            reach = Reach(identity_of(user), user.swift_account)
            if bucket:
                return await self.buckets.create(request, reach, bucket)
            if request.method == "GET":
                hidden = await self.registry.swift_only.names(user.swift_account)
                return await listings.list_buckets(
                    self.containers, user.swift_account, user.account, params, hidden)
            raise s3errors.MethodNotAllowed()
        found = await self.access.reach(identity_of(user), bucket)
        reach = replace(found, how=lambda: caller_of(request, user, signed, query, found))
        setattr(request.state, LOGGED, Logged(
            reach, bucket, obj, params, signature_version(user, signed),
            auth_type(user, query), started,
            [] if not obj and request.method == "POST" and "delete" in params else None))
        features.check_owner(request.headers, reach.owner)
        verdict = await self.access.check(reach, request.method, request.headers, bucket,
                                          obj or None, params)
        getattr(request.state, LOGGED).acl_required = verdict.acl_required
        if not obj:
            if "logging" in params:
                return await self.logging.handle(request, reach, bucket,
                                                 await self.registry.require(reach.account,
                                                                             bucket))
            if "cors" in params:
                await self.registry.require(reach.account, bucket)
                return await self.cors.handle(request, reach.account, bucket)
            if request.method == "DELETE" and not params:     # first what it gathered
                await self.logging.forget(reach.account, bucket)
                deleted = await self.buckets.handle(request, reach, bucket, params)
                await self.cors.forget(reach.account, bucket, container_too=False)
                return deleted
            return await self.buckets.handle(request, reach, bucket, params)
        return await self.object_op(request, reach, user, bucket, obj, params, signed, key)

    async def preflight(self, request: Request, raw_path: str) -> Response:
        bucket, _ = self.bucket_and_key(request.headers.get("host", ""), raw_path)
        note_operation("s3", "REST.OPTIONS.PREFLIGHT", bucket)
        if not bucket:
            raise s3errors.MethodNotAllowed()
        reach = await self.access.reach(identity_of(None), bucket)   # NoSuchBucket
        await self.registry.require(reach.account, bucket)
        return await self.cors.preflight(request, reach.account, bucket)

    def bucket_and_key(self, host: str, raw_path: str) -> tuple[str, str]:
        """Virtual-hosted style when the Host is <bucket>.<domain>, else path style."""
        name = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else ""
        path = uri.decode_name(raw_path)      # InvalidURI unless UTF-8; no NUL
        for domain in self.domains:
            if name.endswith("." + domain):
                return name[:-len(domain) - 1], path[1:] if path.startswith("/") else path
        bucket, _, obj = path.lstrip("/").partition("/")
        return bucket, obj

    async def object_op(self, request: Request, reach: Reach, user: S3User | None,
                        bucket: str, key: str, params: dict[str, str],
                        signed: sigv4.SignedRequest | None, signing_key: bytes
                        ) -> Response:
        unsupported = set(params) - OBJECT_PARAMS
        if unsupported:
            raise s3errors.not_implemented(sorted(unsupported)[0])
        if len(key.encode()) > 1024:
            raise s3errors.KeyTooLongError()
        method, account = request.method, reach.account
        put = method == "PUT" and "acl" not in params and "uploadId" not in params
        size = request.headers.get("x-amz-decoded-content-length",
                                   request.headers.get("content-length", ""))
        # a recent answer is trusted (a dict lookup); Swift-only containers are never
        # trusted so (proxy/swift_only.py), so their HEAD refuses them
        await self.registry.confirm(       # NoSuchBucket / AccessDenied / a Swift quota
            account, bucket, int(size) if put and size.isdigit() else None, write=put)
        if method in ("PUT", "POST", "DELETE"):      # a Swift-versioned container: 501
            features.check_unversioned(self.proxy.known_containers.sysmeta(account, bucket))
        vid = versioning.requested(params)
        acl_meta: dict[str, str] = {}
        object_owner = reach.requester
        source_account = account
        if "x-amz-copy-source" in request.headers and method == "PUT":
            source_account = await self._check_source(request, reach, user, signed)
        writes = (method == "PUT" and "acl" not in params) or (
            method == "POST" and bool(params.keys() & {"uploads", "uploadId"}))
        encryption = None
        if writes:                   # PutObject, CopyObject, multipart: what it asks for
            features.check_object_write(request.headers)
            sysmeta = self.proxy.known_containers.sysmeta(account, bucket)
            object_lock.check_bucket(request.headers, sysmeta)
            acl = write_acl(request.headers, reach, sysmeta, self.keys.directory)
            acl_meta = acl_metadata(acl, reach.owner)
            object_owner = acl.owner.id
            if "uploadId" not in params:     # a part and a Complete: as the upload says
                encryption = sse.requested(request.headers, bucket_default(sysmeta),
                                           self.proxy.keyring)
        if "acl" in params:
            return await self.acls.object(request, reach, bucket, key, params)
        if "tagging" in params:
            return await self.tagging.handle(request, account, bucket, key, params)
        if "retention" in params or "legal-hold" in params:
            return await self.lock.handle(request, account, bucket, key, params)
        if "uploads" in params or "uploadId" in params:
            if "uploads" in params:        # the upload's marker keeps its owner
                acl_meta = {**acl_meta, S3_OWNER: object_owner}
            return await self.multipart.handle(request, account, object_owner, bucket,
                                               key, params, signed, signing_key, acl_meta,
                                               source_account, encryption)
        v = self.versioning
        if method == "PUT":
            if "x-amz-copy-source" in request.headers:
                return await objects.copy_object(request, v, account, bucket, key,
                                                 source_account, acl_meta, encryption)
            response = await objects.put_object(request, v, account, bucket, key, signed,
                                                signing_key, acl_meta, encryption)
            if self.lifecycle.store.flag(account, bucket):   # a dict lookup without rules
                response.headers.update(await self.lifecycle.on_put(request, account, bucket,
                                                                    key, size))
            return response
        state = self.proxy.known_containers.versioning(account, bucket)
        if method in ("GET", "HEAD"):
            try:
                if method == "GET" and "attributes" in params:   # GetObjectAttributes
                    return await objects.object_attributes(request, v, account, bucket, key,
                                                           vid, state)
                return await objects.get_object(request, v, account, bucket, key, params,
                                                vid, state,
                                                self.lifecycle.on_read(account, bucket, key))
            except DeleteMarker:
                raise
            except errors.ObjectNotFound:
                await self.registry.require(account, bucket)  # NoSuchBucket / AccessDenied
                missing = s3errors.NoSuchKey()
                missing.headers.update(await v.marker_headers(account, bucket, key))
                raise missing from None
        if method == "POST" and "restore" in params:       # RestoreObject
            handle = await v.open(account, bucket, key, vid)
            handle.discard()
            return await storage_class.restore(request, handle.headers)
        if method == "DELETE":               # S3 deletes are idempotent
            deleted = await v.delete(account, bucket, key, vid,
                                     delete_conditions.from_headers(request.headers),
                                     object_lock.bypassing(request.headers))
            return Response(status_code=204, headers=deleted.headers())
        raise s3errors.MethodNotAllowed()

    async def _check_source(self, request: Request, reach: Reach, user: S3User | None,
                            signed: sigv4.SignedRequest | None) -> str:
        """A copy reads its source: the Swift account holding the source bucket, once
        the requester may read the source object there (AccessDenied if not)."""
        source_bucket, source_key, source_vid = copy_source(
            request.headers["x-amz-copy-source"])
        found = await self.access.reach(reach.who, source_bucket)
        source = replace(found, how=lambda: caller_of(request, user, signed, [], found))
        asked = {"versionId": source_vid} if source_vid else {}
        await self.access.check(source, "GET", {}, source_bucket, source_key, asked)
        await self.registry.confirm(source.account, source_bucket)
        return source.account


def signature_version(user: S3User | None, signed: sigv4.SignedRequest | None) -> str:
    """How the request was signed, as access logs name it ("" when it was not)."""
    return "" if user is None else "SigV4" if signed is not None else "SigV2"


def auth_type(user: S3User | None, query: list[tuple[str, str]]) -> str:
    if user is None:
        return ""
    presigned = any(k in ("X-Amz-Signature", "Signature") for k, _ in query)
    return "QueryString" if presigned else "AuthHeader"


def caller_of(request: Request, user: S3User | None, signed: sigv4.SignedRequest | None,
              query: list[tuple[str, str]], reach: Reach) -> Caller:
    """How the request was sent, as bucket policies' condition keys see it."""
    client = request.client
    signature = auth_type = None
    if user is not None:
        signature = "AWS4-HMAC-SHA256" if signed is not None else "AWS"
        presigned = any(k in ("X-Amz-Signature", "Signature") for k, _ in query)
        auth_type = "REST-QUERY-STRING" if presigned else "REST-HEADER"
    return Caller(requester_of(reach.who), client.host if client else None,
                  request.url.scheme == "https", signature, auth_type, reach.owner)
