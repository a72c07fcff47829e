"""Swift's expiring objects on the way in: `X-Delete-At` (Unix seconds) or
`X-Delete-After` (seconds from now) on PUT, POST and COPY, checked as Swift checks them
(400 for a non-integer or a time already past). An expired object is 404 at once
(proxy/core.expired); daemons/expirer.py removes it later from the queue
proxy/expiring.py keeps. A POST without them removes an object's expiry, as in Swift.

Until it is removed, the account's owners may still read it and restore it (a POST)
with `X-Open-Expired: true`, where the config allows it (Swift's allow_open_expired);
anyone else who sends it is refused (403), never quietly shown the expired data."""

from __future__ import annotations

import time
from collections.abc import Mapping

from starlette.requests import Request

from objectstore import errors
from objectstore.api.backend import Backend
from objectstore.api.names import SwiftPath
from objectstore.api.truth import is_true
from objectstore.proxy.expiring import Entry, enqueue

LATEST = 9_999_999_999      # Swift keeps later expiries as this (ten digits)
OPEN_EXPIRED = "x-open-expired"
STATE = "open_expired"      # request.state: this request may see expired objects


def asks_open_expired(headers: Mapping[str, str]) -> bool:
    return is_true(headers.get(OPEN_EXPIRED))


def open_expired(request: Request) -> bool:
    """Whether this request may see an expired object its expirer has not removed."""
    return bool(getattr(request.state, STATE, False))


def asked_delete_at(headers: Mapping[str, str]) -> int | None:
    """The expiry a write asks for (checked), None if it asks for none."""
    if "x-delete-at" in headers or "x-delete-after" in headers:
        return delete_at_of(headers)
    return None


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
