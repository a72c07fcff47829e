"""The store's one version model, for both APIs (see version_names for the layout).

A write to a container with versioning enabled stores the body as a new version in the
versions container, then points the container's object at it; a delete writes a delete
marker there and removes the pointer. Before either, a plain (null) object in the way
is copied into the versions container, so no version is ever lost. Reads of the
current object follow the pointer inside the proxy (Proxy.open_object), so every path
-- S3, Swift, copies, large objects -- sees the current version without knowing.

What differs between the APIs (S3 promotes the previous version when the current one
is deleted by id; Swift does not; "null" means different things) is decided by the
caller's arguments, not by two models. Nothing here checks permissions: the APIs do,
on the container the client named.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any

from objectstore import errors
from objectstore.crypto.protection import CRYPTO_BODY
from objectstore.node import wire
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle, listed_etags
from objectstore.proxy.object_info import LISTING_ETAG, MANIFEST_ETAG, MANIFEST_SIZE
from objectstore.proxy.put_options import PutOptions, Stored
from objectstore.proxy.retention import check_removable
from objectstore.proxy.version_names import (
    DELETE_MARKER_TYPE,
    NULL,
    POINTER,
    STATE,
    VERSION_ID,
    WAS_NULL,
    listed_size,
    new_version_id,
    parse_version_id,
    parse_version_object,
    version_id,
    version_object,
    versions_container,
    versions_prefix,
)
from objectstore.timestamps import Timestamp

PAGE = 1000
EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
_PAST_ALL = "\U0010ffff"      # sorts after every character (UTF-8 byte order too)


class DeleteMarker(errors.ObjectNotFound):
    """The version asked for is a delete marker (S3 answers 405, Swift 404)."""

    def __init__(self, name: str, vid: str) -> None:
        super().__init__(name)
        self.version_id = vid


@dataclass(frozen=True)
class Written:
    """A version stored: what the write stored, and the version's id."""

    stored: Stored
    version_id: str


@dataclass(frozen=True)
class Removed:
    """A delete by version id: the version removed (and whether it was a delete
    marker), and what is current afterwards ("null": nothing, or a plain object)."""

    version_id: str
    was_marker: bool
    current: str


@dataclass
class VersionEntry:
    """One version in a listing (`subdir` set instead for a common prefix)."""

    name: str
    version_id: str = NULL
    is_latest: bool = False
    size: int = 0
    etag: str = ""
    content_type: str = ""
    timestamp: str = ""          # the row's, as listings give it
    is_marker: bool = False
    subdir: str | None = None
    null: bool = False           # S3's null version (plain, or kept with a null flag)


def state_of(headers: dict[str, str]) -> str:
    """A container's versioning state from its headers: "true", "false" or ""."""
    return headers.get(STATE, "")


