"""TempURL: a link that grants one method on one object (or on every object under a
prefix) until a time, to whoever holds it -- no token.

As OpenStack Swift's tempurl middleware: the link carries `temp_url_sig`, an HMAC of

    [ip=<range>\\n]<METHOD>\\n<expires>\\n</v1/account/container/object | prefix:/v1/a/c/pre>

under one of the account's keys (`X-Account-Meta-Temp-URL-Key`, `-Key-2`) or the
container's (`X-Container-Meta-Temp-URL-Key`, `-Key-2`), and `temp_url_expires` (Unix
seconds, or ISO 8601 `YYYY-MM-DDTHH:MM:SSZ`; the HMAC is over the seconds). The digest
is told by the signature's length in hex (40 SHA-1, 64 SHA-256, 128 SHA-512) or by a
`sha512:` prefix before its URL-safe base64. A GET, PUT or POST link also allows HEAD.
Anything wrong -- a bad or expired link, another object, another method, an address
outside `temp_url_ip_range` -- is the same 401, so a link reveals nothing about why.

A container key's link reaches objects of that container only; an account key's, the
account's. Through a link, a request may not create manifests or symlinks (400), may
not set its own timestamps (dropped), and sees no private metadata (X-Object-Meta-*
except X-Object-Meta-Public-*)."""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import hmac
import ipaddress
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from objectstore import errors

ALGORITHMS = {40: "sha1", 64: "sha256", 128: "sha512"}     # hex length -> digest
ALLOWED_DIGESTS = ("sha1", "sha256", "sha512")
METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE")
KEY_NAMES = ("temp-url-key", "temp-url-key-2")
EXPIRES_ISO8601 = "%Y-%m-%dT%H:%M:%SZ"
QUERY = ("temp_url_sig", "temp_url_expires", "temp_url_prefix", "temp_url_ip_range",
         "filename", "inline")
DISALLOWED_HEADERS = ("x-object-manifest", "x-symlink-target")
INCOMING_REMOVE = ("x-timestamp", "x-open-expired")
OUTGOING_REMOVE_PREFIX = "x-object-meta-"
OUTGOING_ALLOW_PREFIX = "x-object-meta-public-"
# what /info says (Swift's section, so clients know what a link may do)
CAPABILITIES = {
    "methods": list(METHODS),
    "allowed_digests": list(ALLOWED_DIGESTS),
    "incoming_remove_headers": list(INCOMING_REMOVE),
    "incoming_allow_headers": [],
    "outgoing_remove_headers": [OUTGOING_REMOVE_PREFIX + "*"],
    "outgoing_allow_headers": [OUTGOING_ALLOW_PREFIX + "*"],
}


class TempURLInvalid(errors.Unauthorized):
    """Any reason a link does not grant this request: one answer for all of them."""


@dataclass(frozen=True)
class LinkQuery:
    """A temporary URL's query parameters, as given."""

    sig: str | None
    expires: str | None
    prefix: str | None
    ip_range: str | None
    filename: str | None
    inline: bool

    @classmethod
    def of(cls, query: Mapping[str, str]) -> LinkQuery | None:
        """None unless the request uses a temporary URL."""
        if "temp_url_sig" not in query and "temp_url_expires" not in query:
            return None
        return cls(query.get("temp_url_sig"), query.get("temp_url_expires"),
                   query.get("temp_url_prefix"), query.get("temp_url_ip_range"),
                   query.get("filename"), "inline" in query)


@dataclass(frozen=True)
class Grant:
    """What a valid link allows: `method` (and HEAD) on the object, until `expires`;
    `container` is set when a container's key signed it (its objects only)."""

    account: str
    container: str | None
    expires: int
    link: LinkQuery


def expires_at(value: str | None, now: float) -> int:
    """The link's expiry in Unix seconds; 0 if unreadable or past."""
    if not value:
        return 0
    try:
        seconds = int(value)
    except ValueError:
        try:
            seconds = calendar.timegm(time.strptime(value, EXPIRES_ISO8601))
        except ValueError:
            return 0
    return seconds if seconds >= now else 0


def split_signature(sig: str) -> tuple[str, bytes]:
    """(digest name, the MAC's bytes) of a signature in hex or `<digest>:<base64>`."""
    if ":" in sig:
        name, _, encoded = sig.partition(":")
        try:
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as exc:
            raise TempURLInvalid("bad signature encoding") from exc
        if name not in ALLOWED_DIGESTS or len(raw) != hashlib.new(name).digest_size:
            raise TempURLInvalid("bad signature digest")
        return name, raw
    name = ALGORITHMS.get(len(sig), "")
    try:
        return name, bytes.fromhex(sig) if name else b""
    except ValueError:
        return "", b""


