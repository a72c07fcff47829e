"""What the lifecycle worker does to objects, each done so that two workers doing it
at once, or one doing it twice, leave what one would (their actions commute):

- a removal deletes one stored object with a tombstone of a given time, so a write
  newer than what the rule judged is never removed (as the expirer's deletions carry
  their X-Delete-At);
- a delete marker for an expired current version gets its id and its pointer's
  tombstone from the version judged (the rule's due time, or just after the pointer),
  so two workers write the one same marker and a client's newer version stays current.

Every removal goes through `remove`, the one place a rule's deletion is refused: a
version under retention or a legal hold (proxy/retention.py) is never removed by a
rule, whatever its mode (lifecycle never bypasses GOVERNANCE); it stays, and is judged
again next pass.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from objectstore import errors
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.retention import Locked, check_removable
from objectstore.proxy.version_names import (
    NULL,
    POINTER,
    version_object,
    versions_container,
)
from objectstore.proxy.versions import Versions
from objectstore.timestamps import Timestamp

SEGMENTS = "+segments"      # an S3 bucket's multipart parts (s3compat/multipart.py)
PAGE = 1000


class LifecycleActions:
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        self.proxy = proxy
        self.containers = containers
        self.versions = Versions(proxy, containers)

    async def remove(self, account: str, container: str, name: str,
                     stored: Mapping[str, str], at: Timestamp | None = None) -> bool:
        """Delete one stored object (only what is older than `at`, if given), whose
        headers are `stored` (a multipart upload's part: {}, it holds no lock); False
        if it is locked, if there was nothing to delete, or if something as new as
        `at` is there already (the nodes' 409: another worker's same tombstone, or a
        newer write)."""
        try:
            check_removable(stored)
        except Locked:
            return False
        try:
            await self.proxy.delete_object(account, container, name, at)
        except (errors.ObjectNotFound, errors.Conflict):
            return False
        return True

    async def expire_unversioned(self, account: str, bucket: str, key: str,
                                 judged: Timestamp) -> bool:
        """Delete the object the rule judged (written at `judged`) and, for a multipart
        object, its parts; a newer write of the key stays."""
        try:
            handle = await self.proxy.open_object(account, bucket, key)
        except errors.ObjectNotFound:
            return False
        handle.discard()
        if handle.timestamp != judged:
            return False                # written again since: judged afresh next pass
        removed = await self.remove(account, bucket, key, handle.headers,
                                    Timestamp(judged.ticks + 1))
        if removed:
            await self._remove_parts(account, bucket, handle)
        return removed

    async def _remove_parts(self, account: str, bucket: str,
                            handle: ObjectHandle | ManifestHandle) -> None:
        """A multipart object's parts, once the object is removed for good: only the
        bucket's own, never the user objects a Swift SLO names."""
        if isinstance(handle, ManifestHandle):
            for seg in handle.segments:
                if seg.container == bucket + SEGMENTS:
                    await self.remove(account, seg.container, seg.name, {})

    async def expire_versioned(self, account: str, bucket: str, key: str, vid: str,
                               due: float, suspended: bool) -> bool:
        """Make a delete marker the current version of `key`, if its current version
        is still `vid`. With versioning suspended it is S3's null marker, and the null
        version it replaces goes for good."""
        try:
            head = await self.proxy.head_object(account, bucket, key, raw=True)
        except errors.ObjectNotFound:
            return False
        if head.get(POINTER, NULL) != vid:
            return False
        current = Timestamp.parse(head["x-timestamp"])
        at = max(Timestamp.from_seconds(due), Timestamp(current.ticks + 1))
        if suspended:
            kept = await self.versions.null_copy(account, bucket, key)
            if kept is not None:
                await self._remove_for_good(account, versions_container(bucket), kept, bucket)
            if POINTER not in head:             # the plain null object is current
                await self._remove_for_good(account, bucket, key, bucket, at)
        try:
            await self.versions.delete(account, bucket, key, null=suspended, at=at)
        except errors.Conflict:     # its tombstone at `at` is there: another worker's
            return False
        return True

    async def _remove_for_good(self, account: str, container: str, name: str,
                               bucket: str, at: Timestamp | None = None) -> bool:
        """Remove a stored version, and its parts if it is a multipart object."""
        try:
            handle = await self.proxy.open_object(account, container, name)
        except errors.ObjectNotFound:
            return False
        handle.discard()
        removed = await self.remove(account, container, name, handle.headers, at)
        if removed:
            await self._remove_parts(account, bucket, handle)
        return removed

    async def remove_version(self, account: str, bucket: str, key: str, vid: str) -> bool:
        """Remove one noncurrent version or delete marker for good."""
        if vid == NULL:
            try:
                container, name = await self.versions.locate(account, bucket, key, NULL)
            except errors.ObjectNotFound:
                return False
            if container == bucket:         # the null version is current: not ours
                return False
            return await self._remove_for_good(account, container, name, bucket)
        return await self._remove_for_good(account, versions_container(bucket),
                                           version_object(key, vid), bucket)

    async def abort_upload(self, account: str, bucket: str, key: str, upload: str) -> None:
        """AbortMultipartUpload: the upload's parts, then its marker."""
        container, prefix = bucket + SEGMENTS, f"{key}/{upload}/"
        marker = ""
        while True:
            try:
                rows = (await self.containers.list_container(
                    account, container, prefix=prefix, marker=marker or None,
                    limit=str(PAGE))).entries
            except errors.ContainerNotFound:
                return
            for row in rows:
                await self.remove(account, container, str(row["name"]), {})
            if len(rows) < PAGE:
                break
            marker = str(rows[-1]["name"])
        with contextlib.suppress(errors.NotFound):
            await self.remove(account, container, f"{key}/{upload}", {})
