"""Swift's legacy versioned writes, the objects' side (the setting: versioned_writes.py).

Before a PUT or COPY replaces an object of a versioned container, its current version
is copied into the archive container as `<archive>/<len><name>/<timestamp>` (`len`: the
name's length in UTF-8 bytes, three hex digits; `timestamp`: when that version was
written), as it is stored: server-side, streamed, with its metadata, a large object's
manifest or a symlink as themselves. A DELETE in stack mode (X-Versions-Location) puts
the newest archived version back and removes it from the archive; in history mode
(X-History-Location) it archives the current version, writes a delete marker
(MARKER, zero bytes) beside it, then deletes.

Who may: the request was authorized on the versioned container (app.py) as any write
is; the archive is then written and read by the store itself, as Swift's middleware
does, so a user allowed to write the container has its versions kept without any right
on the archive (and cannot read the archive unless its ACLs say so).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.expiry import queue
from objectstore.api.names import MAX_OBJECT, SwiftPath
from objectstore.api.swift_errors import PreconditionFailedWithReason
from objectstore.api.versioned_writes import Archive, archive_of
from objectstore.crypto.protection import CRYPTO_BODY
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.put_options import PutOptions
from objectstore.timestamps import Timestamp

MARKER = "application/x-deleted;swift_versions_deleted=1"
PAGE = 1000             # archive listing rows asked for at a time


def prefix_of(name: str) -> str:
    """The archive names of `name`'s versions start with this (Swift's naming)."""
    return f"{len(name.encode()):03x}{name}/"


async def keep_current(b: Backend, headers: Mapping[str, str], t: SwiftPath) -> None:
    """Before a write onto `t` (a PUT, or a copy's destination): archive the version it
    replaces, if its container keeps versions. A create-only write (If-None-Match: *)
    replaces nothing."""
    assert t.container is not None and t.obj is not None
    if _plain(b, t):
        return
    archive = await archive_of(b, t.account, t.container)
    if archive is None or headers.get("if-none-match", "").strip() == "*":
        return
    await _archive_current(b, t, archive)


async def delete(b: Backend, t: SwiftPath) -> bool:
    """A DELETE of `t` as its container's versioning mode does it; False if the
    container keeps no versions (the caller deletes as usual)."""
    assert t.container is not None and t.obj is not None
    if _plain(b, t):
        return False
    archive = await archive_of(b, t.account, t.container)
    if archive is None:
        return False
    if archive.history:
        await _archive_current(b, t, archive)
        await _write_marker(b, t, archive)
        await b.proxy.delete_object(t.account, t.container, t.obj)     # 404 if none
    else:
        await _pop(b, t, archive)
    return True


def _plain(b: Backend, t: SwiftPath) -> bool:
    """The 4 KiB path's question, answered from the cache without a coroutine: a
    container seen lately with no system metadata at all keeps no versions."""
    assert t.container is not None
    known = b.proxy.known_containers
    return known.known(t.account, t.container) and \
        not known.sysmeta(t.account, t.container)


async def _archive_current(b: Backend, t: SwiftPath, archive: Archive) -> None:
    assert t.container is not None and t.obj is not None
    try:
        handle = await b.proxy.open_object(t.account, t.container, t.obj)
    except errors.ObjectNotFound:
        return                              # nothing to keep
    try:
        name = prefix_of(t.obj) + handle.timestamp.internal
        await _confirm_archive(b, t, archive, name)
    except BaseException:
        handle.discard()
        raise
    await _copy_as_stored(b, handle, SwiftPath(t.version, t.account, archive.container,
                                                 name))


async def _write_marker(b: Backend, t: SwiftPath, archive: Archive) -> None:
    """History mode: a zero-byte object that says when the object was deleted."""
    assert t.obj is not None
    name = prefix_of(t.obj) + Timestamp.now().internal
    await _confirm_archive(b, t, archive, name)
    await b.proxy.put_object(t.account, archive.container, name, _nothing(),
                             PutOptions(content_type=MARKER, length=0))


async def _confirm_archive(b: Backend, t: SwiftPath, archive: Archive, name: str) -> None:
    """412 (as Swift answers when the archive cannot be written) if the archive
    container does not exist, or the version's name would be too long in it."""
    where = "X-History-Location" if archive.history else "X-Versions-Location"
    if len(name.encode()) > MAX_OBJECT:
        raise PreconditionFailedWithReason(
            f"the object's name is too long to keep its versions in {where} (an archived "
            f"version's name would be over {MAX_OBJECT} bytes); nothing was changed")
    try:
        await b.containers.confirm(t.account, archive.container)
    except errors.ContainerNotFound:
        raise PreconditionFailedWithReason(
            f"{where} names the container {archive.container!r}, which does not exist: "
            "the current version could not be kept; nothing was changed") from None


async def _pop(b: Backend, t: SwiftPath, archive: Archive) -> None:
    """Stack mode: the newest archived version becomes the object again (and leaves the
    archive). Past a delete marker (left by history mode), the object is deleted
    already: the marker goes, and the version before it comes back."""
    assert t.container is not None and t.obj is not None
    versions = _newest_first(b, t.account, archive.container, prefix_of(t.obj))
    async for item in versions:
        if item["content_type"] == MARKER:
            if not await _exists(b, t):
                async for older in versions:
                    if older["content_type"] == MARKER:
                        break               # nothing to restore
                    if await _restore(b, t, archive, older["name"]):
                        await _delete_quietly(b, t.account, archive.container,
                                              older["name"])
                        break
                await b.proxy.delete_object(t.account, archive.container, item["name"])
                return
            break                           # the object is back: delete it
        if await _restore(b, t, archive, item["name"]):
            await b.proxy.delete_object(t.account, archive.container, item["name"])
            return
    await b.proxy.delete_object(t.account, t.container, t.obj)


async def _restore(b: Backend, t: SwiftPath, archive: Archive, name: str) -> bool:
    """Copy an archived version back over `t`; False if it is gone meanwhile."""
    try:
        handle = await b.proxy.open_object(t.account, archive.container, name)
    except errors.ObjectNotFound:
        return False
    await _copy_as_stored(b, handle, t)
    return True


async def _copy_as_stored(b: Backend, handle: ObjectHandle | ManifestHandle,
                          to: SwiftPath) -> None:
    """Write the opened version again at `to`, streamed from its replicas, as it is
    stored: content type and headers, user and system metadata, expiry (a manifest
    or a symlink stays one; the ETag is checked on the way)."""
    assert to.container is not None and to.obj is not None
    stored = handle.manifest if isinstance(handle, ManifestHandle) else handle
    try:
        info = stored.info
        expires = stored.headers.get("x-delete-at")
        delete_at = int(expires) if expires and expires.isdigit() else None
        options = PutOptions(content_type=info.content_type,
                             content_headers=dict(info.content_headers),
                             user_metadata=dict(info.user_metadata),
                             system_metadata=info.system.headers(), length=info.size,
                             etag=None if CRYPTO_BODY in stored.headers else info.etag or None,
                             delete_at=delete_at)
        stream = await stored.read_stored()     # as stored: ciphertext stays ciphertext
        await b.proxy.put_object(to.account, to.container, to.obj, stream.body, options)
    finally:
        stored.discard()
    await queue(b, to, delete_at)


async def _newest_first(b: Backend, account: str, container: str, prefix: str
                        ) -> AsyncIterator[dict[str, Any]]:
    """The archive's rows of one object's versions, newest first, page by page (none
    if the archive container does not exist: there is nothing to restore)."""
    marker = None
    while True:
        try:
            listing = await b.containers.list_container(
                account, container, prefix=prefix, marker=marker, reverse="true",
                limit=str(PAGE))
        except errors.ContainerNotFound:
            return
        for row in listing.entries:
            yield row
        if len(listing.entries) < PAGE:
            return
        marker = listing.entries[-1]["name"]


async def _exists(b: Backend, t: SwiftPath) -> bool:
    assert t.container is not None and t.obj is not None
    try:
        await b.proxy.head_object(t.account, t.container, t.obj)
    except errors.ObjectNotFound:
        return False
    return True


async def _delete_quietly(b: Backend, account: str, container: str, name: str) -> None:
    """Remove a restored version from the archive (gone already: as well)."""
    with contextlib.suppress(errors.ObjectNotFound):
        await b.proxy.delete_object(account, container, name)


async def _nothing() -> AsyncIterator[bytes]:
    return
    yield b""           # an async generator that yields nothing
