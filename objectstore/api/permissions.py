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
from objectstore.api import project_domains
from objectstore.api.access import Access, Asked, Principal, decide, refusal
from objectstore.api.backend import Backend
from objectstore.api.bucket_policy import policy_verdict
from objectstore.api.names import SwiftPath
from objectstore.proxy import s3_acl_store
from objectstore.proxy import swift_acl as acl
from objectstore.proxy.policy import Decision
from objectstore.proxy.s3_acl import ACL
from objectstore.proxy.s3_ownership import ENFORCED
from objectstore.proxy.s3_ownership import SYSMETA as OWNERSHIP
from objectstore.proxy.swift_acl import ACCOUNT_ACL, READ_ACL, WRITE_ACL, AccountACL, ContainerACL

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


async def _container_acls(b: Backend, t: SwiftPath
                          ) -> tuple[ContainerACL, ContainerACL, ACL | None]:
    """The container's read and write ACLs, and its bucket ACL if S3 set one (a grant
    of READ lists the container, of WRITE writes its objects: the same decision)."""
    assert t.container is not None
    try:
        info = await b.containers.head_container(t.account, t.container)
    except errors.NotFound:
        return ContainerACL(), ContainerACL(), None
    stored = info.get(s3_acl_store.CONTAINER_ACL)
    bucket_acl = s3_acl_store.decode(stored) if stored else None
    if bucket_acl is not None and info.get(OWNERSHIP) == ENFORCED.value:
        bucket_acl = None                   # ACLs disabled: the owner's alone
    return (ContainerACL.parse(info.get(READ_ACL)), ContainerACL.parse(info.get(WRITE_ACL)),
            bucket_acl)


async def _account_acl(b: Backend, account: str) -> AccountACL:
    listing = await b.containers.list_account(account, limit="0")
    return AccountACL.parse(listing.headers.get(ACCOUNT_ACL))


async def authorize(b: Backend, who: Principal, request: Request, t: SwiftPath,
                    method: str) -> Access:
    """How `who` may make `method` on `t` (the request's own method, or what a copy
    does on one of its sides); the refusal (401/403) if not at all. A bucket policy's
    explicit Deny refuses even the account's owners (bucket_policy.py)."""
    where = "/".join(p for p in (t.account, t.container, t.obj) if p)
    verdict = await policy_verdict(b, who, request, t, method)
    if verdict is Decision.DENY:
        raise refusal(who, f"{method} {where}: the bucket policy denies it")
    if who.owns(t.account):
        return Access.OWNER
    if not await project_domains.names_may_match(b, who, t.account):
        who = who.without_names()
    asked = Asked(method, t, request.headers.get("referer"))
    read, write, bucket_acl = (await _container_acls(b, t) if t.container is not None
                               else (ContainerACL(), ContainerACL(), None))
    access = decide(who, asked, read, write, AccountACL(), bucket_acl, verdict)
    if access is Access.DENIED and who.account is not None:
        access = decide(who, asked, read, write, await _account_acl(b, t.account),
                        bucket_acl, verdict)
    if access is Access.DENIED:
        raise refusal(who, f"{method} {where}")
    return access
