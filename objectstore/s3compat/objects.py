"""Object operations: PutObject (with conditional writes), GetObject/HeadObject (ranges,
conditions, response-* overrides, partNumber, checksum mode), CopyObject,
GetObjectAttributes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.crypto.protection import kept_encryption, protection_of
from objectstore.http.bodies import body_response
from objectstore.http.conditions import check_conditions
from objectstore.http.ranges import ByteRange
from objectstore.http.reads import ReadPolicy, answer_read
from objectstore.proxy import copies
from objectstore.proxy.copies import SourceConditions
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle, Segment
from objectstore.proxy.object_info import ObjectInfo
from objectstore.proxy.put_options import Encryption, PutOptions
from objectstore.s3compat import object_lock, s3errors, sigv4, sse, storage_class, tagging
from objectstore.s3compat.copying import copy_source
from objectstore.s3compat.responses import (
    el,
    iso,
    object_headers_out,
    quote_etag,
    xml_doc,
    xml_response,
)
from objectstore.s3compat.uploads import (
    object_options,
    upload_body,
    user_meta,
    write_conditions,
)
from objectstore.s3compat.versioning import S3Versioning, shown_id
from objectstore.timestamps import Timestamp

# adds headers to a read once the object is open (x-amz-expiration: lifecycle.py)
Decorate = Callable[[ObjectHandle | ManifestHandle], Awaitable[Mapping[str, str]]]
ATTRIBUTES = {"ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"}
READS = ReadPolicy(multi_range=False)    # several ranges: the whole object, as S3 does


def mtime(ts: Timestamp) -> float:
    """An object's modification time as HTTP dates carry it: whole seconds, rounded
    down, so Last-Modified, listings and If-(Un)Modified-Since all agree."""
    return float(int(ts.seconds))


async def put_object(request: Request, versioning: S3Versioning, account: str, bucket: str,
                     key: str, signed: sigv4.SignedRequest | None, signing_key: bytes,
                     acl: Mapping[str, str] | None = None,
                     encryption: Encryption | None = None) -> Response:
    """PutObject; `acl`: the system metadata keeping the ACL it asks for (acl.py);
    `encryption`: what it asks for, or the bucket's default (sse.py)."""
    h = request.headers
    options = write_conditions(h, object_options(h, user_meta(h)))
    options.system_metadata.update(acl or {})
    options.encryption = encryption
    body, verified = upload_body(request, signed, signing_key, options)
    result, vid = await versioning.store(account, bucket, key, body, options)
    out = {"etag": quote_etag(result.etag)}
    if encryption is not None:
        out.update(sse.answer_headers(encryption.protection))
    if vid is not None:
        out["x-amz-version-id"] = vid
    for name, value in verified.items():
        out[f"x-amz-checksum-{name}"] = value
    return Response(status_code=200, headers=out)


async def copy_object(request: Request, versioning: S3Versioning, account: str, bucket: str,
                      key: str, source_account: str | None = None,
                      acl: Mapping[str, str] | None = None,
                      encryption: Encryption | None = None) -> Response:
    """CopyObject: metadata COPY (the default) or REPLACE, copy-source conditions; from
    the current version of the source or the one it names (in `source_account`, when
    the source bucket is another account's). The copy gets the ACL the request asks
    for (`acl`), never the source's; and the encryption it asks for (`encryption`: or
    the bucket's default), else the source's own SSE-S3 or SSE-KMS (an encrypted
    object's copy is encrypted too). An SSE-C source is read with the copy-source
    customer key headers."""
    source_account = source_account or account
    h = request.headers
    src_bucket, src_key, src_vid = copy_source(h["x-amz-copy-source"])
    if "x-amz-checksum-algorithm" in h:
        raise s3errors.not_implemented("a checksum computed while copying")
    directive = h.get("x-amz-metadata-directive", "COPY").upper()
    if directive not in ("COPY", "REPLACE"):
        raise s3errors.InvalidArgument("Unknown metadata directive.")
    if (src_bucket, src_key) == (bucket, key) and directive == "COPY" and src_vid is None \
            and storage_class.HEADER not in h and not any(k.startswith(sse.SSE) for k in h):
        raise s3errors.InvalidRequest(
            "This copy request is illegal because it is trying to copy an object to itself "
            "without changing the object's metadata, storage class, website redirect "
            "location or encryption attributes.")
    conditions = SourceConditions({k[len("x-amz-copy-source-"):]: v for k, v in h.items()
                                   if k.startswith("x-amz-copy-source-if-")},
                                  mtime, as_read=True)

    def destination(source: ObjectInfo) -> PutOptions:
        if directive == "COPY":
            options = PutOptions(content_type=source.content_type,
                                 content_headers=source.content_headers,
                                 user_metadata=source.user_metadata)
        else:
            options = object_options(h, user_meta(h))
        tagging.on_copy(h, source.system.other, options)
        if directive == "COPY":         # (REPLACE's options read them already)
            object_lock.requested(h, options.system_metadata)
            storage_class.on_write(h, options)     # the request's, never the source's
        options.system_metadata.update(acl or {})
        options.encryption = encryption or kept_encryption(source.system.other)
        return write_conditions(h, options)

    source_state = await versioning.state(source_account, src_bucket)
    shown: dict[str, str] = {}

    async def opened(handle: ObjectHandle | ManifestHandle) -> ObjectHandle | ManifestHandle:
        handle.customer_key = sse.unlock(protection_of(handle.headers), h, sse.COPY_CUSTOMER)
        vid = src_vid or shown_id(handle.headers, source_state)
        if vid is not None:
            shown["x-amz-copy-source-version-id"] = vid
        return handle

    where = (src_bucket, src_key)
    if src_vid is not None:
        where = await versioning.locate(source_account, src_bucket, src_key, src_vid)
    _, result = await copies.copy_object(versioning.proxy, (source_account, *where),
                                         (account, bucket, key), conditions, destination,
                                         resolve=opened, write=versioning.put_object)
    assert result is not None
    if result.version_id is not None:
        shown["x-amz-version-id"] = result.version_id
    body = (el("LastModified", iso(result.timestamp)) + el("ETag", quote_etag(result.etag)))
    shown.update(sse.answer_headers(result.protection))
    return xml_response(xml_doc("CopyObjectResult", body), shown)


