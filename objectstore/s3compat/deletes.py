"""Deleting an object for good: the object and, for a multipart one, its parts."""

from __future__ import annotations

import contextlib

from objectstore import errors
from objectstore.proxy.core import Proxy
from objectstore.proxy.handles import ObjectHandle
from objectstore.proxy.manifests import ManifestHandle
from objectstore.proxy.retention import check_removable
from objectstore.s3compat.multipart import segments_container


async def delete_one(proxy: Proxy, account: str, bucket: str, key: str,
                     bypass_governance: bool = False) -> None:
    """Delete an object and, for a multipart object, its parts; a missing key is fine,
    a locked one is not deleted (Locked: retention.py)."""
    with contextlib.suppress(errors.ObjectNotFound):
        handle = await proxy.open_object(account, bucket, key)
        handle.discard()
        check_removable(handle.headers, bypass_governance)
        await proxy.delete_object(account, bucket, key)
        await delete_parts(proxy, handle, bucket)


async def delete_parts(proxy: Proxy, handle: ObjectHandle | ManifestHandle,
                       bucket: str) -> None:
    """The parts of a multipart object that is gone for good: its segments in the
    bucket's `+segments` container (which only its uploads write)."""
    if not isinstance(handle, ManifestHandle):
        return
    for seg in handle.segments:
        if seg.container == segments_container(bucket):
            with contextlib.suppress(errors.NotFound):
                await proxy.delete_object(handle.account, seg.container, seg.name)
