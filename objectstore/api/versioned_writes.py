"""Swift's legacy versioned writes, the container's side: X-Versions-Location (stack
mode) or X-History-Location (history mode) names an archive container, in the same
account, where the version an object write replaces is kept (version_archive.py keeps
it, and answers DELETE as each mode does).

The setting is container system metadata (Swift's own names, so a container's replicas
say it to every proxy): LOCATION, the value as the client sent it (URL-encoded, shown
back as sent), and MODE, `stack` or `history`. Object requests find it in the proxy's
cache of recently seen containers (`ExistenceCache.sysmeta`): a dict lookup on a PUT
or DELETE, no HEAD. Who may set it: whoever may PUT or POST the container (its owners,
and read-write members of the account's ACL).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.names import MAX_CONTAINER, SwiftPath, header_text
from objectstore.api.swift_errors import PreconditionFailedWithReason
from objectstore.api.truth import TRUE
from objectstore.proxy.containers import LEGACY_VERSIONS
from objectstore.proxy.version_names import STATE

LOCATION = LEGACY_VERSIONS        # x-container-sysmeta-versions-location
MODE = "x-container-sysmeta-versions-mode"
# the new object versioning's state (X-Versions-Enabled): a container has one or the other
VERSIONS_ENABLED = STATE
SHOWN = {"stack": "x-versions-location", "history": "x-history-location"}
ENABLE = "x-versions-enabled"
REMOVE = ("x-remove-versions-location", "x-remove-history-location")
CAPABILITIES: dict[str, Any] = {"allowed_flags": list(SHOWN.values())}


@dataclass(frozen=True, slots=True)
class Archive:
    """Where a versioned container keeps its older versions, and how DELETE acts."""

    container: str          # the archive container's name (decoded)
    history: bool           # X-History-Location: a DELETE archives and leaves a marker


def requested(headers: Mapping[str, str]) -> dict[str, str]:
    """The system metadata a container PUT or POST sets (LOCATION and MODE; both empty
    to remove them), or {} if it says nothing of versioning. As Swift reads them: both
    headers with values is 400; an empty value, or an X-Remove-* with a value, removes;
    a location set in the same request wins over a removal."""
    stack, history = headers.get(SHOWN["stack"]), headers.get(SHOWN["history"])
    if stack and history:
        raise errors.BadRequest("Only one of x-versions-location or x-history-location "
                                "may be specified")
    value, mode = (history, "history") if history or stack is None else (stack, "stack")
    if value:
        _check_name(value)
        return {LOCATION: value, MODE: mode}
    if value is not None or any(headers.get(name) for name in REMOVE):
        return {LOCATION: "", MODE: ""}
    return {}


def _check_name(value: str) -> None:
    """A location must name a container (412, as Swift's check_container_format)."""
    name = unquote(header_text(value))
    if "/" in name:
        raise PreconditionFailedWithReason("Container name cannot contain slashes")
    if "\0" in name or len(name.encode()) > MAX_CONTAINER or name in (".", ".."):
        raise PreconditionFailedWithReason(
            f"Container name {name!r} is no container name (at most {MAX_CONTAINER} "
            "bytes, no NUL, not . or ..)")


async def container_settings(b: Backend, headers: Mapping[str, str], t: SwiftPath,
                             current: Mapping[str, str] | None = None) -> dict[str, str]:
    """`requested`, after `check_one_kind` (one container, one kind of versioning).
    `current`: the container's headers, if the caller has them (a POST); else they are
    asked for when it matters."""
    settings = requested(headers)
    if not settings.get(LOCATION) and ENABLE not in headers:
        return settings
    if current is None:
        assert t.container is not None
        try:
            current = await b.containers.head_container(t.account, t.container)
        except errors.ContainerNotFound:
            current = {}
    check_one_kind(headers, current, settings)
    return settings


def check_one_kind(headers: Mapping[str, str], current: Mapping[str, str],
                   settings: Mapping[str, str]) -> None:
    """400 for a location set (`settings`) on a container that has (or had: its
    versions are kept still) the new object versioning, or gets it by the same request;
    and for X-Versions-Enabled on a container with a location, as Swift refuses it."""
    if ENABLE in headers and current.get(LOCATION):
        raise errors.BadRequest("Cannot enable object versioning on a container that is "
                                "already using the legacy versioned writes feature.")
    if settings.get(LOCATION) and (headers.get(ENABLE, "").strip().lower() in TRUE or
                                   current.get(VERSIONS_ENABLED)):
        raise errors.BadRequest("Cannot set X-Versions-Location or X-History-Location on "
                                "a container that uses object versioning "
                                "(X-Versions-Enabled).")


def shown(stored: Mapping[str, str]) -> dict[str, str]:
    """The header a container's HEAD or GET shows its setting with."""
    location = stored.get(LOCATION)
    if not location:
        return {}
    return {SHOWN["history" if stored.get(MODE) == "history" else "stack"]: location}


async def archive_of(b: Backend, account: str, container: str) -> Archive | None:
    """The container's archive, or None if it keeps no versions (ContainerNotFound if
    there is no such container). From the proxy's cache while the container is known:
    the 4 KiB write path pays one dict lookup."""
    known = b.proxy.known_containers
    stored = (known.sysmeta(account, container) if known.known(account, container)
              else await b.containers.head_container(account, container))
    location = stored.get(LOCATION)
    if not location:
        return None
    name = unquote(header_text(location)).split("/")[0]
    return Archive(name, stored.get(MODE) == "history")
