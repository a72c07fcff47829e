"""Swift requests to a container: create, list, stats, metadata, delete."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api import cors, etag_quoter, policies, versioning
from objectstore.api.backend import Backend
from objectstore.api.listings import (
    check_total,
    empty_listing,
    listing_params,
    listing_response,
    stats_headers,
)
from objectstore.api.metadata import user_metadata
from objectstore.api.names import SwiftPath
from objectstore.api.permissions import acl_metadata
from objectstore.api.responses import listing_format, object_entry
from objectstore.api.swift_errors import MethodNotAllowed
from objectstore.api.versioned_writes import container_settings
from objectstore.proxy.container_policies import index_of
from objectstore.proxy.quotas import CONTAINER_BYTES, CONTAINER_COUNT
from objectstore.proxy.swift_only import SwiftOnly


async def container_request(b: Backend, request: Request, t: SwiftPath) -> Response:
    assert t.container is not None
    if "/" in t.container:
        raise errors.BadRequest("container names may not contain '/'")
    method = request.method
    if method in ("PUT", "POST"):
        _check_quotas(request.headers)
        cors.check_settings(request.headers)
    if method == "PUT":
        return await put_container(b, request, t)
    fmt = listing_format(request.query_params.get("format"), request.headers.get("accept"))
    if method == "HEAD":
        info = await b.containers.head_container(t.account, t.container)
        headers = stats_headers(info, "container", b.proxy.ring.current().policies)
        await versioning.container_headers(b, t, info, headers)
        return empty_listing(fmt, headers)
    if method == "GET":
        if "versions" in request.query_params:
            return await versioning.list_versions(b, request, t)
        listing = await b.containers.list_container(t.account, t.container,
                                                    **listing_params(request))
        entries = [object_entry(e, t.account, links=fmt == "json", container=t.container)
                   for e in listing.entries]
        headers = stats_headers(listing.headers, "container",
                                b.proxy.ring.current().policies)
        await versioning.container_headers(b, t, listing.headers, headers)
        return listing_response(fmt, "container", t.container, "object", entries, headers)
    if method == "POST":
        metadata = user_metadata(request.headers, "container")
        current = await b.containers.head_container(t.account, t.container)
        _check_unchanged_policy(b, request, current)
        check_total(current, metadata, "container")
        metadata.update(acl_metadata(request.headers, "container"))
        metadata.update(etag_quoter.setting(request.headers, "container"))
        metadata.update(await container_settings(b, request.headers, t, current))
        metadata.update(await versioning.container_metadata(b, request, t))
        await b.containers.post_container(t.account, t.container, metadata)
        return Response(status_code=204)
    if method == "DELETE":
        await versioning.delete_container(b, t)
        await b.names.release(t.account, t.container)
        await b.swift_only.remove(t.account, t.container)
        return Response(status_code=204)
    raise MethodNotAllowed(method)


def _check_unchanged_policy(b: Backend, request: Request, current: dict[str, str]) -> None:
    """A POST may name the container's own policy, never another (409: a container's
    policy is fixed when it is made; Swift ignores the header, which would let a client
    believe its container moved)."""
    asked = policies.requested(request.headers, b.proxy.ring.current().policies)
    if asked is not None and asked != index_of(current):
        raise errors.Conflict("a container's storage policy cannot change")


async def put_container(b: Backend, request: Request, t: SwiftPath) -> Response:
    """Create (201) or update (202) a container, after claiming its name in the one
    namespace S3 shares; if another account holds the name, the container is made
    Swift-only (proxy/swift_only.py): this account's, but no S3 bucket."""
    assert t.container is not None
    metadata = user_metadata(request.headers, "container")
    metadata.update(acl_metadata(request.headers, "container"))
    metadata.update(etag_quoter.setting(request.headers, "container"))
    metadata.update(await container_settings(b, request.headers, t))
    metadata.update(await versioning.container_metadata(b, request, t))
    try:
        claimed, local = await b.names.claim(t.account, t.container), False
    except errors.NameTaken:
        claimed, local = False, True
        await b.swift_only.add(t.account, t.container)
        metadata.update(SwiftOnly.MARK)
    policy = policies.requested(request.headers, b.proxy.ring.current().policies)
    try:
        created = await b.containers.put_container(t.account, t.container, metadata,
                                                   policy=policy)
    except errors.ObjectStoreError:
        if claimed:          # do not keep a name for a container that was not made
            await b.names.release(t.account, t.container)
        if local:
            await b.swift_only.remove(t.account, t.container)
        raise
    if claimed and not created:     # a Swift-only container whose name became free
        await b.swift_only.make_bucket(t.account, t.container)
    return Response(status_code=201 if created else 202)


def _check_quotas(headers: Mapping[str, str]) -> None:
    """Swift's container quotas are whole numbers of bytes and objects (empty removes)."""
    for name, what in ((CONTAINER_BYTES, "bytes"), (CONTAINER_COUNT, "count")):
        value = headers.get(name, "").strip()
        if value and not value.isdigit():
            raise errors.BadRequest(f"Invalid {what} quota.")
