"""The ACLs a Swift request is decided by, fetched only when the asker does not own the
account (an owner's request, the common case, costs no lookup), then `access.decide`.

ACLs are kept as system metadata of the container and account replicas, so every proxy
reads the same: X-Container-Read and X-Container-Write (cleaned) as
x-container-sysmeta-acl-read / -write, X-Account-Access-Control (validated JSON) as
x-account-sysmeta-core-access-control."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.requests import Request

from objectstore import errors
from objectstore.api import acl
from objectstore.api.access import Access, Asked, Principal, decide, refusal
from objectstore.api.acl import AccountACL, ContainerACL
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath

READ_ACL = "x-container-sysmeta-acl-read"
WRITE_ACL = "x-container-sysmeta-acl-write"
ACCOUNT_ACL = "x-account-sysmeta-core-access-control"
# public header -> where it is kept
STORED_AS = {"x-container-read": READ_ACL, "x-container-write": WRITE_ACL,
             "x-account-access-control": ACCOUNT_ACL}
SHOWN_AS = {v: k for k, v in STORED_AS.items()}


def acl_metadata(headers: Mapping[str, str], level: str) -> dict[str, str]:
    """The ACLs a container or account write sets, as the metadata to store (an empty
    value, or X-Remove-*, removes one); BadRequest if one is malformed."""
    names = ("x-account-access-control",) if level == "account" else (
        ("x-container-read", "x-container-write") if level == "container" else ())
    out = {}
    for name in names:
        if f"x-remove-{name[2:]}" in headers:
            out[STORED_AS[name]] = ""
        if name in headers:
            value = headers[name]
            cleaned = (acl.check_account_acl(value.strip()) if level == "account"
                       else acl.clean(name, value))
            out[STORED_AS[name]] = "" if cleaned == "{}" else cleaned   # none: removed
    return out


def shown(stored: Mapping[str, str]) -> dict[str, str]:
    """The ACL headers an owner sees, from what a replica keeps."""
    return {SHOWN_AS[k]: v for k, v in stored.items() if k in SHOWN_AS and v}


async def _container_acls(b: Backend, t: SwiftPath) -> tuple[ContainerACL, ContainerACL]:
    assert t.container is not None
    try:
        info = await b.containers.head_container(t.account, t.container)
    except errors.NotFound:
        return ContainerACL(), ContainerACL()
    return ContainerACL.parse(info.get(READ_ACL)), ContainerACL.parse(info.get(WRITE_ACL))


async def _account_acl(b: Backend, account: str) -> AccountACL:
    listing = await b.containers.list_account(account, limit="0")
    return AccountACL.parse(listing.headers.get(ACCOUNT_ACL))


async def authorize(b: Backend, who: Principal, request: Request, t: SwiftPath,
                    method: str) -> Access:
    """How `who` may make `method` on `t` (the request's own method, or what a copy
    does on one of its sides); the refusal (401/403) if not at all."""
    if who.owns(t.account):
        return Access.OWNER
    asked = Asked(method, t, request.headers.get("referer"))
    read, write = (await _container_acls(b, t) if t.container is not None
                   else (ContainerACL(), ContainerACL()))
    access = decide(who, asked, read, write, AccountACL())
    if access is Access.DENIED and who.user is not None:
        access = decide(who, asked, read, write, await _account_acl(b, t.account))
    if access is Access.DENIED:
        where = "/".join(p for p in (t.account, t.container, t.obj) if p)
        raise refusal(who, f"{method} {where}")
    return access
