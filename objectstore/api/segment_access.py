"""Who may read (or delete) the segments a large object's manifest names: the
requester, with their own rights, container by container -- as Swift checks each
segment request. A manifest must not become a way around an ACL, nor a TempURL made
with one container's key a way into another container.

The router leaves the requester's rights in `request.state` (symlink_requests.MAY: an
ACL decision through permissions.authorize, or a TempURL's scope), the one check the
targets of symlinks pass too; this asks it once per segment container."""

from __future__ import annotations

from starlette.requests import Request

from objectstore.api import symlinks
from objectstore.api.backend import Backend
from objectstore.api.expiry import open_expired
from objectstore.api.names import SwiftPath
from objectstore.api.symlink_requests import follow, may_of
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import Guard, ManifestHandle, Opener


def segment_guard(request: Request, method: str = "GET") -> Guard:
    """The check for the segments of a large object (a Forbidden, Unauthorized or
    TempURLInvalid when the requester may not `method` them)."""
    may = may_of(request)

    async def guard(account: str, container: str) -> None:
        await may(SwiftPath("v1", account, container, "segment"), method)
    return guard


def segment_opener(b: Backend, request: Request) -> Opener:
    """Opens a segment as Swift reads one: a symlink is followed (with the
    requester's rights, as any link is); expired segments too when the request may
    open expired objects (X-Open-Expired)."""
    expired_too = open_expired(request)

    async def open_segment(account: str, container: str, name: str
                           ) -> ObjectHandle | ManifestHandle:
        handle = await b.proxy.open_object(account, container, name,
                                           expired_too=expired_too)
        if symlinks.is_link(handle.headers):
            handle, _ = await follow(b, request, SwiftPath("v1", account, container, name),
                                     handle, False)
        return handle
    return open_segment
