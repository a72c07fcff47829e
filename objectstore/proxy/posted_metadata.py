"""Changing an object's POSTED system metadata (its S3 tags) without rewriting it.

A node's POST replaces the user metadata, the expiry and the posted system metadata as
a whole (node/diskfile.py), so a change of one of them is a POST that carries the
others forward, read from the object first: its content, ETag, timestamp and listing
row stay as they are. The read and the POST are not atomic: a POST racing another on
the same object may undo the other's change (last writer wins, as with any two POSTs).
"""

from __future__ import annotations

from objectstore.node import wire
from objectstore.proxy.core import Proxy
from objectstore.proxy.object_info import POSTED, USER_META, posted_system


async def post_system(proxy: Proxy, account: str, container: str, obj: str,
                      changes: dict[str, str]) -> dict[str, str]:
    """Set `changes` (names of POSTED; "" for none) on the object as stored (a
    pointer is not followed: callers name the version, see Versions.locate), keeping
    everything else; returns the object's headers as they were."""
    assert set(changes) <= set(POSTED), "only posted system metadata changes so"
    head = await proxy.head_object(account, container, obj, raw=True)   # ObjectNotFound
    headers = {k: v for k, v in head.items() if k.startswith(USER_META)}
    if wire.DELETE_AT in head:
        headers[wire.DELETE_AT] = head[wire.DELETE_AT]
    headers.update(posted_system(head))
    headers.update(changes)
    await proxy.post_object(account, container, obj, headers)
    return head
