"""Put/Get/DeleteBucketLifecycleConfiguration (`?lifecycle` on a bucket), and the
`x-amz-expiration` answer of PutObject, GetObject and HeadObject.

Only the bucket's owner reaches these: the caller has confirmed the bucket is the
requester's own (another account's is AccessDenied, as for every bucket request), and
a user who is not an admin of their account was refused before (ACLs and policies
that could grant more are issue 16).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from email.utils import formatdate
from urllib.parse import parse_qsl, quote

from starlette.requests import Request
from starlette.responses import Response

from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.lifecycle_rules import (
    TAGGING,
    Configuration,
    current_expiry,
    parse_tags,
)
from objectstore.proxy.lifecycle_store import LifecycleStore
from objectstore.proxy.manifests import ManifestHandle
from objectstore.s3compat import s3errors
from objectstore.s3compat.lifecycle_xml import configuration_xml, parse_configuration
from objectstore.s3compat.objects import Decorate
from objectstore.s3compat.responses import xml_response
from objectstore.s3compat.uploads import integrity_checked_body


class NoSuchLifecycleConfiguration(s3errors.S3Error):
    status, default_message = 404, "The lifecycle configuration does not exist"


class LifecycleRequests:
    def __init__(self, store: LifecycleStore, day: float) -> None:
        self.store = store
        self.day = day

    async def handle(self, request: Request, account: str, bucket: str,
                     headers: Mapping[str, str]) -> Response:
        """`headers`: the bucket's container headers, asked afresh by the caller."""
        flag = headers.get("x-container-sysmeta-s3-lifecycle", "")
        if request.method == "PUT":
            await self.put(request, account, bucket)
            return Response(status_code=200)
        if request.method == "DELETE":
            await self.store.delete(account, bucket)
            return Response(status_code=204)
        if request.method != "GET":
            raise s3errors.MethodNotAllowed()
        config = await self.store.get(account, bucket, flag)
        if config is None:
            raise NoSuchLifecycleConfiguration()
        return xml_response(configuration_xml(config))

    async def put(self, request: Request, account: str, bucket: str) -> None:
        body = await integrity_checked_body(request)
        await self.store.put(account, bucket, parse_configuration(body))

    def on_read(self, account: str, bucket: str, key: str) -> Decorate | None:
        """What adds x-amz-expiration to a GetObject or HeadObject (None, at a dict
        lookup's cost, for a bucket without lifecycle rules)."""
        if not self.store.flag(account, bucket):
            return None

        async def decorate(handle: ObjectHandle | ManifestHandle) -> Mapping[str, str]:
            return await self.expiration(account, bucket, key, handle.size,
                                         stored_tags(handle.headers),
                                         handle.timestamp.seconds)
        return decorate

    async def on_put(self, request: Request, account: str, bucket: str, key: str,
                     size: str) -> dict[str, str]:
        """PutObject's x-amz-expiration (the object was made just now)."""
        tags = dict(parse_qsl(request.headers.get("x-amz-tagging", "")))
        return await self.expiration(account, bucket, key,
                                     int(size) if size.isdigit() else 0, tags, time.time())

    async def expiration(self, account: str, bucket: str, key: str, size: int,
                         tags: Mapping[str, str], created: float) -> dict[str, str]:
        """The `x-amz-expiration` header for the current version of `key`, if a rule
        expires it ({} otherwise). A bucket without rules costs one dict lookup."""
        flag = self.store.flag(account, bucket)
        if not flag:
            return {}
        config = await self.store.get(account, bucket, flag)
        return {} if config is None else expiration_header(config, key, size, tags,
                                                           created, self.day)


def expiration_header(config: Configuration, key: str, size: int, tags: Mapping[str, str],
                      created: float, day: float) -> dict[str, str]:
    found = current_expiry(config, key, size, tags, created, day)
    if found is None:
        return {}
    due, rule_id = found
    date = formatdate(due, usegmt=True)
    # a header carries Latin-1 at most: an ID beyond ASCII is percent-encoded
    rule = rule_id if rule_id.isascii() else quote(rule_id, safe="")
    rule = rule.replace("\\", "\\\\").replace('"', '\\"')
    return {"x-amz-expiration": f'expiry-date="{date}", rule-id="{rule}"'}


def stored_tags(headers: Mapping[str, str]) -> dict[str, str]:
    """An object's tags from the headers it was read with."""
    return parse_tags(headers.get(TAGGING, ""))
