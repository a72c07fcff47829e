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
from objectstore.proxy.version_names import VERSION_ID, parse_version_object
from objectstore.s3compat import s3errors, tagging
from objectstore.s3compat.responses import xml_response
from objectstore.s3compat.uploads import check_small_body, request_stream
from objectstore.s3compat.versioning import S3Versioning, requested, shown_id
from objectstore.s3compat.xmlbody import read_limited

MAX_BODY = 64 * 1024        # 50 tags of the longest keys and values fit many times


async def _tag_set(request: Request, limit: int) -> tagging.Tags:
    body = await read_limited(request_stream(request), MAX_BODY)
    await check_small_body(body, request)          # Content-MD5 / x-amz-checksum-*
    return tagging.from_xml(body, limit)


class ObjectTagging:
    def __init__(self, proxy: Proxy, versioning: S3Versioning) -> None:
        self.proxy = proxy
        self.versioning = versioning

    async def handle(self, request: Request, account: str, bucket: str, key: str,
                     params: dict[str, str]) -> Response:
        vid = requested(params)
        # the stored object whose metadata is the version's (NoSuchVersion, or 405 for
        # a delete marker)
        container, name = await self.versioning.locate(account, bucket, key, vid)
        method = request.method
        if method == "GET":
            head = await self.proxy.head_object(account, container, name, raw=True)
            response = xml_response(tagging.to_xml(tagging.decode(head.get(S3_TAGGING,
                                                                            ""))))
        elif method == "PUT":
            tags = await _tag_set(request, tagging.OBJECT_TAGS)
            head = await post_system(self.proxy, account, container, name,
                                     {S3_TAGGING: tagging.encode(tags)})
            response = Response(status_code=200)
        elif method == "DELETE":
            head = await post_system(self.proxy, account, container, name, {S3_TAGGING: ""})
            response = Response(status_code=204)
        else:
            raise s3errors.MethodNotAllowed()
        shown = vid or await self._shown_id(account, bucket, container, name, head)
        if shown:
            response.headers["x-amz-version-id"] = shown
        return response

    async def _shown_id(self, account: str, bucket: str, container: str, name: str,
                        head: dict[str, str]) -> str | None:
        """The version id of the current version (none in a bucket never versioned)."""
        parsed = parse_version_object(name) if container != bucket else None
        if parsed is not None:
            head = {**head, VERSION_ID: parsed[1]}
        return shown_id(head, await self.versioning.state(account, bucket))


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
