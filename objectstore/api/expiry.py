"""Swift's expiring objects on the way in: `X-Delete-At` (Unix seconds) or
`X-Delete-After` (seconds from now) on PUT, POST and COPY, checked as Swift checks them
(400 for a non-integer or a time already past). An expired object is 404 at once
(proxy/core.expired); daemons/expirer.py removes it later from the queue
proxy/expiring.py keeps. A POST without them removes an object's expiry, as in Swift."""

from __future__ import annotations

import time
from collections.abc import Mapping

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath
from objectstore.proxy.expiring import Entry, enqueue

LATEST = 9_999_999_999      # Swift keeps later expiries as this (ten digits)


def delete_at_of(headers: Mapping[str, str], now: float | None = None) -> int | None:
    """When the request says the object expires; None if it does not say."""
    now = time.time() if now is None else now
    after = headers.get("x-delete-after")
    if after is not None:
        try:
            seconds = int(after)
        except ValueError:
            raise errors.BadRequest("Non-integer X-Delete-After") from None
        if seconds < 0:
            raise errors.BadRequest("X-Delete-After in past")
        return min(int(now) + seconds, LATEST)
    at = headers.get("x-delete-at")
    if at is None:
        return None
    try:
        when = int(at)
    except ValueError:
        raise errors.BadRequest("Non-integer X-Delete-At") from None
    if when <= now:
        raise errors.BadRequest("X-Delete-At in past")
    return min(when, LATEST)


async def queue(b: Backend, t: SwiftPath, delete_at: int | None) -> None:
    """After a write that expires: the expirer's entry for it."""
    if delete_at is not None:
        assert t.container is not None and t.obj is not None
        await enqueue(b.proxy, b.containers, Entry(delete_at, t.account, t.container, t.obj))
