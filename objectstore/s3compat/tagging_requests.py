"""Put/Get/DeleteObjectTagging (of a version with `versionId`) and
Put/Get/DeleteBucketTagging. Who may: the bucket's owner (an admin user of its
account), as for every request that reaches here (app.py refuses the others)."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.object_info import S3_TAGGING
from objectstore.proxy.posted_metadata import post_system
from objectstore.proxy.version_names import parse_version_object
from objectstore.proxy.versions import Versions
from objectstore.s3compat import s3errors, tagging
from objectstore.s3compat.responses import xml_response
from objectstore.s3compat.uploads import check_small_body, request_stream
from objectstore.s3compat.xmlbody import read_limited

MAX_BODY = 64 * 1024        # 50 tags of the longest keys and values fit many times


async def _tag_set(request: Request, limit: int) -> tagging.Tags:
    body = await read_limited(request_stream(request), MAX_BODY)
    await check_small_body(body, request)          # Content-MD5 / x-amz-checksum-*
    return tagging.from_xml(body, limit)


class ObjectTagging:
    def __init__(self, proxy: Proxy, versions: Versions) -> None:
        self.proxy = proxy
        self.versions = versions

    async def handle(self, request: Request, account: str, bucket: str, key: str,
                     params: Mapping[str, str]) -> Response:
        vid = params.get("versionId")
        container, name = await self.versions.locate(account, bucket, key, vid)
        if vid is None and container != bucket:     # the current version of a versioned key
            vid = (parse_version_object(name) or ("", None))[1]
        out = {"x-amz-version-id": vid} if vid else {}
        method = request.method
        if method == "GET":
            head = await self.proxy.head_object(account, container, name, raw=True)
            stored = head.get(S3_TAGGING, "")
            response = xml_response(tagging.to_xml(tagging.decode(stored)))
        elif method == "PUT":
            tags = await _tag_set(request, tagging.OBJECT_TAGS)
            await post_system(self.proxy, account, container, name,
                              {S3_TAGGING: tagging.encode(tags)})
            response = Response(status_code=200)
        elif method == "DELETE":
            await post_system(self.proxy, account, container, name, {S3_TAGGING: ""})
            response = Response(status_code=204)
        else:
            raise s3errors.MethodNotAllowed()
        response.headers.update(out)
        return response


async def bucket_tagging(request: Request, containers: Containers, account: str,
                         bucket: str, headers: Mapping[str, str]) -> Response:
    """A bucket's tags live in its container's system metadata (`headers`: the
    container's, as the bucket check read them)."""
    method = request.method
    if method == "GET":
        stored = headers.get(tagging.BUCKET_TAGGING, "")
        if not stored:
            raise s3errors.NoSuchTagSet()
        return xml_response(tagging.to_xml(tagging.decode(stored)))
    if method == "PUT":
        tags = await _tag_set(request, tagging.BUCKET_TAGS)
        await containers.post_container(account, bucket,
                                        {tagging.BUCKET_TAGGING: tagging.encode(tags)})
        return Response(status_code=204)
    if method == "DELETE":
        await containers.post_container(account, bucket, {tagging.BUCKET_TAGGING: ""})
        return Response(status_code=204)
    raise s3errors.MethodNotAllowed()
