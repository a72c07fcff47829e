"""Times as usage names and reads them: whole seconds in UTC, written
`2026-12-06T20:55:00Z` (so names of that form sort as their times do), hours and
sample slots counted from the epoch, and the `since`/`until` of a query (ISO 8601 UTC
or a span before now: `7d`, `24h`, `90m`)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

HOUR = 3600
DEFAULT_WINDOW = 24 * HOUR
_SPAN = re.compile(r"^([0-9]{1,6})([dhm])$")
_UNIT = {"d": 86400, "h": HOUR, "m": 60}
_ISO = "%Y-%m-%dT%H:%M:%SZ"


def iso(when: float) -> str:
    return time.strftime(_ISO, time.gmtime(int(when)))


def from_iso(text: str) -> float:
    """A time usage wrote (iso()); ValueError if it is not one."""
    return datetime.strptime(text, _ISO).replace(tzinfo=UTC).timestamp()


def hour_of(when: float) -> int:
    return int(when // HOUR) * HOUR


def slot_of(when: float, seconds: float) -> int:
    """The start of the sample slot `when` falls in (slots of `seconds`, from the epoch:
    every proxy names the same slot the same)."""
    return int(when // seconds * seconds)


def parse_time(text: str, now: float) -> float:
    """`7d`, `24h`, `90m` before `now`, or an ISO 8601 time (UTC when it names no
    offset); ValueError with the reason otherwise."""
    span = _SPAN.match(text)
    if span:
        return now - int(span.group(1)) * _UNIT[span.group(2)]
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00", 1)
                                        if text.endswith("Z") else text)
    except ValueError:
        raise ValueError(f"{text!r} is neither an ISO 8601 time "
                         "(2026-12-06T00:00:00Z) nor a span like 7d, 24h, 90m") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


@dataclass(frozen=True)
class Window:
    since: float
    until: float

    @classmethod
    def of(cls, since: str | None, until: str | None, now: float) -> Window:
        """The window a query names (defaults: the last 24 hours); ValueError if a
        value is bad or since is after until."""
        end = parse_time(until, now) if until else now
        start = parse_time(since, now) if since else end - DEFAULT_WINDOW
        if start > end:
            raise ValueError(f"since ({iso(start)}) is after until ({iso(end)})")
        return cls(start, end)
