"""The HTTP side of multipart uploads: which request is which operation, its
parameters and headers, and the response; the upload logic is in multipart.py."""

from __future__ import annotations

import re
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore.crypto.protection import Encryption, protection_of
from objectstore.http.ranges import ByteRange
from objectstore.proxy.core import Proxy
from objectstore.proxy.put_options import PutOptions
from objectstore.s3compat import s3errors, sigv4, sse
from objectstore.s3compat.copying import copy_source
from objectstore.s3compat.multipart import Multipart
from objectstore.s3compat.responses import (
    el,
    iso,
    quote_etag,
    xml_doc,
    xml_response,
)
from objectstore.s3compat.uploads import (
    check_small_body,
    object_options,
    request_stream,
    upload_body,
    user_meta,
)
from objectstore.s3compat.versioning import S3Versioning
from objectstore.s3compat.xmlbody import read_limited
from objectstore.timestamps import Timestamp

COPY_RANGE = re.compile(r"^bytes=(\d+)-(\d+)$")


def _part_number(params: dict[str, str]) -> int:
    try:
        return int(params["partNumber"])
    except ValueError:
        raise s3errors.InvalidArgument("Part number must be an integer between 1 "
                                       "and 10000, inclusive") from None


def copy_range(header: str | None, size: int) -> tuple[int, int]:
    """[start, end) of `x-amz-copy-source-range: bytes=first-last` (the whole object
    without one); it must lie inside the source."""
    if header is None:
        return 0, size
    match = COPY_RANGE.match(header.strip())
    if not match:
        raise s3errors.InvalidArgument("The x-amz-copy-source-range value must be "
                                       "of the form bytes=first-last where first and last are the "
                                       "zero-based offsets of the first and last bytes to copy")
    first, last = int(match[1]), int(match[2])
    if first > last or last >= size:
        raise s3errors.InvalidRange()
    return first, last + 1


class MultipartRequests:
    def __init__(self, proxy: Proxy, multipart: Multipart, versioning: S3Versioning
                 ) -> None:
        self.proxy = proxy
        self.multipart = multipart
        self.versioning = versioning

    async def handle(self, request: Request, account: str, owner: str, bucket: str,
                     key: str, params: dict[str, str], signed: sigv4.SignedRequest | None,
                     signing_key: bytes, acl: Mapping[str, str] | None = None,
                     source_account: str | None = None,
                     encryption: Encryption | None = None) -> Response:
        """`acl`: the system metadata keeping the ACL CreateMultipartUpload asks for
        (acl.py); the completed object gets it. `encryption`: what
        CreateMultipartUpload asks for (or the bucket's default): every part is
        encrypted so (an SSE-C upload's parts and Complete bring the same key)."""
        method, upload_id = request.method, params.get("uploadId", "")
        if method == "POST" and "uploads" in params:
            options = object_options(request.headers, user_meta(request.headers))
            options.system_metadata.update(acl or {})
            doc, headers = await self.multipart.create(account, bucket, key, options,
                                                       request.headers, encryption)
            return Response(doc, status_code=200, headers=headers,
                            media_type="application/xml")
        if not upload_id:
            raise s3errors.InvalidRequest("uploadId is required")
        if method == "PUT" and "partNumber" in params:
            number = _part_number(params)
            if "x-amz-copy-source" in request.headers:
                return await self.upload_part_copy(request, account, bucket, key, upload_id,
                                                   source_account or account,
                                                   number)
            options = PutOptions()
            body, _ = upload_body(request, signed, signing_key, options)
            stored = await self.multipart.upload_part(account, bucket, key, upload_id,
                                                      number, body, options,
                                                      request.headers)
            out = {"etag": quote_etag(stored.etag), **sse.answer_headers(stored.protection)}
            out.update({"x-amz-checksum-" + k: v for k, v in stored.checksums.items()})
            return Response(status_code=200, headers=out)
        if method == "POST":
            parts = await read_limited(request_stream(request))
            await check_small_body(parts, request, own_checksums=False)
            doc, _, vid, protection = await self.multipart.complete(
                account, bucket, key, upload_id, parts, request.headers)
            out = sse.answer_headers(protection)
            if vid:
                out["x-amz-version-id"] = vid
            return xml_response(doc, out)
        if method == "DELETE":
            await self.multipart.abort(account, bucket, key, upload_id)
            return Response(status_code=204)
        if method == "GET":
            return xml_response(await self.multipart.list_parts(account, bucket, key,
                                                                upload_id, params, owner))
        raise s3errors.MethodNotAllowed()

    async def upload_part_copy(self, request: Request, account: str, bucket: str, key: str,
                               upload_id: str, source_account: str, number: int
                               ) -> Response:
        """A part copied from an existing object, whole or one byte range of it (in
        `source_account`: the source bucket's owner's, whose read was checked)."""
        src_bucket, src_key, vid = copy_source(request.headers["x-amz-copy-source"])
        handle = await self.versioning.open(source_account, src_bucket, src_key, vid)
        try:
            handle.customer_key = sse.unlock(protection_of(handle.headers), request.headers,
                                             sse.COPY_CUSTOMER)
            # the upload's own key, if it has one, before any byte is copied
            await self.multipart.part_encryption(account, bucket, key, upload_id,
                                                 request.headers)
        except BaseException:
            handle.discard()
            raise
        size = handle.size
        start, end = copy_range(request.headers.get("x-amz-copy-source-range"), size)
        stream = await handle.read(ByteRange(start, end) if end > start else None)
        stored = await self.multipart.upload_part(account, bucket, key, upload_id, number,
                                                  stream.body, PutOptions(length=end - start),
                                                  request.headers)
        body = el("LastModified", iso(Timestamp.now())) + el("ETag", quote_etag(stored.etag))
        out = sse.answer_headers(stored.protection)
        if vid:
            out["x-amz-copy-source-version-id"] = vid
        return xml_response(xml_doc("CopyPartResult", body), out)