def _checksum_out(info: ObjectInfo) -> dict[str, str]:
    """x-amz-checksum-* of the whole object (checksum mode)."""
    found = {f"x-amz-checksum-{k}": v for k, v in info.system.checksums.items()}
    if info.system.checksum_type:
        found["x-amz-checksum-type"] = info.system.checksum_type
    if found and "x-amz-checksum-type" not in found:
        found["x-amz-checksum-type"] = "FULL_OBJECT"      # a single-part upload's
    return found


def _checksum_mode(request: Request) -> bool:
    return request.headers.get("x-amz-checksum-mode", "").upper() == "ENABLED"


async def get_object(request: Request, versioning: S3Versioning, account: str, bucket: str,
                     key: str, params: dict[str, str], vid: str | None, state: str,
                     decorate: Decorate | None = None) -> Response:
    """GetObject/HeadObject of the current version or the one `vid` names (`state`:
    the bucket's versioning, for the x-amz-version-id answered); `decorate` adds
    headers once the object is open."""
    whole = request.method == "GET" and "range" not in request.headers \
        and "partNumber" not in params
    handle = await versioning.open(account, bucket, key, vid, prefetch=whole)
    try:
        extra = await decorate(handle) if decorate is not None else None
        return await _answer_get(request, handle, params, shown_id(handle.headers, state),
                                 extra)
    finally:
        handle.discard()            # unless the response is streaming it


async def _answer_get(request: Request, handle: ObjectHandle | ManifestHandle,
                      params: dict[str, str], vid: str | None,
                      extra: Mapping[str, str] | None = None) -> Response:
    sse.refuse_on_read(request.headers)
    if "partNumber" in params:          # a part that is not there: before any key check
        _part_number(params["partNumber"], len(_segments(handle)))
    handle.customer_key = sse.unlock(protection_of(handle.headers), request.headers)
    ts = handle.timestamp
    headers = object_headers_out(handle.headers, ts)
    headers.update(sse.object_headers(handle.headers))
    tagging.add_count(handle.headers, headers)
    storage_class.header_out(handle.headers, headers)
    if vid is not None:
        headers["x-amz-version-id"] = vid
    headers.update(object_lock.read_headers(handle.headers))
    if extra:
        headers.update(extra)
    for k, v in params.items():
        if k.startswith("response-"):
            headers[k[len("response-"):]] = v
    conditions = dict(request.headers)
    try:
        if "partNumber" in params:
            check_conditions(conditions, handle.etag, mtime(ts), safe_method=True)
            return await _get_part(request, handle, params["partNumber"], headers)
        if "range" not in conditions and _checksum_mode(request):
            headers.update(_checksum_out(handle.info))   # a range's is not the object's
        return await answer_read(handle, request.method, conditions, headers, mtime(ts),
                                 READS)
    except errors.NotModified:
        return Response(status_code=304, headers={"etag": headers["etag"],
                                                  "last-modified": headers["last-modified"]})


