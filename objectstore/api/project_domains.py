"""The Keystone domain of a project's account, kept as keystoneauth keeps it: recorded
the first time one of the project's own users writes the account (a PUT or POST of it,
or a container PUT, which may create it), shown as `X-Account-Project-Domain-Id`, and
consulted before a name in an ACL (`project_name:user_name`) may match there -- names
are unique only within a domain, so they count only in accounts of the default one."""

from __future__ import annotations

from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath
from objectstore.proxy.authorization import Identity

SYSMETA = "x-account-sysmeta-project-domain-id"
SHOWN = "x-account-project-domain-id"
_recorded: set[str] = set()     # accounts whose domain this process knows is kept
MAX_RECORDED = 100_000


async def domain_of(b: Backend, account: str) -> str | None:
    """The account's recorded domain id; None if none is (a tempauth account, say)."""
    listing = await b.containers.list_account(account, limit="0")
    return listing.headers.get(SYSMETA)


async def names_may_match(b: Backend, who: Identity, account: str) -> bool:
    """Whether `who`'s name forms count in `account`: its own, or one of its domain (or
    of none recorded)."""
    if not who.names or account == f"AUTH_{who.account}":
        return True
    found = await domain_of(b, account)
    return found is None or found == who.domain


async def remember(b: Backend, who: Identity, t: SwiftPath, method: str) -> None:
    """After a successful write of `t` by `who`: record its project's domain on its own
    account if that is not yet done."""
    if who.domain is None or t.account != f"AUTH_{who.account}" or t.obj is not None:
        return
    if not (method == "PUT" or (method == "POST" and t.container is None)):
        return
    if t.account in _recorded:
        return
    if await domain_of(b, t.account) is None:
        await b.containers.post_account(t.account, {SYSMETA: who.domain})
    if len(_recorded) >= MAX_RECORDED:
        _recorded.clear()
    _recorded.add(t.account)
