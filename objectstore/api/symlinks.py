"""Swift symlinks: a zero-byte object whose system metadata names another object.

As OpenStack Swift's symlink middleware: `PUT` with `X-Symlink-Target: <container>/<object>`
(and `X-Symlink-Target-Account`) makes one; GET and HEAD answer with the target (at most
SYMLOOP_MAX links followed, then 409), with `Content-Location` naming it; `?symlink=get`
answers the link itself. `X-Symlink-Target-Etag` makes a *static* link: the target must
exist with that ETag when the link is made, and still have it when it is read (409
otherwise). Each target is read with the requester's own rights (a link does not lend
access). A POST to a link answers 307 with the target in `Location` (its metadata is
still applied to the link). JSON container listings show `symlink_path` (and for static
links `symlink_etag`, `symlink_bytes`): the row's ETag carries them as parameters, as
Swift's does."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from objectstore import errors
from objectstore.api.names import SwiftPath, header_text, parse_swift_path
from objectstore.api.swift_errors import ConflictWithReason, PreconditionFailedWithReason
from objectstore.proxy.object_info import LISTING_ETAG as LISTING_ETAG

SYSMETA = "x-object-sysmeta-symlink-"
TARGET = SYSMETA + "target"
TARGET_ACCOUNT = SYSMETA + "target-account"
TARGET_ETAG = SYSMETA + "target-etag"
TARGET_BYTES = SYSMETA + "target-bytes"
SYMLOOP_MAX = 2
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
DEFAULT_CONTENT_TYPE = "application/symlink"
FORM = "X-Symlink-Target header must be of the form <container name>/<object name>"
CAPABILITIES = {"symloop_max": SYMLOOP_MAX}
# public header -> system metadata, for ?symlink=get answers
SHOWN = {TARGET: "x-symlink-target", TARGET_ACCOUNT: "x-symlink-target-account",
         TARGET_ETAG: "x-symlink-target-etag", TARGET_BYTES: "x-symlink-target-bytes"}

May = Callable[[SwiftPath, str], Awaitable[None]]     # the requester's rights


class TooManyLinks(ConflictWithReason):
    """More than SYMLOOP_MAX links in a row."""


@dataclass(frozen=True)
class LinkRequest:
    """What a symlink PUT asks for, checked."""

    target: SwiftPath
    quoted: str             # container/object, URL-quoted, as stored and shown
    account: str | None     # X-Symlink-Target-Account, when given
    etag: str | None        # a static link's X-Symlink-Target-Etag


def is_link(headers: Mapping[str, str]) -> bool:
    return TARGET in headers


def target_of(headers: Mapping[str, str], account: str) -> SwiftPath:
    """Where a stored link points (its own account unless it names another)."""
    where = unquote(headers.get(TARGET_ACCOUNT, "")) or account
    container, _, obj = unquote(headers[TARGET]).partition("/")
    return SwiftPath("v1", where, container, obj)


def location(path: SwiftPath) -> str:
    assert path.container is not None and path.obj is not None
    return f"/v1/{quote(path.account)}/{quote(path.container)}/{quote(path.obj)}"


def link_request(headers: Mapping[str, str], t: SwiftPath) -> LinkRequest:
    """The checked X-Symlink-* headers of a PUT (412 for a malformed target, 400 for a
    link to itself or a bad ETag), as Swift checks them."""
    raw = unquote(header_text(headers["x-symlink-target"]))    # raw UTF-8, or quoted
    container, slash, obj = raw.partition("/")
    if raw.startswith("/") or not slash or not container or not obj:
        raise PreconditionFailedWithReason(FORM)
    account = unquote(header_text(headers.get("x-symlink-target-account", ""))).strip() \
        or None
    if account is not None and "/" in account:
        raise errors.PreconditionFailed("Account name cannot contain slashes")
    target = parse_swift_path(
        f"/v1/{quote(account or t.account)}/{quote(container)}/{quote(obj)}".encode())
    if (target.account, target.container, target.obj) == (t.account, t.container, t.obj):
        raise errors.BadRequest("Symlink cannot target itself")
    etag = headers.get("x-symlink-target-etag")
    if etag is not None:
        etag = etag.strip().strip('"')
        if any(c in etag for c in ';"\\'):
            raise errors.BadRequest("Bad X-Symlink-Target-Etag format")
    return LinkRequest(target, quote(f"{container}/{obj}"), account, etag or None)


def system_metadata(link: LinkRequest, target_etag: str | None = None,
                    target_bytes: str | None = None, target_slo_etag: str | None = None
                    ) -> dict[str, str]:
    """What the link keeps, and the ETag its container row shows (a static link to a
    large object lists that object's ETag too, as Swift's does)."""
    meta = {TARGET: link.quoted}
    params = [f"symlink_target={link.quoted}"]
    if link.account is not None:
        meta[TARGET_ACCOUNT] = quote(link.account)
        params.append(f"symlink_target_account={quote(link.account)}")
    if link.etag is not None:
        meta[TARGET_ETAG] = link.etag
        meta[TARGET_BYTES] = target_bytes or "0"
        params += [f"symlink_target_etag={link.etag}",
                   f"symlink_target_bytes={target_bytes or '0'}"]
        if target_slo_etag:
            params.append(f"slo_etag={target_slo_etag}")
    meta[LISTING_ETAG] = "; ".join([EMPTY_MD5, *params])
    return meta


def retarget_account(system: dict[str, str], account: str) -> None:
    """A link's copy with X-Symlink-Target-Account: the copy points into that account
    (its kept target and its listing row's parameters both say so)."""
    if TARGET not in system:
        return
    system[TARGET_ACCOUNT] = quote(account)
    etag, *params = [p.strip() for p in system.get(LISTING_ETAG, EMPTY_MD5).split(";")]
    params = [p for p in params if not p.startswith("symlink_target_account=")]
    params.insert(1, f"symlink_target_account={quote(account)}")
    system[LISTING_ETAG] = "; ".join([etag, *params])


def shown_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A link's own X-Symlink-* headers (for ?symlink=get)."""
    return {SHOWN[k]: v for k, v in headers.items() if k in SHOWN}


def listing_entry(entry: dict[str, Any], account: str) -> dict[str, Any]:
    """A JSON listing entry with the link's fields pulled out of its row's ETag."""
    value = entry.get("hash")
    if not isinstance(value, str) or ";" not in value:
        return entry
    etag, *params = [p.strip() for p in value.split(";")]
    entry = {**entry, "hash": etag}
    fields = dict(p.partition("=")[::2] for p in params if "=" in p)
    if "symlink_target" in fields:
        target_account = fields.get("symlink_target_account", quote(account))
        entry["symlink_path"] = f"/v1/{target_account}/{fields['symlink_target']}"
    if "symlink_target_etag" in fields:
        entry["symlink_etag"] = fields["symlink_target_etag"]
        entry["symlink_bytes"] = int(fields.get("symlink_target_bytes", "0"))
    return entry