def _part_number(part: str, parts: int) -> int:
    """The part a partNumber names, of an object of `parts` parts."""
    if not part.isdigit() or not 1 <= int(part) <= 10_000:
        raise s3errors.InvalidArgument("Part number must be an integer between 1 and "
                                       "10000, inclusive")
    if int(part) > parts:
        raise s3errors.InvalidPart("The requested partnumber is not satisfiable")
    return int(part)


def _segments(handle: ObjectHandle | ManifestHandle) -> list[Segment]:
    """An object's parts; a plain object is its own single part."""
    if isinstance(handle, ManifestHandle):
        return handle.segments
    return [Segment("", "", handle.size, handle.etag)]


async def _get_part(request: Request, handle: ObjectHandle | ManifestHandle, part: str,
                    headers: dict[str, str]) -> Response:
    """GetObject/HeadObject of one part of a multipart object (part 1 of a plain one)."""
    segments = _segments(handle)
    number = _part_number(part, len(segments))
    start = sum(s.length for s in segments[:number - 1])
    span = ByteRange(start, start + segments[number - 1].length)
    system = handle.info.system
    if system.checksum_type:
        headers["x-amz-checksum-type"] = system.checksum_type
    checksum = segments[number - 1].checksum
    if checksum and _checksum_mode(request) and system.s3_checksum_algorithm:
        headers[f"x-amz-checksum-{system.s3_checksum_algorithm}"] = checksum
    headers["x-amz-mp-parts-count"] = str(len(segments))
    headers["content-length"] = str(span.length)
    headers["content-range"] = span.content_range(handle.size)
    if request.method == "HEAD":
        return Response(status_code=206, headers=headers)
    stream = await handle.read(span)
    return body_response(stream, 206, headers)


async def object_attributes(request: Request, versioning: S3Versioning, account: str,
                            bucket: str, key: str, vid: str | None, state: str) -> Response:
    """GetObjectAttributes: the attributes named in x-amz-object-attributes."""
    wanted = {a.strip() for a in request.headers.get("x-amz-object-attributes", "").split(",")
              if a.strip()}
    if not wanted or wanted - ATTRIBUTES:
        raise s3errors.InvalidArgument("Invalid attribute name specified.")
    handle = await versioning.open(account, bucket, key, vid)
    handle.discard()
    sse.refuse_on_read(request.headers)
    sse.unlock(protection_of(handle.headers), request.headers)
    info = handle.info
    body = ""
    if "ETag" in wanted:
        body += el("ETag", info.etag)
    if "Checksum" in wanted and info.system.checksums:
        body += "<Checksum>" + "".join(
            el("Checksum" + k.upper(), v) for k, v in info.system.checksums.items()) \
            + el("ChecksumType", info.system.checksum_type or "FULL_OBJECT") + "</Checksum>"
    if "ObjectParts" in wanted and isinstance(handle, ManifestHandle):
        body += _parts_xml(request, handle, info.system.s3_checksum_algorithm)
    if "StorageClass" in wanted:
        body += el("StorageClass", storage_class.of(handle.headers))
    if "ObjectSize" in wanted:
        body += el("ObjectSize", info.size)
    headers = {"last-modified": object_headers_out(handle.headers, info.timestamp)[
        "last-modified"]}
    shown = shown_id(handle.headers, state)
    if shown is not None:
        headers["x-amz-version-id"] = shown
    return Response(xml_doc("GetObjectAttributesResponse", body), status_code=200,
                    headers=headers, media_type="application/xml")


def _parts_xml(request: Request, handle: ManifestHandle, algorithm: str) -> str:
    h = request.headers
    try:
        limit = min(int(h.get("x-amz-max-parts", "1000")), 1000)
        after = int(h.get("x-amz-part-number-marker", "0"))
    except ValueError:
        limit = after = -1
    if limit < 0 or after < 0:
        raise s3errors.InvalidArgument("max-parts and part-number-marker must be "
                                       "integers of 0 or more")
    numbered = list(enumerate(handle.segments, start=1))
    shown = [(n, s) for n, s in numbered if n > after][:limit]
    truncated = bool(shown) and shown[-1][0] < len(numbered)
    parts = "".join(
        f"<Part>{el('PartNumber', n)}{el('Size', s.length)}"
        + (el(f"Checksum{algorithm.upper()}", s.checksum) if s.checksum and algorithm else "")
        + "</Part>" for n, s in shown)
    return ("<ObjectParts>" + el("PartsCount", len(numbered)) + el("PartNumberMarker", after)
            + el("NextPartNumberMarker", shown[-1][0] if shown else after)
            + el("MaxParts", limit) + el("IsTruncated", str(truncated).lower())
            + parts + "</ObjectParts>")
