"""What Swift's responses look like: listing formats, dates (errors: swift_errors.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from email.utils import formatdate
from typing import Any
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from objectstore.api import policies, symlinks
from objectstore.api.names import header_text
from objectstore.proxy.container_policies import Policy
from objectstore.proxy.containers import listed_etag
from objectstore.proxy.manifests import listed_etags
from objectstore.timestamps import Timestamp


def http_date(ts: Timestamp) -> str:
    return formatdate(int(ts.seconds + 0.999999), usegmt=True)   # Swift rounds up


def http_date_of(seconds: int) -> str:
    return formatdate(seconds, usegmt=True)


def iso_date(ts: Timestamp) -> str:
    return datetime.fromtimestamp(ts.seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


LISTING_TYPES = {"json": "application/json; charset=utf-8",
                 "xml": "application/xml; charset=utf-8",
                 "text": "text/plain; charset=utf-8"}


def listing_format(query_format: str | None, accept: str | None) -> str:
    fmt = (query_format or "").lower()
    if fmt in ("json", "xml", "plain"):
        return "text" if fmt == "plain" else fmt
    accept = (accept or "").lower()
    if "application/json" in accept:
        return "json"
    if "application/xml" in accept or "text/xml" in accept:
        return "xml"
    return "text"


def object_entry(e: dict[str, Any], account: str = "", links: bool = False,
                 container: str = "") -> dict[str, Any]:
    """A listing entry; `links`: with a symlink's symlink_path (etc.), which Swift
    shows in JSON listings only. A row's ETag never shows a link's parameters."""
    if "subdir" in e:
        return {"subdir": e["subdir"]}
    entry = {"name": e["name"], "hash": e["hash"], "bytes": e["bytes"],
             "content_type": header_text(e["content_type"]),   # sent as raw UTF-8
             "last_modified": iso_date(Timestamp.parse(e["timestamp"]))}
    if ";" in entry["hash"]:
        params = listed_etags(entry["hash"])[1]
        if links:
            entry = symlinks.listing_entry(entry, account)
            if "version_id" in params:      # a versioned object: its current version
                entry["version_symlink"] = True
                entry["symlink_path"] = (f"/v1/{quote(account)}/{quote(container)}/"
                                         f"{quote(entry['name'])}?version-id="
                                         f"{params['version_id']}")
        else:
            entry["hash"] = listed_etag(entry["hash"])
        if "slo_etag" in params:    # a large object: its whole ETag beside the manifest's
            entry["slo_etag"] = f'"{params["slo_etag"]}"'
    return entry


def container_entry(e: dict[str, Any], held: tuple[Policy, ...]) -> dict[str, Any]:
    """An account listing's row (its content type keeps the container's policy index:
    container_policies.py)."""
    if "subdir" in e:
        return {"subdir": e["subdir"]}
    return {"name": e["name"], "count": e["count"], "bytes": e["bytes"],
            "last_modified": iso_date(Timestamp.parse(e["timestamp"])),
            "storage_policy": policies.name_of(held, str(e.get("content_type") or ""))}


def _element(tag: str, value: object) -> str:
    return f"<{tag}>{escape(str(value))}</{tag}>"


def listing_xml(root: str, root_name: str, item_tag: str,
                entries: list[dict[str, Any]]) -> bytes:
    """Swift's XML listings, byte for byte: a container's elements follow each other
    with no text between them (clients walk childNodes expecting elements only); an
    account's document puts a newline after the root's start tag and after each entry,
    and its subdirs carry the name as an attribute only."""
    account = root == "account"
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n', f"<{root} name={quoteattr(root_name)}>"]
    if account:
        out.append("\n")
    for e in entries:
        if "subdir" in e:
            name = e["subdir"]
            out.append(f"<subdir name={quoteattr(name)} />" if account else
                       f"<subdir name={quoteattr(name)}>{_element('name', name)}</subdir>")
        else:
            fields = "".join(_element(k, v) for k, v in e.items())
            out.append(f"<{item_tag}>{fields}</{item_tag}>")
        if account:
            out.append("\n")
    out.append(f"</{root}>")
    return "".join(out).encode()


def render_listing(fmt: str, root: str, root_name: str, item_tag: str,
                   entries: list[dict[str, Any]]) -> tuple[bytes, str]:
    """(body, content type) of a listing in Swift's text, JSON or XML form."""
    if fmt == "json":
        return json.dumps(entries).encode(), LISTING_TYPES[fmt]
    if fmt == "xml":
        return listing_xml(root, root_name, item_tag, entries), LISTING_TYPES[fmt]
    lines = [e.get("name", e.get("subdir", "")) for e in entries]
    return "".join(f"{n}\n" for n in lines).encode(), LISTING_TYPES["text"]
