"""Swift requests to an account: its listing and stats, and its metadata."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

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
from objectstore.api.responses import container_entry, listing_format
from objectstore.api.swift_errors import MethodNotAllowed


async def account_request(b: Backend, request: Request, t: SwiftPath) -> Response:
    method = request.method
    if method in ("GET", "HEAD"):
        listing = await b.containers.list_account(t.account, **listing_params(request))
        headers = stats_headers(listing.headers, "account")
        fmt = listing_format(request.query_params.get("format"),
                             request.headers.get("accept"))
        if method == "HEAD":
            return empty_listing(fmt, headers)
        entries = [container_entry(e) for e in listing.entries]
        return listing_response(fmt, "account", t.account, "container", entries, headers)
    if method == "POST":
        metadata = user_metadata(request.headers, "account")
        current = await b.containers.list_account(t.account, limit="1")
        check_total(current.headers, metadata, "account")
        metadata.update(acl_metadata(request.headers, "account"))
        await b.containers.post_account(t.account, metadata)
        return Response(status_code=204)
    raise MethodNotAllowed(method)
