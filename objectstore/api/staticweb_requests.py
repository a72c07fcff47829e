"""The requests a container's web site answers (api/staticweb.py: what a site is and
its pages). The router asks `web_request` first for GETs and HEADs without a token
(or with X-Web-Mode: true), after authorization: None means "not a web request here",
and the request goes on as any other."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from objectstore import errors
from objectstore.api import staticweb
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath
from objectstore.api.objects import get_object
from objectstore.api.responses import object_entry
from objectstore.api.staticweb import Site


@dataclass(frozen=True)
class LinkView:
    """A site seen through a TempURL for a prefix: every listed link carries the
    link's query, and there is no way up above its prefix."""

    query: str          # "?temp_url_prefix=...&temp_url_expires=...&temp_url_sig=..."
    root: str           # the link's prefix


async def web_request(b: Backend, request: Request, t: SwiftPath, raw_path: bytes,
                      view: LinkView | None = None) -> Response | None:
    assert t.container is not None
    try:
        site = Site.of(await b.containers.head_container(t.account, t.container))
    except errors.NotFound:
        return None
    if not site.enabled:        # not a site: objects as ever, the container 404 in web mode
        if t.obj is None and staticweb.web_mode(request.headers):
            return Response(status_code=404)
        return None
    slash = raw_path.endswith(b"/")
    if t.obj is None:
        if not slash:
            return _redirect(request, raw_path)
        return await _directory(b, request, t, site, "", view)
    return await _object(b, request, t, site, slash, raw_path, view)


def _redirect(request: Request, raw_path: bytes) -> Response:
    base = str(request.base_url).rstrip("/")
    return Response(status_code=301,
                    headers={"location": f"{base}{raw_path.decode('latin-1')}/"})


async def _get(b: Backend, request: Request, t: SwiftPath, name: str) -> Response | None:
    """The object `name` of the site's container as a GET/HEAD answers it; None if missing."""
    assert t.container is not None
    path = SwiftPath("v1", t.account, t.container, name)
    try:
        return await get_object(b, request, path)
    except errors.ObjectNotFound:
        return None


async def _directory(b: Backend, request: Request, t: SwiftPath, site: Site, prefix: str,
                     view: LinkView | None) -> Response:
    if site.index:
        found = await _get(b, request, t, prefix + site.index)
        if found is not None:
            return found
    return await _listing(b, request, t, site, prefix, view)


async def _listing(b: Backend, request: Request, t: SwiftPath, site: Site, prefix: str,
                   view: LinkView | None = None) -> Response:
    assert t.container is not None
    label = f"/v1/{t.account}/{t.container}/{prefix}"
    if site.label:
        label = f"{site.label}/{prefix}"
    if not site.listings:
        return await _error(b, request, t, site, 404,
                            staticweb.disabled_page(site, label))
    listing = await b.containers.list_container(t.account, t.container, delimiter="/",
                                                prefix=prefix or None)
    if prefix and not listing.entries:
        return await _error(b, request, t, site, 404, "")
    entries = [object_entry(e) for e in listing.entries]
    page = staticweb.listing_page(site, label, prefix, entries,
                                  view.query if view else "",
                                  up=view is None or prefix != view.root)
    return Response(page.encode() if request.method == "GET" else b"", status_code=200,
                    media_type="text/html; charset=UTF-8")


async def _object(b: Backend, request: Request, t: SwiftPath, site: Site, slash: bool,
                  raw_path: bytes, view: LinkView | None) -> Response:
    assert t.obj is not None
    obj = t.obj
    if not slash:
        found = await _get(b, request, t, obj)
        if found is not None and not _marker(found, site):
            return found
    if site.index:
        index = await _get(b, request, t, obj.rstrip("/") + "/" + site.index)
        if index is not None:
            return index if slash else _redirect(request, raw_path)
    if not slash:
        assert t.container is not None
        listing = await b.containers.list_container(t.account, t.container, delimiter="/",
                                                    prefix=obj + "/", limit="1")
        if listing.entries:
            return _redirect(request, raw_path)
        return await _error(b, request, t, site, 404, "")
    return await _listing(b, request, t, site, obj.rstrip("/") + "/", view)


def _marker(response: Response, site: Site) -> bool:
    """A directory marker object counts as missing (the directory is listed instead)."""
    length = response.headers.get("content-length", "0")
    return response.headers.get("content-type", "") == site.directory_type and \
        (not length.isdigit() or int(length) <= 1)


async def _error(b: Backend, request: Request, t: SwiftPath, site: Site, status: int,
                 fallback: str) -> Response:
    """The site's own page for `status` (`<status><Web-Error>`), else `fallback`."""
    if site.error:
        page = await _get(b, request, t, f"{status}{site.error}")
        if page is not None:
            page.status_code = status
            return page
    body = fallback.encode() if request.method == "GET" else b""
    return Response(body, status_code=status, media_type="text/html; charset=UTF-8")
