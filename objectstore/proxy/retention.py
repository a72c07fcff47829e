"""Object lock, as the store enforces it: a version under retention or a legal hold is
never removed, by any path (S3 or Swift deletes by version id, DeleteObjects,
lifecycle, a bucket delete -- which needs every version gone first).

A version's lock is its system metadata (set when it is written, changed by POST
without rewriting it): a mode (GOVERNANCE or COMPLIANCE) with a retain-until date,
and a legal hold (ON or OFF). GOVERNANCE yields to a request that says it bypasses
governance retention (and is allowed to); COMPLIANCE and a legal hold yield to none.
The APIs decide who may ask to bypass; this module only says whether a removal may
happen.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime

from objectstore import errors
from objectstore.node import wire

MODE = wire.OBJECT_SYSMETA + "s3-lock-mode"
UNTIL = wire.OBJECT_SYSMETA + "s3-lock-until"          # ISO 8601, UTC
LEGAL_HOLD = wire.OBJECT_SYSMETA + "s3-legal-hold"     # ON / OFF
NAMES = (MODE, UNTIL, LEGAL_HOLD)
GOVERNANCE, COMPLIANCE = "GOVERNANCE", "COMPLIANCE"
# a container whose objects may be locked (S3: the bucket has Object Lock enabled)
BUCKET_LOCK = "x-container-sysmeta-s3-object-lock"


class Locked(errors.Forbidden):
    """The version is locked: it may not be removed (or its lock weakened)."""


def parse_date(text: str) -> float:
    """Seconds since the epoch of an ISO 8601 date (UTC unless it says)."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def format_date(seconds: float) -> str:
    """The ISO 8601 form S3 answers with (milliseconds, Z)."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def retained_until(headers: Mapping[str, str]) -> float | None:
    """When the version's retention ends (None: it has none)."""
    until = headers.get(UNTIL)
    if not until or not headers.get(MODE):
        return None
    try:
        return parse_date(until)
    except ValueError:
        return None


def check_removable(headers: Mapping[str, str], bypass_governance: bool = False,
                    now: float | None = None) -> None:
    """Locked unless the version (its stored headers) may be removed now."""
    if headers.get(LEGAL_HOLD) == "ON":
        raise Locked("the object is under a legal hold")
    until = retained_until(headers)
    if until is None or until <= (time.time() if now is None else now):
        return
    if headers.get(MODE) == GOVERNANCE and bypass_governance:
        return
    raise Locked(f"the object is retained ({headers.get(MODE)}) until "
                 f"{format_date(until)}")
