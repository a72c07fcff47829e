"""The Amazon S3 API as one ASGI app, translating onto the proxy core.

Parse, then dispatch: authenticate (SigV4 header or presigned URL; anonymous requests
are denied), split the path into bucket and key (path style), then one handler per
operation. Every response carries x-amz-request-id and x-amz-id-2; every error is an
S3 <Error> document.
"""

from __future__ import annotations

import base64
import contextlib
import re
from urllib.parse import unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from objectstore import errors
from objectstore.proxy.conditions import check_conditions
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import ObjectHandle, Proxy
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.ranges import content_range, parse_ranges
from objectstore.s3compat import sigv4
from objectstore.s3compat.credentials import KeyStore, S3User
from objectstore.s3compat.multipart import Multipart
from objectstore.s3compat.responses import (
    STORED,
    S3Error,
    el,
    error_for,
    error_xml,
    iso,
    object_headers_out,
    quote_etag,
    request_id,
    stored_checksums,
    url_encode,
    xml_doc,
    xml_response,
)
from objectstore.s3compat.sigv2 import parse_v2, verify_v2
from objectstore.s3compat.uploads import (
    check_small_body,
    object_headers_in,
    request_stream,
    upload_body,
    user_meta,
)
from objectstore.s3compat.xmlbody import delete_keys, parse, read_limited
from objectstore.timestamps import Timestamp

BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
OWNER = "<Owner><ID>{0}</ID><DisplayName>{0}</DisplayName></Owner>"


