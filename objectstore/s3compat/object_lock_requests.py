"""Put/GetObjectRetention and Put/GetObjectLegalHold (of a version with `versionId`),
and Put/GetObjectLockConfiguration of a bucket. Who may: the bucket's owner (an admin
user of its account), as for every request that reaches here (app.py refuses the
others); only a bypassing request may weaken a GOVERNANCE retention, and nobody a
COMPLIANCE one."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.posted_metadata import post_system
from objectstore.proxy.retention import BUCKET_LOCK, LEGAL_HOLD, MODE, UNTIL
from objectstore.proxy.versions import state_of
from objectstore.s3compat import object_lock, s3errors
from objectstore.s3compat.responses import xml_response
from objectstore.s3compat.uploads import request_stream
from objectstore.s3compat.versioning import S3Versioning, requested
from objectstore.s3compat.xmlbody import read_limited

MAX_BODY = 16 * 1024


class ObjectLockRequests:
    def __init__(self, proxy: Proxy, versioning: S3Versioning) -> None:
        self.proxy = proxy
        self.versioning = versioning

    async def handle(self, request: Request, account: str, bucket: str, key: str,
                     params: dict[str, str]) -> Response:
        """?retention or ?legal-hold of an object (its bucket is confirmed)."""
        if not object_lock.enabled(self.proxy.known_containers.sysmeta(account, bucket)):
            raise s3errors.InvalidRequest("Bucket is missing Object Lock Configuration")
        vid = requested(params)
        container, name = await self.versioning.locate(account, bucket, key, vid)
        head = await self.proxy.head_object(account, container, name, raw=True)
        retention = "retention" in params
        if request.method == "GET":
            return xml_response(object_lock.retention_xml(head) if retention
                                else object_lock.legal_hold_xml(head))
        if request.method != "PUT":
            raise s3errors.MethodNotAllowed()
        body = await read_limited(request_stream(request), MAX_BODY)
        if retention:
            mode, until = object_lock.parse_retention(body)
            object_lock.check_retention_change(head, mode, until,
                                               object_lock.bypassing(request.headers))
            changes = {MODE: mode, UNTIL: until}
        else:
            changes = {LEGAL_HOLD: object_lock.parse_legal_hold(body)}
        await post_system(self.proxy, account, container, name, changes)
        return Response(status_code=200)


async def bucket_lock(request: Request, containers: Containers, account: str, bucket: str,
                      headers: Mapping[str, str]) -> Response:
    """?object-lock of a bucket (`headers`: its container's, as the bucket check read
    them). A configuration needs versioning enabled; it enables the lock for good."""
    if request.method == "GET":
        if not object_lock.enabled(headers):
            raise s3errors.ObjectLockConfigurationNotFoundError()
        return xml_response(object_lock.configuration_xml(headers))
    if request.method != "PUT":
        raise s3errors.MethodNotAllowed()
    if state_of(dict(headers)) != "true":
        raise s3errors.InvalidBucketState("Versioning must be 'Enabled' on the bucket to "
                                          "apply a Object Lock configuration")
    default = object_lock.parse_configuration(
        await read_limited(request_stream(request), MAX_BODY))
    await containers.post_container(account, bucket, {
        BUCKET_LOCK: "Enabled", object_lock.DEFAULT: default.stored() if default else ""})
    return Response(status_code=200)