class Versions:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers

    # -- the container ---------------------------------------------------------------
    async def prepare(self, account: str, container: str, enabled: bool) -> dict[str, str]:
        """The metadata that sets a container's versioning state; enabling makes its
        versions container first."""
        if enabled:       # the versions keep as many replicas as the current objects
            policy = await self.proxy.container_policies.index(account, container)
            await self.containers.put_container(account, versions_container(container), {},
                                                policy=policy or None)
        return {STATE: "true" if enabled else "false"}

    async def counts(self, account: str, container: str) -> tuple[int, int]:
        """(objects, bytes) the versions container holds; (0, 0) if there is none."""
        try:
            head = await self.containers.head_container(account, versions_container(container))
        except errors.ContainerNotFound:
            return 0, 0
        return int(head.get("x-item-count", "0")), int(head.get("x-bytes-used", "0"))

    async def delete_container(self, account: str, container: str) -> None:
        """Delete a container that has had versioning: Conflict while versions remain;
        its versions container goes only once the container itself is gone (so one
        that is not empty keeps where its versions go)."""
        count, _ = await self.counts(account, container)
        if count:
            raise errors.Conflict("Delete all versions before deleting container.")
        await self.containers.delete_container(account, container)
        with contextlib.suppress(errors.ContainerNotFound):
            await self.containers.delete_container(account, versions_container(container))

    # -- writes ----------------------------------------------------------------------
    async def put(self, account: str, container: str, obj: str, body: AsyncIterator[bytes],
                  options: PutOptions) -> Written:
        """Store a new version and make it current."""
        if options.conditional:         # the conditions are on the current version
            await self.proxy.check_write(account, container, obj, options)
            options = replace(options, if_none_match_any=False, if_none_match=(),
                              if_match=None)
        await self.keep_null(account, container, obj)
        vid = new_version_id()
        counted = _Counted(body)
        data = replace(options, delete_at=None)     # an expiry ends the pointer only
        stored = await self.proxy.put_object(account, versions_container(container),
                                             version_object(obj, vid), counted.chunks(),
                                             data)
        meta = data.system_metadata
        size = meta.get(MANIFEST_SIZE) or str(counted.size)
        etag = wire.listed_etag(meta.get(LISTING_ETAG) or meta.get(MANIFEST_ETAG)
                                or stored.etag, meta)
        await self._point(account, container, obj, vid, options.content_type, size, etag,
                          options.delete_at)
        return Written(stored, vid)

    async def _point(self, account: str, container: str, obj: str, vid: str,
                     content_type: str, size: str, etag: str, delete_at: int | None,
                     repair: bool = True) -> None:
        """Make `vid` current. A delete of that version by id, racing this, may have
        removed it just before the pointer was written: then the pointer must not
        outlive it (delete_version checks the other order), and the newest remaining
        version is current instead."""
        pointer = PutOptions(content_type=content_type, length=0, delete_at=delete_at,
                             system_metadata={
                                 POINTER: vid,
                                 LISTING_ETAG: f"{etag}; version_id={vid}; version_bytes={size}"})
        await self.proxy.put_object(account, container, obj, _empty(), pointer)
        if not repair:
            return
        try:
            await self.proxy.head_object(account, versions_container(container),
                                         version_object(obj, vid))
        except errors.ObjectNotFound:
            if await self._unpoint(account, container, obj, vid):
                await self.promote_newest(account, container, obj, repair=False)

    async def _unpoint(self, account: str, container: str, obj: str, vid: str) -> bool:
        """Remove the pointer if it (still) points at `vid`; whether it did."""
        if await self.current_id(account, container, obj) != vid:
            return False
        with contextlib.suppress(errors.ObjectNotFound):
            await self.proxy.delete_object(account, container, obj)
        return True

    async def delete(self, account: str, container: str, obj: str, null: bool = False,
                     at: Timestamp | None = None) -> tuple[str, bool]:
        """A delete without a version: a delete marker becomes the newest version and
        the object is gone from the container. Returns the marker's id and whether
        there was a current object. A `null` marker (S3, versioning suspended) is
        listed as the null version: the caller removed the null one first. With `at`
        (lifecycle), the marker's id and the tombstone are that time: repeating it
        writes the same marker again, and a version written after `at` stays current."""
        if not null:
            await self.keep_null(account, container, obj)
        vid = new_version_id() if at is None else version_id(at)
        marker = PutOptions(content_type=DELETE_MARKER_TYPE, length=0)
        if null:
            marker.system_metadata = {WAS_NULL: "1",
                                      LISTING_ETAG: f"{EMPTY_MD5}; {NULL}=1"}
        await self.proxy.put_object(account, versions_container(container),
                                    version_object(obj, vid), _empty(), marker)
        try:
            await self.proxy.delete_object(account, container, obj, at)
        except errors.ObjectNotFound:
            return vid, False
        return vid, True

    async def keep_null(self, account: str, container: str, obj: str) -> None:
        """Copy a plain (null) current object into the versions container, under the
        id of its own timestamp, before something replaces it."""
        try:
            handle = await self.proxy.open_object(account, container, obj, raw=True)
        except errors.ObjectNotFound:
            return
        assert isinstance(handle, ObjectHandle)
        if POINTER in handle.headers:
            handle.discard()
            return
        vid = version_id(handle.timestamp)
        info = handle.info
        system = info.system.headers()
        system[WAS_NULL] = "1"
        # listed with a `null` parameter, so S3 finds (and names) it from the listing
        system[LISTING_ETAG] = f"{system.get(LISTING_ETAG) or handle.etag}; {NULL}=1"
        options = PutOptions(content_type=info.content_type,
                             content_headers=info.content_headers,
                             user_metadata=info.user_metadata, system_metadata=system,
                             length=handle.size,
                             etag=None if CRYPTO_BODY in handle.headers else handle.etag)
        stream = await handle.read_stored()     # as stored: ciphertext stays ciphertext
        try:
            await self.proxy.put_object(account, versions_container(container),
                                        version_object(obj, vid), stream.body, options)
        finally:
            stream.close()

    async def post_current(self, account: str, container: str, obj: str, vid: str,
                           metadata: dict[str, str]) -> None:
        """A POST to a versioned object: its metadata goes to the current version (an
        expiry, to the pointer: the caller posts that)."""
        await self.proxy.post_object(account, versions_container(container),
                                     version_object(obj, vid), metadata)

    async def make_current(self, account: str, container: str, obj: str, vid: str,
                           delete_at: int | None = None) -> ObjectHandle | ManifestHandle:
        """Point the object at an existing version (Swift's PUT ?version-id)."""
        handle = await self.open_version(account, container, obj, vid)
        handle.discard()
        listed = wire.listed_etag(handle.headers.get(LISTING_ETAG)
                                  or handle.headers.get("etag", ""), handle.headers)
        await self._point(account, container, obj, vid,
                          handle.headers.get("content-type", "application/octet-stream"),
                          str(handle.size), listed, delete_at)
        return handle

    # -- versions by id ---------------------------------------------------------------
    async def open_version(self, account: str, container: str, obj: str, vid: str
                           ) -> ObjectHandle | ManifestHandle:
        """A version by id (not "null": the caller reads the container's own object);
        DeleteMarker for a marker, ObjectNotFound for none."""
        name = version_object(obj, vid)
        try:
            handle = await self.proxy.open_object(account, versions_container(container),
                                                  name)
        except errors.ContainerNotFound:
            raise errors.ObjectNotFound(obj) from None
        if handle.headers.get("content-type") == DELETE_MARKER_TYPE:
            handle.discard()
            raise DeleteMarker(obj, vid)
        handle.headers[VERSION_ID] = vid
        return handle

    async def head_version(self, account: str, container: str, obj: str, vid: str
                           ) -> dict[str, str]:
        try:
            head = await self.proxy.head_object(account, versions_container(container),
                                                version_object(obj, vid))
        except errors.ContainerNotFound:
            raise errors.ObjectNotFound(obj) from None
        if head.get("content-type") == DELETE_MARKER_TYPE:
            raise DeleteMarker(obj, vid)
        return {**head, VERSION_ID: vid}

    async def locate(self, account: str, container: str, obj: str, vid: str | None
                     ) -> tuple[str, str]:
        """Where a version of an object is stored, as (container, name): the object whose
        metadata is that version's (None: the current version; "null": the null one,
        in the container or kept in the versions container). ObjectNotFound if there
        is no such version, DeleteMarker if it is a delete marker."""
        if vid is not None and vid != NULL:
            await self.head_version(account, container, obj, vid)
            return versions_container(container), version_object(obj, vid)
        try:
            head = await self.proxy.head_object(account, container, obj, raw=True)
        except errors.ObjectNotFound:
            head = None
        if vid is None:
            if head is None:
                raise errors.ObjectNotFound(obj)
            if POINTER in head:
                return versions_container(container), version_object(obj, head[POINTER])
            return container, obj
        if head is not None and POINTER not in head:
            return container, obj
        kept = await self.null_copy(account, container, obj)
        if kept is None:
            raise errors.ObjectNotFound(obj)
        return versions_container(container), kept

    async def null_copy(self, account: str, container: str, obj: str) -> str | None:
        """The name of the object's null version kept in the versions container (at
        most one: S3 replaces it), or None."""
        async for row in _rows(self.containers, account, versions_container(container),
                               versions_prefix(obj), "", "", False):
            if is_null_row(row):
                return str(row["name"])
        return None

    async def current_id(self, account: str, container: str, obj: str) -> str | None:
        """The id of the current version: a pointer's, "null" for a plain object,
        None if there is none."""
        try:
            head = await self.proxy.head_object(account, container, obj, raw=True)
        except errors.ObjectNotFound:
            return None
        return head.get(POINTER, NULL)

    async def delete_version(self, account: str, container: str, obj: str, vid: str,
                             promote: bool, bypass_governance: bool = False) -> Removed:
        """Remove one version (or marker) for good -- unless it is locked (Locked; see
        retention.py: whoever asks, through whichever API). If it was the current
        one, the pointer goes too; with `promote` (S3) the newest remaining version
        then becomes current."""
        parse_version_id(vid)
        current = await self.current_id(account, container, obj)
        name = version_object(obj, vid)
        was_marker = False
        try:
            head = await self.proxy.head_object(account, versions_container(container), name)
            was_marker = head.get("content-type") == DELETE_MARKER_TYPE
        except (errors.ObjectNotFound, errors.ContainerNotFound):
            head = None
        if head is not None:
            check_removable(head, bypass_governance)
        if current == vid:
            with contextlib.suppress(errors.ObjectNotFound):
                await self.proxy.delete_object(account, container, obj)
            current = None
        if head is not None:
            with contextlib.suppress(errors.ObjectNotFound):
                await self.proxy.delete_object(account, versions_container(container), name)
            # a write making this version current may have raced the look above
            if await self._unpoint(account, container, obj, vid):
                current = None
        if promote and current is None:
            current = await self.promote_newest(account, container, obj)
        return Removed(vid, was_marker, current or NULL)

    async def promote_newest(self, account: str, container: str, obj: str,
                             repair: bool = True) -> str | None:
        """Point at the newest remaining version, unless that is a delete marker."""
        newest = await self.newest(account, container, obj)
        if newest is None or newest.is_marker:
            return None
        await self._point(account, container, obj, newest.version_id, newest.content_type,
                          str(newest.size), newest.etag, None, repair)
        return newest.version_id

    # -- listing -------------------------------------------------------------------------
    async def list_versions(self, account: str, container: str, *, prefix: str = "",
                            delimiter: str = "", marker: str = "", version_marker: str = "",
                            limit: int = 10_000, reverse: bool = False,
                            look_up_marker: bool = True) -> list[VersionEntry]:
        """Every version of every object (and common prefixes), in name order, each
        object's versions newest first (its plain null object before them), or all of
        it reversed; after (`marker`, `version_marker`) when given.

        `look_up_marker=False` (Swift's listing from `version_marker=null`) does not ask
        which of the marker object's versions is current, as OpenStack Swift does not
        (its clients see that): only the first delete marker it lists is latest.

        The two containers' listings are merged as they are read. Which version is
        current and which is the newest is known from the rows themselves, except for
        an object the listing starts or stops in the middle of: that one is asked."""
        primary_marker, versions_marker = marker, marker
        if marker and not version_marker and not reverse:
            versions_marker = marker + "\x01"          # past all of its versions
        elif marker and version_marker and version_marker != NULL:
            versions_marker = version_object(marker, version_marker)
            if reverse:
                primary_marker = marker + "\x00"        # its null version comes last
        rows = _merge(
            _rows(self.containers, account, container, prefix, delimiter, primary_marker,
                  reverse),
            _rows(self.containers, account, versions_container(container), prefix,
                  delimiter, versions_marker, reverse), reverse)
        out: list[VersionEntry] = []
        group: _Group | None = None
        async for source, row in rows:
            if "subdir" in row or (source == 1 and parse_version_object(row["name"]) is None):
                name = None
            else:
                name = row["name"] if source == 0 else _object_of(row["name"])
            if group is not None and (name is None or name != group.name):
                out += await self._finish(account, container, group, True, marker,
                                          look_up_marker)
                group = None
            if len(out) >= limit:
                break
            if name is None:
                if "subdir" in row and (not out or out[-1].subdir != row["subdir"]):
                    out.append(VersionEntry(name=row["subdir"], subdir=row["subdir"]))
                continue
            if group is None:
                group = _Group(name, reverse)
            group.add(source, row)
            if len(group.entries) >= limit - len(out):
                break
        if group is not None:
            out += await self._finish(account, container, group, False, marker,
                                      look_up_marker)
        return out[:limit]

    async def _finish(self, account: str, container: str, group: _Group, ended: bool,
                      marker: str, look_up_marker: bool) -> list[VersionEntry]:
        """Mark the latest of one object's listed versions: the one its pointer names,
        or its plain object, or (with neither) its newest version if that is a delete
        marker."""
        if not look_up_marker and group.name == marker:
            first = next((e for e in group.entries if e.is_marker), None)
            for entry in group.entries:
                entry.is_latest = entry is first
            return group.entries
        current = group.current
        whole = ended and group.name != marker      # no row of it fell outside the range
        if current == "" and not whole:
            current = await self.current_id(account, container, group.name) or ""
        newest = group.newest if whole or (not group.reverse and group.name != marker) \
            else ""
        for entry in group.entries:
            if entry.version_id == NULL and entry.is_latest:
                continue
            if current:
                entry.is_latest = entry.version_id == current
            elif entry.is_marker:
                if not newest:
                    newest = await self._newest_id(account, container, group.name)
                entry.is_latest = entry.version_id == newest
        return group.entries

    async def _newest_id(self, account: str, container: str, obj: str) -> str:
        newest = await self.newest(account, container, obj)
        return newest.version_id if newest else ""

    async def newest(self, account: str, container: str, obj: str) -> VersionEntry | None:
        """The newest version kept in the versions container (None if none)."""
        try:
            rows = (await self.containers.list_container(
                account, versions_container(container), prefix=versions_prefix(obj),
                limit="1")).entries
        except errors.ContainerNotFound:
            return None
        parsed = parse_version_object(rows[0]["name"]) if rows else None
        if parsed is None:
            return None
        return _entry(rows[0], obj, parsed[1], False)