def mac(key: str, method: str, expires: int, path: str, digest: str,
        ip_range: str | None = None) -> bytes:
    body = f"{method}\n{expires}\n{path}"
    if ip_range is not None:
        body = f"ip={ip_range}\n{body}"
    return hmac.new(raw_bytes(key), body.encode(), digest).digest()


def raw_bytes(value: str) -> bytes:
    """A header value's bytes as the client sent them: HTTP headers reach us decoded as
    latin-1, so a UTF-8 key (Swift's tests use them) comes back whole this way."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode()


def keys_of(metadata: Mapping[str, str], kind: str) -> list[str]:
    """The TempURL keys an account's or container's metadata holds (0 to 2)."""
    return [metadata[f"x-{kind}-meta-{n}"] for n in KEY_NAMES
            if metadata.get(f"x-{kind}-meta-{n}")]


def signed_path(link: LinkQuery, account: str, container: str, obj: str) -> str:
    if link.prefix is None:
        return f"/v1/{account}/{container}/{obj}"
    if not obj.startswith(link.prefix):
        raise TempURLInvalid("object outside the link's prefix")
    return f"prefix:/v1/{account}/{container}/{link.prefix}"


def _client_allowed(ip_range: str, client: str | None) -> bool:
    try:
        return client is not None and ipaddress.ip_address(client) in \
            ipaddress.ip_network(ip_range)
    except ValueError:
        return False


def check(link: LinkQuery, method: str, account: str, container: str, obj: str,
          client: str | None, account_keys: Iterable[str], container_keys: Iterable[str],
          now: float | None = None, directory: bool = False) -> Grant:
    """The grant `link` gives this request, or TempURLInvalid. `directory`: the request
    is for a directory of a web site (`obj` may then be empty: the container's root)."""
    now = time.time() if now is None else now
    expires = expires_at(link.expires, now)
    if not link.sig or not expires or method not in METHODS or not (obj or directory):
        raise TempURLInvalid("no signature, expired, or not an object")
    digest, given = split_signature(link.sig)
    if digest not in ALLOWED_DIGESTS or not given:
        raise TempURLInvalid("unreadable signature")
    if link.ip_range is not None and not _client_allowed(link.ip_range, client):
        raise TempURLInvalid("client address outside the link's range")
    path = signed_path(link, account, container, obj)
    methods = ("HEAD", "GET", "POST", "PUT") if method == "HEAD" else (method,)
    scoped = [(k, None) for k in account_keys] + [(k, container) for k in container_keys]
    found = None
    for key, scope in scoped:
        for m in methods:      # every candidate compared: the time says nothing
            if hmac.compare_digest(mac(key, m, expires, path, digest, link.ip_range),
                                   given) and found is None:
                found = Grant(account, scope, expires, link)
    if found is None:
        raise TempURLInvalid("signature does not match")
    return found


def refused_header(method: str, headers: Iterable[str]) -> str | None:
    """A header a link may not carry on this method (a manifest or a symlink would let
    it reach objects the link does not name), if the request has one."""
    if method in ("GET", "HEAD", "OPTIONS"):
        return None
    return next((h for h in headers if h.lower() in DISALLOWED_HEADERS), None)


def outgoing(headers: Mapping[str, str]) -> dict[str, str]:
    """The response headers a link's holder may see: no private object metadata."""
    return {k: v for k, v in headers.items()
            if not k.lower().startswith(OUTGOING_REMOVE_PREFIX)
            or k.lower().startswith(OUTGOING_ALLOW_PREFIX)}


def disposition(grant: Grant, obj: str) -> str:
    """Content-Disposition of a GET or HEAD through a link: a download named after the
    object, unless `inline` or `filename` say otherwise."""
    link = grant.link
    if link.inline:
        kind = "inline"
        if not link.filename:
            return kind
    else:
        kind = "attachment"
    name = link.filename or obj.rstrip("/").rsplit("/", 1)[-1]
    value = f"{kind}; filename=\"{quote(name, safe=' /')}\"; filename*=UTF-8''{quote(name)}"
    return value.replace("\n", "%0A")