class S3API:
    def __init__(self, proxy: Proxy, keys: KeyStore,
                 domains: tuple[str, ...] = ("localhost",)) -> None:
        self.proxy = proxy
        self.containers = Containers(proxy)
        self.keys = keys
        self.multipart = Multipart(proxy, self.containers)
        # Host <bucket>.<domain> names the bucket (virtual-hosted style).
        self.domains = tuple(d.lower().strip(".") for d in domains if d)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        req_id = request_id()
        request = Request(scope, receive)
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        raw_path = raw_path.split("?", 1)[0]
        try:
            response = await self.handle(request, raw_path)
        except errors.ObjectStoreError as exc:
            status, code, message = error_for(exc)
            body = b"" if request.method == "HEAD" or status == 304 else error_xml(
                code, message, unquote(raw_path), req_id)
            response = Response(body, status_code=status, media_type="application/xml")
        except ClientDisconnect:
            response = Response(b"", status_code=400)
        response.headers["x-amz-request-id"] = req_id
        response.headers["x-amz-id-2"] = req_id
        await response(scope, receive, send)

    def authenticate(self, request: Request, raw_path: str, query: list[tuple[str, str]]
                     ) -> tuple[S3User, sigv4.SignedRequest | None, bytes]:
        """Who signed the request (SigV4, or SigV2 for older clients); anonymous requests
        are denied. Returns the user, the SigV4 claims and signing key (for chunks)."""
        headers = {k.lower(): v for k, v in request.headers.items()}
        v2 = parse_v2(headers, query)
        if v2 is not None:
            user = self._user(v2.access_key)
            verify_v2(request.method, raw_path, query, headers, v2, user.secret)
            return user, None, b""
        if "authorization" in headers:
            signed = sigv4.parse_authorization(headers)
        elif any(k == "X-Amz-Signature" for k, _ in query):
            signed = sigv4.parse_presigned(query)
        else:
            raise S3Error(403, "AccessDenied", "Access Denied")
        user = self._user(signed.credential.access_key)
        key = sigv4.verify(request.method, raw_path, query, headers, signed, user.secret)
        return user, signed, key

    def _user(self, access_key: str) -> S3User:
        user = self.keys.get(access_key)
        if user is None:
            raise S3Error(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided "
                          "does not exist in our records.")
        return user

    async def handle(self, request: Request, raw_path: str) -> Response:
        query = sigv4.split_query(request.scope.get("query_string", b"").decode("latin-1"))
        user, signed, key = self.authenticate(request, raw_path, query)
        bucket, obj = self.bucket_and_key(request.headers.get("host", ""), raw_path)
        params = dict(query)
        account = user.swift_account
        method = request.method
        if not bucket:
            if method == "GET":
                return await self.list_buckets(user)
            raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed")
        if not obj:
            return await self.bucket_op(request, account, bucket, params, user)
        return await self.object_op(request, account, bucket, obj, params, signed, key)

    def bucket_and_key(self, host: str, raw_path: str) -> tuple[str, str]:
        """Virtual-hosted style when the Host is <bucket>.<domain>, else path style."""
        name = host.rsplit(":", 1)[0].lower() if not host.startswith("[") else ""
        path = unquote(raw_path)
        for domain in self.domains:
            if name.endswith("." + domain):
                return name[:-len(domain) - 1], path[1:] if path.startswith("/") else path
        bucket, _, obj = path.lstrip("/").partition("/")
        return bucket, obj

    # -- buckets -------------------------------------------------------------------------
    async def list_buckets(self, user: S3User) -> Response:
        listing = await self.containers.list_account(user.swift_account)
        buckets = "".join(f"<Bucket>{el('Name', e['name'])}"
                          f"{el('CreationDate', iso(Timestamp.parse(e['timestamp'])))}</Bucket>"
                          for e in listing.entries if "name" in e and "+" not in e["name"])
        body = OWNER.format(user.account) + f"<Buckets>{buckets}</Buckets>"
        return xml_response(xml_doc("ListAllMyBucketsResult", body))

    async def bucket_op(self, request: Request, account: str, bucket: str,
                        params: dict[str, str], user: S3User) -> Response:
        method = request.method
        unsupported = set(params) - {"list-type", "prefix", "delimiter", "max-keys",
                                     "continuation-token", "start-after", "marker",
                                     "encoding-type", "fetch-owner", "location",
                                     "versioning", "acl", "delete", "uploads", "versions",
                                     "key-marker", "version-id-marker"}
        if unsupported:
            raise S3Error(501, "NotImplemented", f"{sorted(unsupported)[0]} is not "
                          "implemented yet")
        if "acl" in params:
            return await self.acl(request, account, bucket, None, user)
        if method == "PUT":
            _only_private_acl(request)
            if not valid_bucket_name(bucket):
                raise S3Error(400, "InvalidBucketName", "The specified bucket is not valid.")
            await request.body()          # location constraint: any region is ours
            created = await self.containers.put_container(account, bucket, {})
            if not created:
                raise S3Error(409, "BucketAlreadyOwnedByYou", "Your previous request to "
                              "create the named bucket succeeded and you already own it.")
            return Response(status_code=200, headers={"location": f"/{bucket}"})
        await self.containers.head_container(account, bucket)     # NoSuchBucket
        if method == "HEAD":
            return Response(status_code=200, headers={"x-amz-bucket-region": "us-east-1"})
        if method == "DELETE":
            await self.containers.delete_container(account, bucket)
            return Response(status_code=204)
        if method == "POST" and "delete" in params:
            return await self.delete_objects(request, account, bucket)
        if method == "GET" and "versions" in params:
            return await self.list_versions(account, bucket, params, user)
        if method == "GET" and "uploads" in params:
            return xml_response(await self.multipart.list_uploads(account, bucket))
        if method == "GET" and "versioning" in params:
            return xml_response(xml_doc("VersioningConfiguration", ""))
        if method == "GET" and "location" in params:
            return xml_response(xml_doc("LocationConstraint", ""))
        if method == "GET":
            return await self.list_objects(account, bucket, params, user)
        raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed")

    async def list_versions(self, account: str, bucket: str, params: dict[str, str],
                            user: S3User) -> Response:
        """ListObjectVersions of an unversioned bucket: every object once, as version
        "null" (what S3 answers before versioning is ever enabled)."""
        try:
            max_keys = min(int(params.get("max-keys", "1000")), 1000)
        except ValueError:
            raise S3Error(400, "InvalidArgument", "max-keys must be a number") from None
        prefix, delimiter = params.get("prefix", ""), params.get("delimiter", "")
        listing = await self.containers.list_container(
            account, bucket, prefix=prefix, delimiter=delimiter,
            marker=params.get("key-marker", ""), limit=max_keys + 1)
        entries = listing.entries[:max_keys]
        truncated = len(listing.entries) > max_keys
        owner = OWNER.format(user.account)
        parts = [el("Name", bucket), el("Prefix", prefix), el("KeyMarker",
                                                              params.get("key-marker", "")),
                 el("VersionIdMarker", ""), el("MaxKeys", max_keys),
                 el("IsTruncated", str(truncated).lower())]
        if delimiter:
            parts.append(el("Delimiter", delimiter))
        for e in entries:
            if "subdir" in e:
                parts.append(f"<CommonPrefixes>{el('Prefix', e['subdir'])}</CommonPrefixes>")
                continue
            parts.append(f"<Version>{el('Key', e['name'])}{el('VersionId', 'null')}"
                         f"{el('IsLatest', 'true')}"
                         f"{el('LastModified', iso(Timestamp.parse(e['timestamp'])))}"
                         f"{el('ETag', quote_etag(e['hash']))}{el('Size', e['bytes'])}"
                         f"{owner}{el('StorageClass', 'STANDARD')}</Version>")
        if truncated and entries:
            last = str(entries[-1].get("name") or entries[-1].get("subdir") or "")
            parts += [el("NextKeyMarker", last), el("NextVersionIdMarker", "null")]
        return xml_response(xml_doc("ListVersionsResult", "".join(parts)))

    async def list_objects(self, account: str, bucket: str, params: dict[str, str],
                           user: S3User) -> Response:
        v2 = params.get("list-type") == "2"
        try:
            max_keys = min(int(params.get("max-keys", "1000")), 1000)
        except ValueError:
            raise S3Error(400, "InvalidArgument", "max-keys must be a number") from None
        if max_keys < 0:
            raise S3Error(400, "InvalidArgument", "max-keys must be >= 0")
        token = params.get("continuation-token")
        if v2 and token:
            try:
                marker = base64.urlsafe_b64decode(token.encode()).decode()
            except ValueError:
                raise S3Error(400, "InvalidArgument", "bad continuation token") from None
        else:
            marker = params.get("start-after" if v2 else "marker", "")
        prefix, delimiter = params.get("prefix", ""), params.get("delimiter", "")
        listing = await self.containers.list_container(
            account, bucket, prefix=prefix, delimiter=delimiter, marker=marker,
            limit=max_keys + 1)
        entries = listing.entries[:max_keys]
        truncated = len(listing.entries) > max_keys
        encode = params.get("encoding-type") == "url"
        name = (lambda s: url_encode(s)) if encode else (lambda s: s)
        owner = OWNER.format(user.account) if (not v2 or params.get("fetch-owner")) else ""
        parts = [el("Name", bucket), el("Prefix", name(prefix)), el("MaxKeys", max_keys),
                 el("IsTruncated", str(truncated).lower())]
        if delimiter:
            parts.append(el("Delimiter", name(delimiter)))
        if encode:
            parts.append(el("EncodingType", "url"))
        for e in entries:
            if "subdir" in e:
                parts.append(f"<CommonPrefixes>{el('Prefix', name(e['subdir']))}"
                             "</CommonPrefixes>")
                continue
            parts.append(f"<Contents>{el('Key', name(e['name']))}"
                         f"{el('LastModified', iso(Timestamp.parse(e['timestamp'])))}"
                         f"{el('ETag', quote_etag(e['hash']))}{el('Size', e['bytes'])}"
                         f"{el('StorageClass', 'STANDARD')}{owner}</Contents>")
        last = str(entries[-1].get("name") or entries[-1].get("subdir") or "") if entries else ""
        if v2:
            parts.append(el("KeyCount", len(entries)))
            if token:
                parts.append(el("ContinuationToken", token))
            if truncated:
                parts.append(el("NextContinuationToken",
                                base64.urlsafe_b64encode(last.encode()).decode()))
            if params.get("start-after"):
                parts.append(el("StartAfter", name(params["start-after"])))
        else:
            parts.append(el("Marker", name(marker)))
            if truncated and delimiter:
                parts.append(el("NextMarker", name(last)))
        return xml_response(xml_doc("ListBucketResult", "".join(parts)))

    # -- objects -------------------------------------------------------------------------
    async def object_op(self, request: Request, account: str, bucket: str, obj: str,
                        params: dict[str, str], signed: sigv4.SignedRequest | None,
                        key: bytes) -> Response:
        unsupported = set(params) - {"response-content-type", "response-content-language",
                                     "response-expires", "response-cache-control",
                                     "response-content-disposition",
                                     "response-content-encoding", "X-Amz-Algorithm",
                                     "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires",
                                     "X-Amz-SignedHeaders", "X-Amz-Signature",
                                     "AWSAccessKeyId", "Signature", "Expires", "x-id",
                                     "acl", "uploads", "uploadId", "partNumber"}
        if params.get("versionId") == "null":      # the only version an object has so far
            unsupported.discard("versionId")
        if unsupported:
            raise S3Error(501, "NotImplemented", f"{sorted(unsupported)[0]} is not "
                          "implemented yet")
        if len(obj.encode()) > 1024:
            raise S3Error(400, "KeyTooLongError", "Your key is too long")
        method = request.method
        if "acl" in params:
            return await self.acl(request, account, bucket, obj, None)
        if "uploads" in params or "uploadId" in params:
            return await self.multipart_op(request, account, bucket, obj, params, signed, key)
        if method == "PUT":
            _only_private_acl(request)
            if "x-amz-copy-source" in request.headers:
                return await self.copy_object(request, account, bucket, obj)
            return await self.put_object(request, account, bucket, obj, signed, key)
        if method in ("GET", "HEAD"):
            return await self.get_object(request, account, bucket, obj, params)
        if method == "DELETE":
            await self.containers.head_container(account, bucket)
            with contextlib.suppress(errors.ObjectNotFound):     # S3 deletes are idempotent
                handle = await self.proxy.open_object(account, bucket, obj)
                await self.proxy.delete_object(account, bucket, obj)
                if isinstance(handle, ManifestHandle):          # and its parts go too
                    for seg in handle.segments:
                        with contextlib.suppress(errors.NotFound):
                            await self.proxy.delete_object(account, seg.container, seg.name)
            return Response(status_code=204)
        raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed")

    async def put_object(self, request: Request, account: str, bucket: str, obj: str,
                         signed: sigv4.SignedRequest | None, key: bytes) -> Response:
        h = request.headers
        meta = user_meta(h)
        await self.containers.head_container(account, bucket)
        await self._check_write_conditions(request, account, bucket, obj)
        headers = object_headers_in(h, meta)
        body, body_headers, stored = upload_body(request, signed, key)
        result = await self.proxy.put_object(account, bucket, obj, body,
                                             {**headers, **body_headers})
        out = {"etag": quote_etag(result["etag"])}
        for name, value in stored.items():
            out[f"x-amz-checksum-{name}"] = value
        return Response(status_code=200, headers=out)

    async def multipart_op(self, request: Request, account: str, bucket: str, obj: str,
                           params: dict[str, str], signed: sigv4.SignedRequest | None,
                           key: bytes) -> Response:
        method, upload_id = request.method, params.get("uploadId", "")
        if method == "POST" and "uploads" in params:
            headers = object_headers_in(request.headers, user_meta(request.headers))
            return xml_response(await self.multipart.create(account, bucket, obj, headers))
        if method == "PUT" and "partNumber" in params:
            try:
                number = int(params["partNumber"])
            except ValueError:
                raise S3Error(400, "InvalidArgument", "Part number must be an integer "
                              "between 1 and 10000, inclusive") from None
            if "x-amz-copy-source" in request.headers:
                return await self.upload_part_copy(request, account, bucket, obj, upload_id,
                                                   number)
            body, body_headers, stored = upload_body(request, signed, key)
            etag = await self.multipart.upload_part(account, bucket, obj, upload_id, number,
                                                    body, body_headers)
            out = {"etag": quote_etag(etag)}
            out.update({f"x-amz-checksum-{n}": v for n, v in stored.items()})
            return Response(status_code=200, headers=out)
        if method == "POST":
            parts = await read_limited(request_stream(request))
            await check_small_body(parts, request)
            doc, _ = await self.multipart.complete(account, bucket, obj, upload_id, parts)
            return xml_response(doc)
        if method == "DELETE":
            await self.multipart.abort(account, bucket, obj, upload_id)
            return Response(status_code=204)
        if method == "GET":
            return xml_response(await self.multipart.list_parts(account, bucket, obj, upload_id))
        raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed")

    async def upload_part_copy(self, request: Request, account: str, bucket: str, obj: str,
                               upload_id: str, number: int) -> Response:
        """A part copied from an existing object, whole or one byte range of it."""
        src_bucket, src_key = copy_source(request.headers["x-amz-copy-source"])
        await self.containers.head_container(account, src_bucket)
        handle = await self.proxy.open_object(account, src_bucket, src_key)
        size = int(handle.headers.get("content-length", "0"))
        wanted = request.headers.get("x-amz-copy-source-range")
        spans = parse_ranges(wanted, size) if wanted else None
        if wanted and (spans is None or len(spans) != 1):
            raise S3Error(400, "InvalidArgument", "The x-amz-copy-source-range value must "
                          "be of the form bytes=first-last where first and last are the "
                          "zero-based offsets of the first and last bytes to copy")
        start, end = spans[0] if spans else (0, size)
        stream = await handle.read(f"bytes={start}-{end - 1}" if spans else None)
        etag = await self.multipart.upload_part(account, bucket, obj, upload_id, number,
                                                stream.body,
                                                {"content-length": str(end - start)})
        body = el("LastModified", iso(Timestamp.now())) + el("ETag", quote_etag(etag))
        return xml_response(xml_doc("CopyPartResult", body))

    async def _check_write_conditions(self, request: Request, account: str, bucket: str,
                                      obj: str) -> None:
        """Conditional writes: If-None-Match: * (create only) and If-Match (replace)."""
        if "if-none-match" not in request.headers and "if-match" not in request.headers:
            return
        try:
            node = await self.proxy.head_object(account, bucket, obj)
            etag: str | None = node.get("etag")
        except errors.ObjectNotFound:
            if "if-match" in request.headers:
                raise S3Error(404, "NoSuchKey", "The specified key does not exist.") from None
            etag = None
        check_conditions(dict(request.headers), etag, None, safe_method=False)

    async def delete_objects(self, request: Request, account: str, bucket: str) -> Response:
        body = await read_limited(request_stream(request))
        await check_small_body(body, request)
        keys, quiet = delete_keys(body)
        results = []
        for key in keys:
            try:
                with contextlib.suppress(errors.ObjectNotFound):
                    await self.proxy.delete_object(account, bucket, key)
                if not quiet:
                    results.append(f"<Deleted>{el('Key', key)}</Deleted>")
            except errors.ObjectStoreError as exc:
                _, code, message = error_for(exc)
                results.append(f"<Error>{el('Key', key)}{el('Code', code)}"
                               f"{el('Message', message)}</Error>")
        return xml_response(xml_doc("DeleteResult", "".join(results)))

    async def acl(self, request: Request, account: str, bucket: str, obj: str | None,
                  user: S3User | None) -> Response:
        """Only the canned `private` ACL exists so far: the owner has FULL_CONTROL."""
        await self.containers.head_container(account, bucket)
        if obj is not None:
            await self.proxy.head_object(account, bucket, obj)
        owner = account.removeprefix("AUTH_")
        if request.method == "PUT":
            _only_private_acl(request)
            body = await read_limited(request_stream(request))
            if body.strip():
                grants = parse(body).iter("Permission")
                if any(g.text != "FULL_CONTROL" for g in grants):
                    raise S3Error(501, "NotImplemented", "only the private ACL is supported")
            return Response(status_code=200)
        if request.method != "GET":
            raise S3Error(405, "MethodNotAllowed", "The specified method is not allowed")
        grant = ('<AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/'
                 'XMLSchema-instance" xsi:type="CanonicalUser">'
                 f"{el('ID', owner)}{el('DisplayName', owner)}</Grantee>"
                 "<Permission>FULL_CONTROL</Permission></Grant></AccessControlList>")
        return xml_response(xml_doc("AccessControlPolicy", OWNER.format(owner) + grant))

    async def copy_object(self, request: Request, account: str, bucket: str,
                          obj: str) -> Response:
        src_bucket, src_key = copy_source(request.headers["x-amz-copy-source"])
        directive = request.headers.get("x-amz-metadata-directive", "COPY").upper()
        if directive not in ("COPY", "REPLACE"):
            raise S3Error(400, "InvalidArgument", "Unknown metadata directive.")
        if (src_bucket, src_key) == (bucket, obj) and directive == "COPY":
            raise S3Error(400, "InvalidRequest", "This copy request is illegal because it is "
                          "trying to copy an object to itself without changing the "
                          "object's metadata, storage class, website redirect location or "
                          "encryption attributes.")
        await self.containers.head_container(account, bucket)
        await self.containers.head_container(account, src_bucket)
        handle = await self.proxy.open_object(account, src_bucket, src_key)
        node = handle.headers
        conditions = {k[len("x-amz-copy-source-"):]: v for k, v in request.headers.items()
                      if k.startswith("x-amz-copy-source-if-")}
        try:
            check_conditions(conditions, node.get("etag"),
                             Timestamp.parse(node["x-timestamp"]).seconds, safe_method=True)
        except errors.NotModified:
            raise S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you "
                          "specified did not hold") from None
        if directive == "COPY":
            headers = {k: v for k, v in node.items()
                       if k in STORED or k.startswith("x-object-meta-")}
        else:
            h = request.headers
            headers = {k: h[k] for k in STORED if k in h}
            headers.setdefault("content-type", "binary/octet-stream")
            headers.update({"x-object-meta-" + k[len("x-amz-meta-"):]: v
                            for k, v in h.items() if k.startswith("x-amz-meta-")})
        headers["content-length"] = node.get("content-length", "0")
        stream = await handle.read()
        result = await self.proxy.put_object(account, bucket, obj, stream.body, headers)
        ts = Timestamp.parse(result["x-timestamp"])
        body = el("LastModified", iso(ts)) + el("ETag", quote_etag(result["etag"]))
        return xml_response(xml_doc("CopyObjectResult", body))

    async def get_object(self, request: Request, account: str, bucket: str, obj: str,
                         params: dict[str, str]) -> Response:
        await self.containers.head_container(account, bucket)
        handle = await self.proxy.open_object(account, bucket, obj)
        node = handle.headers
        ts = Timestamp.parse(node["x-timestamp"])
        size = int(node.get("content-length", "0"))
        headers = object_headers_out(node, ts)
        whole = "range" not in request.headers      # a part's checksum is not the object's
        if whole and request.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED":
            headers.update(stored_checksums(node))
        try:
            check_conditions(dict(request.headers), node.get("etag"), ts.seconds,
                             request.method in ("GET", "HEAD"))
        except errors.NotModified:
            return Response(status_code=304, headers={"etag": headers["etag"],
                                                      "last-modified": headers["last-modified"]})
        for k, v in params.items():
            if k.startswith("response-"):
                headers[k[len("response-"):]] = v
        part_span = _part_span(handle, params.get("partNumber"), size)
        if part_span is not None:
            start, end, count = part_span
            headers["x-amz-mp-parts-count"] = str(count)
            headers["content-length"] = str(end - start)
            headers["content-range"] = content_range(start, end, size)
            if request.method == "HEAD":
                return Response(status_code=206, headers=headers)
            stream = await handle.read(f"bytes={start}-{end - 1}")
            return StreamingResponse(stream.body, status_code=206, headers=headers)
        if request.method == "HEAD":
            return Response(status_code=200, headers=headers)
        spans = parse_ranges(request.headers.get("range"), size)
        if spans is None or len(spans) > 1:
            stream = await handle.read()
            return StreamingResponse(stream.body, status_code=200, headers=headers)
        (start, end), = spans
        stream = await handle.read(f"bytes={start}-{end - 1}")
        headers["content-length"] = str(end - start)
        headers["content-range"] = content_range(start, end, size)
        return StreamingResponse(stream.body, status_code=206, headers=headers)


