"""S3 versioning over the store's one version model (objectstore.proxy.versions): what
S3 answers, request by request, where it differs from Swift's object versioning.

- A bucket is unversioned until PutBucketVersioning enables it; then Enabled or
  Suspended, never unversioned again (the container's STATE: "true" / "false").
- Enabled: a write is a new version with an id; a DELETE without an id writes a delete
  marker.
- Suspended: a write is the *null* version, replacing any null version kept before; a
  DELETE removes the null version and writes a null delete marker.
- "null" names the null version wherever it is: the bucket's plain object, or the
  copy kept in the versions container (listed with a `null` parameter).
- Deleting a version by id is for good; if it was current, the newest remaining
  version becomes current (S3's rule; Swift's leaves none current).

A version's parts (a multipart object's, in `<bucket>+segments`) belong to that
version alone: they go when the version is removed for good, never with a marker.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.put_options import PutOptions, Stored
from objectstore.proxy.version_names import (
    NULL,
    VERSION_ID,
    WAS_NULL,
    parse_version_id,
    parse_version_object,
    version_object,
    versions_container,
)
from objectstore.proxy.versions import DeleteMarker, Versions
from objectstore.s3compat import object_lock, s3errors
from objectstore.s3compat.delete_conditions import DeleteConditions
from objectstore.s3compat.deletes import delete_one, delete_parts
from objectstore.s3compat.xmlbody import parse

ENABLED, SUSPENDED = "true", "false"
NO_CONDITIONS = DeleteConditions()
STATUS = {ENABLED: "Enabled", SUSPENDED: "Suspended"}


@dataclass(frozen=True)
class Deleted:
    """What a DeleteObject did: the version it named or made, and whether that is a
    delete marker (both None/False for an unversioned bucket's plain delete)."""

    version_id: str | None
    marker: bool

    def headers(self) -> dict[str, str]:
        out = {}
        if self.version_id is not None:
            out["x-amz-version-id"] = self.version_id
        if self.marker:
            out["x-amz-delete-marker"] = "true"
        return out


def parse_configuration(body: bytes) -> bool:
    """A VersioningConfiguration document: True to enable, False to suspend."""
    root = parse(body)
    if root.tag != "VersioningConfiguration":
        raise s3errors.MalformedXML("expected a VersioningConfiguration document")
    status = (root.findtext("Status") or "").strip()
    if status not in ("Enabled", "Suspended"):
        raise s3errors.MalformedXML("Status must be Enabled or Suspended")
    if (root.findtext("MfaDelete") or "Disabled").strip() == "Enabled":
        raise s3errors.not_implemented("MFA delete")
    return status == "Enabled"


def requested(params: dict[str, str]) -> str | None:
    """The versionId a request names, checked (None: it names none)."""
    vid = params.get("versionId")
    if vid is None:
        return None
    if vid != NULL:
        try:
            parse_version_id(vid)
        except ValueError:
            raise s3errors.InvalidArgument("Invalid version id specified",
                                           ArgumentName="versionId",
                                           ArgumentValue=vid) from None
    return vid


def shown_id(headers: dict[str, str], state: str) -> str | None:
    """The x-amz-version-id of an object read: its version's, "null" for a null one
    (plain, or kept), nothing in a bucket that was never versioned."""
    if headers.get(WAS_NULL):
        return NULL
    vid = headers.get(VERSION_ID)
    if vid is not None:
        return vid
    return NULL if state else None


class S3Versioning:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers
        self.versions = Versions(proxy, containers)

    async def state(self, account: str, bucket: str) -> str:
        """"true", "false" or "" (never versioned); a recent answer is trusted."""
        return await self.containers.versioning(account, bucket)

    async def configure(self, account: str, bucket: str, enable: bool,
                        more: dict[str, str] | None = None) -> None:
        """Enable or suspend versioning (and set `more` container metadata with it)."""
        meta = await self.versions.prepare(account, bucket, enable)
        await self.containers.post_container(account, bucket, {**meta, **(more or {})})

    # -- writes ----------------------------------------------------------------------
    async def store(self, account: str, bucket: str, key: str, body: AsyncIterator[bytes],
                    options: PutOptions) -> tuple[Stored, str | None]:
        """Write an object as the bucket's versioning says; returns what was stored and
        the version id to answer with (None: unversioned, or suspended -- the null
        version, which S3's answers leave unnamed)."""
        state = await self.state(account, bucket)
        if state == ENABLED:
            object_lock.with_default(options.system_metadata,
                                     self.proxy.known_containers.sysmeta(account, bucket))
            written = await self.versions.put(account, bucket, key, body, options)
            return written.stored, written.version_id
        if state == SUSPENDED:
            await self._drop_kept_null(account, bucket, key)
            return await self.proxy.put_object(account, bucket, key, body, options), None
        return await self.proxy.put_object(account, bucket, key, body, options), None

    async def put_object(self, account: str, bucket: str, key: str,
                         body: AsyncIterator[bytes], options: PutOptions) -> Stored:
        """`store` in the shape of Proxy.put_object (copies and multipart write through
        it): the version id is the returned Stored's."""
        stored, vid = await self.store(account, bucket, key, body, options)
        return replace(stored, version_id=vid)

    # -- deletes ---------------------------------------------------------------------
    async def delete(self, account: str, bucket: str, key: str, vid: str | None,
                     conditions: DeleteConditions = NO_CONDITIONS, bypass: bool = False
                     ) -> Deleted:
        """DeleteObject, with or without a version id (a missing one is no error), if
        its conditions hold for what it would remove; a locked version is never
        removed (Locked), a GOVERNANCE one only with `bypass`."""
        state = await self.state(account, bucket)
        if conditions:
            target = await self._target(account, bucket, key, vid, state)
            if target is None:      # a condition on what is not there: nothing to do
                return Deleted(None, False)
            conditions.check(target)
        if vid is not None:
            if not state and vid != NULL:
                return Deleted(vid, False)          # no such version: S3 answers 204
            return await self._delete_version(account, bucket, key, vid, bypass)
        if state == ENABLED:
            marker, _ = await self.versions.delete(account, bucket, key)
            return Deleted(marker, True)
        if state == SUSPENDED:
            await self._drop_null(account, bucket, key)
            await self.versions.delete(account, bucket, key, null=True)
            return Deleted(NULL, True)
        await self._remove_plain(account, bucket, key)
        return Deleted(None, False)

    async def _target(self, account: str, bucket: str, key: str, vid: str | None,
                      state: str) -> dict[str, str] | None:
        """The headers of what a delete would remove (a delete marker's too); None if
        nothing is there."""
        try:
            if vid is None:
                return await self.proxy.head_object(account, bucket, key)
            if vid != NULL:
                return await self.proxy.head_object(account, versions_container(bucket),
                                                    version_object(key, vid))
            return await self.proxy.head_object(
                account, *await self.versions.locate(account, bucket, key, NULL))
        except (errors.ObjectNotFound, errors.ContainerNotFound):
            if vid is not None or not state:
                return None
        newest = await self.versions.newest(account, bucket, key)
        if newest is None or not newest.is_marker:
            return None
        return {"etag": "", "x-timestamp": newest.timestamp, "content-length": "0"}

    async def _delete_version(self, account: str, bucket: str, key: str, vid: str,
                              bypass: bool) -> Deleted:
        if vid == NULL:
            try:
                where = await self.versions.locate(account, bucket, key, NULL)
            except errors.ObjectNotFound:
                return Deleted(NULL, False)
            if where == (bucket, key):       # the plain current object
                await self._remove_plain(account, bucket, key, bypass)
                await self.versions.promote_newest(account, bucket, key)
                return Deleted(NULL, False)
            parsed = parse_version_object(where[1])
            assert parsed is not None
            real = parsed[1]
        else:
            real = vid
        parts = await self._parts_of(account, bucket, key, real)
        removed = await self.versions.delete_version(account, bucket, key, real,
                                                     promote=True, bypass_governance=bypass)
        if parts is not None:           # the version is gone (not locked): its parts too
            await delete_parts(self.proxy, parts, bucket)
        return Deleted(vid, removed.was_marker)

    async def _remove_plain(self, account: str, bucket: str, key: str,
                            bypass: bool = False) -> None:
        """The bucket's own object for good (a multipart one's parts with it)."""
        await delete_one(self.proxy, account, bucket, key, bypass)

    async def _parts_of(self, account: str, bucket: str, key: str, vid: str
                        ) -> ManifestHandle | None:
        """A multipart version (whose parts go once it does), or None."""
        try:
            handle = await self.versions.open_version(account, bucket, key, vid)
        except (errors.ObjectNotFound, DeleteMarker):
            return None
        handle.discard()
        return handle if isinstance(handle, ManifestHandle) else None

    async def _drop_kept_null(self, account: str, bucket: str, key: str) -> None:
        """A null version kept in the versions container: a new null one replaces it."""
        name = await self.versions.null_copy(account, bucket, key)
        if name is None:
            return
        parsed = parse_version_object(name)
        assert parsed is not None
        parts = await self._parts_of(account, bucket, key, parsed[1])
        with contextlib.suppress(errors.ObjectNotFound):
            await self.proxy.delete_object(account, versions_container(bucket), name)
        if parts is not None:
            await delete_parts(self.proxy, parts, bucket)

    async def _drop_null(self, account: str, bucket: str, key: str) -> None:
        """Every null version of the object (plain, or kept), before a null marker."""
        await self._drop_kept_null(account, bucket, key)
        if await self.versions.current_id(account, bucket, key) == NULL:
            await self._remove_plain(account, bucket, key)

    # -- reads -----------------------------------------------------------------------
    async def locate(self, account: str, bucket: str, key: str, vid: str | None
                     ) -> tuple[str, str]:
        """Where a version is stored (Versions.locate), NoSuchVersion if nowhere."""
        try:
            return await self.versions.locate(account, bucket, key, vid)
        except DeleteMarker as exc:
            exc.version_id = vid or exc.version_id
            raise
        except errors.ObjectNotFound:
            if vid is None:
                raise
            raise s3errors.NoSuchVersion(Key=key, VersionId=vid) from None

    async def open(self, account: str, bucket: str, key: str, vid: str | None,
                   prefetch: bool = False) -> ObjectHandle | ManifestHandle:
        """The object a read is about: the current one, or the version `vid` names
        (NoSuchVersion if there is none; DeleteMarker for a marker)."""
        if vid is None:
            return await self.proxy.open_object(account, bucket, key, prefetch=prefetch)
        where = await self.locate(account, bucket, key, vid)
        if where == (bucket, key):
            handle = await self.proxy.open_object(account, bucket, key, prefetch=prefetch)
        else:
            handle = await self.proxy.open_object(account, *where, prefetch=prefetch)
        handle.headers[VERSION_ID] = vid
        return handle

    async def marker_headers(self, account: str, bucket: str, key: str) -> dict[str, str]:
        """For a 404 of an object: whether its newest version is a delete marker (and
        the marker's id), as x-amz-delete-marker says."""
        no = {"x-amz-delete-marker": "false"}
        if not await self.state(account, bucket):
            return no
        newest = await self.versions.newest(account, bucket, key)
        if newest is None or not newest.is_marker:
            return no
        return {"x-amz-delete-marker": "true",
                "x-amz-version-id": NULL if newest.null else newest.version_id}

