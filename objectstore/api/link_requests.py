"""A request made through a temporary URL (api/tempurl.py checks the link): answered as
the account's own request would be, limited to what the link grants and what a link's
holder may see."""

from __future__ import annotations

import html
from urllib.parse import quote, urlencode

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api import tempurl
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath
from objectstore.api.objects import object_request
from objectstore.api.responses import http_date_of
from objectstore.api.staticweb_requests import LinkView, web_request
from objectstore.api.symlink_requests import MAY
from objectstore.api.tempurl import LinkQuery, TempURLInvalid
from objectstore.api.unsupported import refuse_unsupported_headers

INVALID_BODY = b"401 Unauthorized: Temp URL invalid\n"


def _view(request: Request, link: LinkQuery) -> LinkView:
    """How a listing seen through `link` links onwards (Swift's query, in its order)."""
    q = request.query_params
    query = (f"?temp_url_prefix={link.prefix}&temp_url_expires={quote(q['temp_url_expires'])}"
             f"&temp_url_sig={q['temp_url_sig']}" + ("&inline" if "inline" in q else ""))
    return LinkView(html.escape(query), link.prefix or "")


def invalid_response(method: str) -> Response:
    """Swift's answer to any link that does not grant the request (no body on HEAD)."""
    return Response(b"" if method == "HEAD" else INVALID_BODY, status_code=401,
                    media_type="text/plain; charset=UTF-8")


async def link_keys(b: Backend, t: SwiftPath) -> tuple[list[str], list[str]]:
    """The account's and the container's TempURL keys."""
    account = await b.containers.list_account(t.account, limit="1")
    assert t.container is not None
    try:
        container = await b.containers.head_container(t.account, t.container)
    except errors.NotFound:
        container = {}
    return tempurl.keys_of(account.headers, "account"), tempurl.keys_of(container, "container")


async def through_link(b: Backend, request: Request, t: SwiftPath, link: LinkQuery
                       ) -> Response:
    method = request.method
    raw_path: bytes = request.scope.get("raw_path") or b""
    # a prefix link also opens the container's web site listings under its prefix
    web = link.prefix is not None and method in ("GET", "HEAD") and t.container is not None \
        and (not t.obj or raw_path.endswith(b"/"))
    if t.container is None or not (t.obj or web):
        raise TempURLInvalid("a temporary URL names an object")
    account_keys, container_keys = await link_keys(b, t)
    client = request.client.host if request.client else None
    grant = tempurl.check(link, method, t.account, t.container, t.obj or "", client,
                          account_keys, container_keys, directory=web)
    refused = tempurl.refused_header(method, request.headers.keys())
    if refused is not None:
        raise errors.BadRequest(f"The header {refused.title()!r} is not allowed in this "
                                "tempurl")
    # As Swift: the link's own parameters are all the query the request keeps, and the
    # headers a link may not set are dropped.
    scope = dict(request.scope)
    scope["query_string"] = urlencode(
        {k: v for k, v in request.query_params.items() if k in tempurl.QUERY}).encode()
    scope["headers"] = [(k, v) for k, v in request.scope["headers"]
                        if k.decode("latin-1").lower() not in tempurl.INCOMING_REMOVE]
    inner = Request(scope, request.receive)

    async def may(path: SwiftPath, method: str) -> None:
        """A link's scope holds for the objects a symlink leads to as well."""
        if path.account != grant.account or (grant.container is not None
                                             and path.container != grant.container):
            raise TempURLInvalid("a symlink's target outside the link's scope")
    setattr(inner.state, MAY, may)
    refuse_unsupported_headers(method, "object", inner.headers, t.account)
    site = await web_request(b, inner, t, raw_path, _view(request, link)) if web else None
    if site is not None:
        return site
    if not t.obj:
        raise TempURLInvalid("a temporary URL names an object")
    response = await object_request(b, inner, t)
    visible = tempurl.outgoing(response.headers)
    for name in [k for k in response.headers if k not in visible]:
        del response.headers[name]
    if method in ("GET", "HEAD") and 200 <= response.status_code < 300:
        response.headers["content-disposition"] = tempurl.disposition(grant, t.obj)
        response.headers["expires"] = http_date_of(grant.expires)
    return response
