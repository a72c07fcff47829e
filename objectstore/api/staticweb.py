"""Static web sites from containers, as OpenStack Swift's staticweb middleware.

A container whose metadata sets `X-Container-Meta-Web-Index` (an object served for
every "directory", e.g. index.html) and/or `X-Container-Meta-Web-Listings: true` (an
HTML listing where there is no index) is a web site to requests without a token (or
with `X-Web-Mode: true`); `Web-Listings-CSS` styles the listings, `Web-Error` names the
pages served for errors (`404error.html` for `Web-Error: error.html`), and
`Web-Directory-Type` the content type of directory marker objects (default
application/directory). A directory asked for without its trailing slash is
redirected (301) to it. Who may read the site is still the container's read ACL
(`.r:*,.rlistings` for a public one). This module renders; staticweb_requests.py answers."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from objectstore.api.names import header_text
from objectstore.api.truth import TRUE

META = "x-container-meta-web-"
DIRECTORY_TYPE = "application/directory"


@dataclass(frozen=True)
class Site:
    """A container's web settings."""

    index: str = ""
    listings: bool = False
    css: str = ""
    error: str = ""
    directory_type: str = DIRECTORY_TYPE
    label: str = ""

    @classmethod
    def of(cls, headers: Mapping[str, str]) -> Site:
        def get(name: str) -> str:      # names sent as raw UTF-8: read as such
            return header_text(headers.get(META + name, "").strip())
        return cls(index=get("index"), listings=get("listings").lower() in TRUE,
                   css=get("listings-css"), error=get("error"),
                   directory_type=get("directory-type") or DIRECTORY_TYPE,
                   label=get("listings-label"))

    @property
    def enabled(self) -> bool:
        return bool(self.index) or self.listings


def web_mode(headers: Mapping[str, str]) -> bool:
    return headers.get("x-web-mode", "").strip().lower() in TRUE


def css_path(site: Site, prefix: str) -> str:
    """The stylesheet's link from a listing of `prefix` (relative unless absolute)."""
    if site.css.startswith(("/", "http://", "https://")):
        return quote(site.css, safe=":/")
    return "../" * prefix.count("/") + quote(site.css)


def _head(site: Site, label: str, prefix: str, extra_style: str) -> str:
    out = ["<!DOCTYPE html>", "<html>", " <head>",
           f"  <title>Listing of {html.escape(label)}</title>"]
    if site.css:
        out.append(f'  <link rel="stylesheet" type="text/css" href="{css_path(site, prefix)}" />')
    else:
        out += ['  <style type="text/css">', "   h1 {font-size: 1em; font-weight: bold;}",
                extra_style, "  </style>"]
    out.append(" </head>")
    return "\n".join(out) + "\n"


def disabled_page(site: Site, label: str) -> str:
    """What a directory without an index answers when listings are off (404)."""
    body = _head(site, label, "", "   p {font-size: 2}")
    body += (" <body>\n  <h1>Web Listing Disabled</h1>\n"
             "   <p>The owner of this web site has disabled web listing.</p>\n")
    if site.index:
        body += (f"  <h1>Index File Not Found</h1>\n   <p>The owner of this web site has "
                 f"set <b>X-Container-Meta-Web-Index: {html.escape(site.index)}</b>. "
                 "However, this file is not found.</p>\n")
    return body + " </body>\n</html>\n"


def human_size(n: int) -> str:
    for unit in ("", "Ki", "Mi", "Gi", "Ti"):
        if n < 1024 or unit == "Ti":
            return f"{n}{unit}" if unit == "" else f"{n:.0f}{unit}"
        n //= 1024
    return str(n)


def listing_page(site: Site, label: str, prefix: str, entries: list[dict[str, Any]],
                 link_query: str = "", up: bool = True) -> str:
    """An HTML listing of the entries under `prefix` (names shown relative to it; each
    link followed by `link_query`, and one to the parent unless not `up`)."""
    body = _head(site, label, prefix, "   th {text-align: left; padding: 0px 1em 0px 1em;}\n"
                 "   td {padding: 0px 1em 0px 1em;}\n   a {text-decoration: none;}")
    rows = [" <body>", f'  <h1 id="title">Listing of {html.escape(label)}</h1>',
            '  <table id="listing">', '   <tr id="heading">',
            '    <th class="colname">Name</th>', '    <th class="colsize">Size</th>',
            '    <th class="coldate">Date</th>', "   </tr>"]
    if prefix and up:
        rows += ['   <tr id="parent" class="item">',
                 f'    <td class="colname"><a href="../{link_query}">../</a></td>',
                 '    <td class="colsize">&nbsp;</td>', '    <td class="coldate">&nbsp;</td>',
                 "   </tr>"]
    for e in entries:
        if "subdir" in e:
            name = e["subdir"][len(prefix):]
            rows += ['   <tr class="item subdir">',
                     f'    <td class="colname"><a href="./{_href(name)}{link_query}">'
                     f"{html.escape(name)}</a></td>",
                     '    <td class="colsize">&nbsp;</td>',
                     '    <td class="coldate">&nbsp;</td>', "   </tr>"]
    for e in entries:
        if "name" in e:
            name = e["name"][len(prefix):]
            kinds = " ".join("type-" + html.escape(t.lower())
                             for t in e["content_type"].split("/"))
            date = html.escape(e["last_modified"]).split(".")[0].replace("T", " ")
            rows += [f'   <tr class="item {kinds}">',
                     f'    <td class="colname"><a href="./{_href(name)}{link_query}">'
                     f"{html.escape(name)}</a></td>",
                     f'    <td class="colsize">{human_size(int(e["bytes"]))}</td>',
                     f'    <td class="coldate">{date}</td>', "   </tr>"]
    rows += ["  </table>", " </body>", "</html>"]
    return body + "\n".join(rows) + "\n"


def _href(name: str) -> str:
    return quote(name).replace(".", "%2E")
