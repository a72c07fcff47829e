"""The small objects the store keeps for itself (records, documents, progress marks),
read whole through the proxy core."""

from __future__ import annotations

from objectstore import errors
from objectstore.proxy.core import Proxy


async def read_small(proxy: Proxy, account: str, container: str, name: str
                     ) -> bytes | None:
    """A small object the store keeps for itself (a record, a document), read whole;
    None if there is none."""
    try:
        stream = await proxy.get_object(account, container, name)
    except errors.NotFound:
        return None
    try:
        return b"".join([chunk async for chunk in stream.body])
    finally:
        stream.close()