class _Group:
    """The listed rows of one object, in listing order, until its last one is seen."""

    def __init__(self, name: str, reverse: bool) -> None:
        self.name = name
        self.reverse = reverse
        self.entries: list[VersionEntry] = []
        self.current = ""           # from its row in the container: a version id or null
        self.newest = ""            # its newest archived version's id

    def add(self, source: int, row: dict[str, Any]) -> None:
        if source == 0:
            pointed = listed_etags(row["hash"])[1].get("version_id")
            self.current = pointed or NULL
            if pointed is None:                 # a plain object: the null version
                self.entries.append(_entry(row, self.name, NULL, True))
            return
        parsed = parse_version_object(row["name"])
        assert parsed is not None
        entry = _entry(row, self.name, parsed[1], False)
        if self.reverse or not self.newest:     # newest first; reversed, newest last
            self.newest = entry.version_id
        self.entries.append(entry)


def is_null_row(row: dict[str, Any]) -> bool:
    """Whether a versions container row is a kept null version (or a null marker)."""
    return NULL in listed_etags(row.get("hash", ""))[1]


def _object_of(name: str) -> str:
    return name.rpartition("\x00")[0]


def _entry(row: dict[str, Any], name: str, vid: str, latest: bool) -> VersionEntry:
    row = listed_size(row)
    return VersionEntry(name=name, version_id=vid, is_latest=latest, size=int(row["bytes"]),
                        etag=row["hash"], content_type=row["content_type"],
                        timestamp=row["timestamp"],
                        is_marker=row["content_type"] == DELETE_MARKER_TYPE,
                        null=vid == NULL or is_null_row(row))