def _part_span(handle: ObjectHandle | ManifestHandle, part: str | None,
               size: int) -> tuple[int, int, int] | None:
    """(start, end, parts) of part `part` of an object; a plain object has one part."""
    if part is None:
        return None
    if not part.isdigit() or int(part) < 1:
        raise S3Error(400, "InvalidArgument", "Part number must be an integer between 1 and "
                      "10000, inclusive")
    sizes = ([s.size for s in handle.segments] if isinstance(handle, ManifestHandle)
             else [size])
    number = int(part)
    if number > len(sizes):
        raise S3Error(416, "InvalidPartNumber", "The requested partnumber is not "
                      "satisfiable")
    start = sum(sizes[:number - 1])
    return start, start + sizes[number - 1], len(sizes)


def copy_source(header: str) -> tuple[str, str]:
    """`x-amz-copy-source`: URL-encoded `[/]bucket/key[?versionId=...]`."""
    source = unquote(header.split("?", 1)[0]).lstrip("/")
    bucket, _, key = source.partition("/")
    if not bucket or not key:
        raise S3Error(400, "InvalidArgument", "Copy Source must mention the source bucket "
                      "and key: sourcebucket/sourcekey")
    return bucket, key


def valid_bucket_name(name: str) -> bool:
    """S3's rules: 3-63 of a-z 0-9 . -, starting and ending alphanumeric, no '..', not
    an IP address."""
    return (bool(BUCKET_NAME.match(name)) and ".." not in name and ".-" not in name
            and "-." not in name and not re.fullmatch(r"\d+\.\d+\.\d+\.\d+", name))


def _only_private_acl(request: Request) -> None:
    acl = request.headers.get("x-amz-acl")
    if acl not in (None, "private") or any(k.startswith("x-amz-grant-")
                                           for k in request.headers):
        raise S3Error(501, "NotImplemented", "only the private ACL is supported")
