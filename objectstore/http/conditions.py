"""Conditional requests (RFC 9110 13): If-Match, If-None-Match, If-Modified-Since,
If-Unmodified-Since, evaluated in the RFC's order against an object's ETag and
last-modified time (in whole seconds, rounded up, as Last-Modified shows it)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from email.utils import parsedate_to_datetime

from objectstore.errors import NotModified, PreconditionFailed


def etag_list(header: str) -> list[str]:
    """The ETags an If-Match / If-None-Match header names (quotes and W/ taken off;
    `*` kept as it is)."""
    return [t.strip().removeprefix("W/").strip('"') for t in header.split(",") if t.strip()]


def _date(header: str) -> float | None:
    try:
        return parsedate_to_datetime(header).timestamp()
    except (TypeError, ValueError, IndexError):
        return None     # an invalid date is ignored, as the RFC says


def check_conditions(headers: Mapping[str, str], etag: str | None, modified: float | None,
                     safe_method: bool, independent: bool = False) -> None:
    """Raise PreconditionFailed (412) or NotModified (304) as the headers demand.
    `etag` None means the object does not exist. `independent`: If-Unmodified-Since is
    checked even when an If-Match passed (Swift's swob does; the RFC ignores it)."""
    last = math.ceil(modified) if modified is not None else None
    if_match = headers.get("if-match")
    if if_match is not None:
        tags = etag_list(if_match)
        if etag is None or ("*" not in tags and etag not in tags):
            raise PreconditionFailed("If-Match")
    if (if_match is None or independent) and \
            (since := headers.get("if-unmodified-since")) is not None:
        when = _date(since)
        if when is not None and last is not None and last > when:
            raise PreconditionFailed("If-Unmodified-Since")
    if_none = headers.get("if-none-match")
    if if_none is not None:
        tags = etag_list(if_none)
        if etag is not None and ("*" in tags or etag in tags):
            if safe_method:
                raise NotModified("If-None-Match")
            raise PreconditionFailed("If-None-Match")
    elif safe_method and (since := headers.get("if-modified-since")) is not None:
        when = _date(since)
        if when is not None and last is not None and last <= when:
            raise NotModified("If-Modified-Since")
