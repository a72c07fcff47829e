"""Who may read (or delete) the segments a large object's manifest names: the
requester, with their own rights, container by container -- as Swift checks each
segment request. A manifest must not become a way around an ACL, nor a TempURL made
with one container's key a way into another container.

The app keeps the requester in the request's scope (one assignment per request);
the guard is built only on the manifest paths, and is None for an account's owner
(nothing to check)."""

from __future__ import annotations

from starlette.requests import Request

from objectstore.api.access import Principal
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath
from objectstore.api.permissions import authorize
from objectstore.api.tempurl import Grant, TempURLInvalid
from objectstore.proxy.manifests import Guard

WHO = "objectstore.who"         # scope key: the Principal making the request
LINK = "objectstore.link"       # scope key: the Grant of a TempURL request


def segment_guard(b: Backend, request: Request, account: str, method: str = "GET"
                  ) -> Guard | None:
    """The check for segments in containers of `account` (None: every one allowed)."""
    grant: Grant | None = request.scope.get(LINK)
    if grant is not None:
        if grant.container is None:
            return None             # an account key's link reaches the whole account
        scoped = grant.container

        async def within_link(acct: str, container: str) -> None:
            if acct != grant.account or container != scoped:
                raise TempURLInvalid("a container key's link reaches that container only")
        return within_link
    who: Principal | None = request.scope.get(WHO)
    if who is None or who.owns(account):
        return None

    async def by_acl(acct: str, container: str) -> None:
        await authorize(b, who, request, SwiftPath("v1", acct, container, "segment"),
                        method)
    return by_acl
