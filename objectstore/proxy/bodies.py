"""A body already in memory, as the proxy core's writes take bodies: an async iterator
of chunks (small documents the store keeps for itself -- records, manifests, logs)."""

from __future__ import annotations

from collections.abc import AsyncIterator


async def once(data: bytes) -> AsyncIterator[bytes]:
    """`data` as a body of one chunk."""
    yield data

