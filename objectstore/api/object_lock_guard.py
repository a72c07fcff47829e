"""What a Swift request may not do to what S3's Object Lock keeps (retention.py): the
version model already refuses to remove a locked version through either API; these
are the two Swift paths around it.

- A bucket with Object Lock keeps its multipart objects' parts in `<bucket>+segments`,
  a container Swift can name: no Swift write or delete there (a removed part would
  break a locked version as surely as removing the version).
- `DELETE ?version-id=null` removes a container's plain object directly: in such a
  bucket it is checked like any version.
"""

from __future__ import annotations

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath
from objectstore.proxy.retention import BUCKET_LOCK, check_removable
from objectstore.proxy.version_names import NULL

SEGMENTS = "+segments"
WRITES = ("PUT", "POST", "DELETE", "COPY")


async def guard(b: Backend, t: SwiftPath, method: str, vid: str | None) -> None:
    """Forbidden (403) for what would weaken a lock; nothing otherwise."""
    assert t.container is not None and t.obj is not None
    if method not in WRITES:
        return
    if t.container.endswith(SEGMENTS):
        try:
            base = await b.containers.head_container(t.account, t.container[:-len(SEGMENTS)])
        except errors.ContainerNotFound:
            return
        if base.get(BUCKET_LOCK):
            raise errors.Forbidden("the parts of a bucket with Object Lock are kept with "
                                   "its objects")
    elif vid == NULL and method == "DELETE":
        await b.containers.confirm(t.account, t.container)
        if b.proxy.known_containers.sysmeta(t.account, t.container).get(BUCKET_LOCK):
            try:
                head = await b.proxy.head_object(t.account, t.container, t.obj, raw=True)
            except errors.ObjectNotFound:
                return
            check_removable(head)