async def _rows(containers: Containers, account: str, container: str, prefix: str,
                delimiter: str, marker: str, reverse: bool
                ) -> AsyncIterator[dict[str, Any]]:
    """A container's listing rows from `marker` on, a page at a time."""
    while True:
        try:
            page = (await containers.list_container(
                account, container, prefix=prefix or None, delimiter=delimiter or None,
                marker=marker or None, limit=str(PAGE),
                reverse="true" if reverse else None)).entries
        except errors.ContainerNotFound:
            return
        for row in page:
            yield row
        if len(page) < PAGE:
            return
        last = page[-1]
        if "subdir" in last:
            marker = last["subdir"] if reverse else last["subdir"] + _PAST_ALL
        else:
            marker = last["name"]


def _key(source: int, row: dict[str, Any]) -> tuple[bytes, int, bytes]:
    """Where a row of either container falls in the merged order."""
    if "subdir" in row:
        return row["subdir"].encode(), -1, b""
    if source == 0:
        return row["name"].encode(), 0, b""
    obj, _, inverted = row["name"].rpartition("\x00")
    return obj.encode(), 1, inverted.encode()


async def _merge(primary: AsyncIterator[dict[str, Any]], archived: AsyncIterator[dict[str, Any]],
                 reverse: bool) -> AsyncIterator[tuple[int, dict[str, Any]]]:
    """The two listings' rows in one order (each is already in it)."""
    sources = [primary, archived]
    heads: list[dict[str, Any] | None] = [await anext(s, None) for s in sources]
    while heads[0] is not None or heads[1] is not None:
        if heads[1] is None:
            pick = 0
        elif heads[0] is None:
            pick = 1
        else:
            first, second = _key(0, heads[0]), _key(1, heads[1])
            pick = 0 if (first <= second) != reverse else 1
        row = heads[pick]
        assert row is not None
        yield pick, row
        heads[pick] = await anext(sources[pick], None)


class _Counted:
    """A body passed on unchanged, counting its bytes (a chunked one's size is known
    only at its end)."""

    def __init__(self, body: AsyncIterator[bytes]) -> None:
        self.body = body
        self.size = 0

    async def chunks(self) -> AsyncIterator[bytes]:
        async for chunk in self.body:
            self.size += len(chunk)
            yield chunk


async def _empty() -> AsyncIterator[bytes]:
    yield b""
