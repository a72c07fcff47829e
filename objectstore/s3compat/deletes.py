"""Deleting objects: one (DeleteObject, idempotent; a multipart object's parts go with
it) or up to 1,000 in one request (DeleteObjects, optionally Quiet)."""

from __future__ import annotations

import contextlib

from starlette.requests import Request
from starlette.responses import Response

from objectstore import checksums, errors
from objectstore.proxy.core import Proxy
from objectstore.proxy.manifests import ManifestHandle
from objectstore.s3compat import s3errors
from objectstore.s3compat.errormap import to_s3
from objectstore.s3compat.responses import el, xml_doc, xml_response
from objectstore.s3compat.uploads import check_small_body, request_stream
from objectstore.s3compat.xmlbody import delete_keys, read_limited


async def delete_one(proxy: Proxy, account: str, bucket: str, key: str) -> None:
    """Delete an object and, for a multipart object, its parts; a missing key is fine."""
    with contextlib.suppress(errors.ObjectNotFound):
        handle = await proxy.open_object(account, bucket, key)
        await proxy.delete_object(account, bucket, key)
        if isinstance(handle, ManifestHandle):
            for seg in handle.segments:
                with contextlib.suppress(errors.NotFound):
                    await proxy.delete_object(account, seg.container, seg.name)


async def delete_objects(request: Request, proxy: Proxy, account: str,
                         bucket: str) -> Response:
    h = request.headers
    if "content-md5" not in h and not any(f"x-amz-checksum-{name}" in h
                                          for name in checksums.ALGORITHMS):
        # S3 insists on an integrity check of the list of what to delete
        raise s3errors.InvalidRequest("Missing required header for this request: "
                                      "Content-MD5")
    body = await read_limited(request_stream(request))
    await check_small_body(body, request)
    keys, quiet = delete_keys(body)
    results = []
    for key in keys:
        try:
            await delete_one(proxy, account, bucket, key)
            if not quiet:
                results.append(f"<Deleted>{el('Key', key)}</Deleted>")
        except errors.ObjectStoreError as exc:
            s3 = to_s3(exc)
            results.append(f"<Error>{el('Key', key)}{el('Code', s3.code)}"
                           f"{el('Message', str(s3))}</Error>")
    return xml_response(xml_doc("DeleteResult", "".join(results)))
