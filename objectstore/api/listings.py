"""Account and container listings and their stats headers, as Swift answers them."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api import etag_quoter, policies, project_domains, versioned_writes
from objectstore.api.metadata import check_limits
from objectstore.api.permissions import shown
from objectstore.api.responses import LISTING_TYPES, http_date, render_listing
from objectstore.api.truth import TRUE
from objectstore.proxy import quotas
from objectstore.proxy.container_policies import SYSMETA, Policy, default_only, policy_stat
from objectstore.proxy.containers import LAST_CHANGED
from objectstore.timestamps import Timestamp

MAX_LIMIT = 10_000


def listing_params(request: Request) -> dict[str, Any]:
    """The node's listing query from a Swift listing request's, read as Swift reads it:
    a limit that is not a number is no limit (the default); one over MAX_LIMIT is 412;
    `reverse` is true for any of Swift's true values."""
    q = request.query_params
    limit = q.get("limit")
    if limit is not None and not limit.isdigit():
        limit = None
    if limit is not None and int(limit) > MAX_LIMIT:
        raise errors.PreconditionFailed(f"Maximum limit is {MAX_LIMIT}")
    return {"prefix": q.get("prefix"), "delimiter": q.get("delimiter"), "path": q.get("path"),
            "marker": q.get("marker"), "end_marker": q.get("end_marker"),
            "limit": limit, "reverse": "true" if q.get("reverse", "").lower() in TRUE
            else None}


def stats_headers(node: dict[str, str], kind: str, policies_held: tuple[Policy, ...] = ()
                  ) -> dict[str, str]:
    """An account's or container's counts, timestamp and user metadata."""
    count, used = node.get("x-item-count", "0"), node.get("x-bytes-used", "0")
    headers = {f"x-{kind}-bytes-used": used}
    if kind == "account":
        headers["x-account-container-count"] = count
        headers["x-account-object-count"] = node.get("x-object-count", "0")
    else:
        headers["x-container-object-count"] = count
    if "x-put-timestamp" in node:
        headers["x-timestamp"] = Timestamp.parse(node["x-put-timestamp"]).normal
    if LAST_CHANGED in node:
        headers["last-modified"] = http_date(Timestamp.parse(node[LAST_CHANGED]))
    if kind == "container":
        headers["x-storage-policy"] = policies.name_of(
            policies_held or default_only(1), node.get(SYSMETA, ""))
    headers.update({k: v for k, v in node.items() if k.startswith(f"x-{kind}-meta-")})
    headers.update(shown(node))         # the ACLs (hidden from all but owners)
    headers.update(etag_quoter.shown(node, kind))
    if kind == "container":
        headers.update(versioned_writes.shown(node))    # X-Versions/History-Location
    if kind == "account" and project_domains.SYSMETA in node:
        headers[project_domains.SHOWN] = node[project_domains.SYSMETA]
    if kind == "account":
        headers.update(_account_policy_headers(node, policies_held or default_only(1)))
    return headers


def _account_policy_headers(node: dict[str, str], held: tuple[Policy, ...]
                            ) -> dict[str, str]:
    """An account's counts per storage policy in use, and the quotas a reseller admin
    set (the account's, each policy's), as Swift names them."""
    headers = {}
    for public, kept in (("x-account-quota-bytes", quotas.ACCOUNT_BYTES),
                         ("x-account-quota-count", quotas.ACCOUNT_COUNT)):
        if node.get(kept):
            headers[public] = node[kept]
    for policy in held:
        for what in ("container-count", "object-count", "bytes-used"):
            value = node.get(policy_stat(policy.index, what))
            if value is not None:
                headers[f"x-account-storage-policy-{policy.name}-{what}"] = value
        for what, kept in zip(("bytes", "count"), quotas.policy_quota_keys(policy.index)):
            if node.get(kept):
                headers[f"x-account-quota-{what}-policy-{policy.name}"] = node[kept]
    return headers


def listing_response(fmt: str, root: str, name: str, tag: str, entries: list[dict[str, Any]],
                     headers: dict[str, str]) -> Response:
    body, content_type = render_listing(fmt, root, name, tag, entries)
    if fmt == "text" and not entries:
        return empty_listing(fmt, headers)
    return Response(body, status_code=200, headers={**headers, "content-type": content_type})


def empty_listing(fmt: str, headers: dict[str, str]) -> Response:
    """A HEAD, or a GET listing nothing as text: 204, with the content type a listing in
    that format would have, as Swift answers."""
    return Response(status_code=204, headers={
        **headers, "content-type": LISTING_TYPES[fmt], "content-length": "0"})


def check_total(current: dict[str, str], update: dict[str, str], kind: str) -> None:
    """Swift's metadata limits hold for what an account or container keeps, not just
    for one request: the stored items, updated by this request (empty deletes)."""
    prefix = f"x-{kind}-meta-"
    merged = {k: v for k, v in current.items() if k.startswith(prefix)}
    merged.update(update)
    check_limits({k: v for k, v in merged.items() if v}, prefix)
