"""Swift requests to an account: its listing and stats, and its metadata."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api import etag_quoter
from objectstore.api.access import RESELLER
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
from objectstore.proxy import quotas
from objectstore.proxy.container_policies import Policy, by_name


async def account_request(b: Backend, request: Request, t: SwiftPath) -> Response:
    method = request.method
    if method in ("GET", "HEAD"):
        listing = await b.containers.list_account(t.account, **listing_params(request))
        held = b.proxy.ring.current().policies
        headers = stats_headers(listing.headers, "account", held)
        fmt = listing_format(request.query_params.get("format"),
                             request.headers.get("accept"))
        if method == "HEAD":
            return empty_listing(fmt, headers)
        entries = [container_entry(e, held) for e in listing.entries]
        return listing_response(fmt, "account", t.account, "container", entries, headers)
    if method == "POST":
        metadata = user_metadata(request.headers, "account")
        metadata.update(quota_metadata(request, b.proxy.ring.current().policies))
        current = await b.containers.list_account(t.account, limit="1")
        check_total(current.headers, metadata, "account")
        metadata.update(acl_metadata(request.headers, "account"))
        metadata.update(etag_quoter.setting(request.headers, "account"))
        await b.containers.post_account(t.account, metadata)
        return Response(status_code=204)
    raise MethodNotAllowed(method)


# public header -> where an account quota is kept (the legacy one is user metadata)
QUOTA_HEADERS = {"x-account-quota-bytes": quotas.ACCOUNT_BYTES,
                 "x-account-quota-count": quotas.ACCOUNT_COUNT,
                 quotas.ACCOUNT_LEGACY_BYTES: quotas.ACCOUNT_LEGACY_BYTES}
POLICY_QUOTA = ("x-account-quota-bytes-policy-", "x-account-quota-count-policy-")


def _kept_at(public: str, held: tuple[Policy, ...]) -> str | None:
    """Where the quota a public header names is kept (None: no such quota)."""
    if public in QUOTA_HEADERS:
        return QUOTA_HEADERS[public]
    for which, prefix in enumerate(POLICY_QUOTA):
        if public.startswith(prefix):
            policy = by_name(held, public[len(prefix):])
            return quotas.policy_quota_keys(policy.index)[which] if policy else None
    return None


def quota_metadata(request: Request, held: tuple[Policy, ...]) -> dict[str, str]:
    """The account quotas a POST sets or removes: reseller admins only (403 for anyone
    else, the account's own admins included), whole numbers (400), per-policy ones for
    one of the storage policies `held` (400 for another name)."""
    h = request.headers
    asked = [k for k in h if _quota_header(k)]
    if not asked:
        return {}
    if not getattr(request.state, RESELLER, False):
        raise errors.Forbidden("only a reseller admin may set account quotas")
    out = {}
    for name in asked:
        removal = name.startswith("x-remove-")
        public = "x-" + name[len("x-remove-"):] if removal else name
        kept = _kept_at(public, held)
        if kept is None:
            raise errors.BadRequest(f"Invalid quota {public}: no such quota (storage "
                                    f"policies: {', '.join(p.name for p in held)})")
        value = "" if removal else h[name].strip()
        if value and not value.isdigit():
            raise errors.BadRequest(f"Invalid quota {public}: {value!r}")
        out[kept] = value
    return out


def _quota_header(name: str) -> bool:
    return name.removeprefix("x-remove-").removeprefix("x-").startswith(
        ("account-quota-", "account-meta-quota-bytes"))
