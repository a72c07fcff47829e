"""S3 Object Lock documents and headers: the bucket's configuration (enabled, and a
default retention of Days or Years), a version's retention and legal hold, the
x-amz-object-lock-* headers of writes and of reads, and the rules for changing a
retention (retention.py enforces removals).

A bucket's lock lives in its container's system metadata: BUCKET_LOCK ("Enabled") and
DEFAULT ("<mode> <number> <Days|Years>", or none).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from objectstore.proxy.retention import (
    BUCKET_LOCK,
    COMPLIANCE,
    GOVERNANCE,
    LEGAL_HOLD,
    MODE,
    UNTIL,
    format_date,
    parse_date,
    retained_until,
)
from objectstore.s3compat import s3errors
from objectstore.s3compat.responses import el, xml_doc
from objectstore.s3compat.xmlbody import parse

DEFAULT = "x-container-sysmeta-s3-lock-default"
MODES = (GOVERNANCE, COMPLIANCE)
DAY = 86400
BYPASS = "x-amz-bypass-governance-retention"
WRITE_HEADERS = ("x-amz-object-lock-mode", "x-amz-object-lock-retain-until-date",
                 "x-amz-object-lock-legal-hold")


@dataclass(frozen=True)
class DefaultRetention:
    mode: str
    number: int
    unit: str               # "Days" or "Years"

    @property
    def seconds(self) -> int:
        return self.number * DAY * (365 if self.unit == "Years" else 1)

    def stored(self) -> str:
        return f"{self.mode} {self.number} {self.unit}"

    @classmethod
    def from_stored(cls, text: str) -> DefaultRetention | None:
        parts = text.split()
        if len(parts) != 3 or not parts[1].isdigit():
            return None
        return cls(parts[0], int(parts[1]), parts[2])


def enabled(bucket_sysmeta: Mapping[str, str]) -> bool:
    return bucket_sysmeta.get(BUCKET_LOCK) == "Enabled"


def bypassing(headers: Mapping[str, str]) -> bool:
    """Whether the request asks to bypass governance retention (its sender is the
    bucket's owner: every user who reaches a bucket is, until ACLs and policies)."""
    return headers.get(BYPASS, "").strip().lower() == "true"


# -- the bucket's configuration -------------------------------------------------------
def parse_configuration(body: bytes) -> DefaultRetention | None:
    """An ObjectLockConfiguration: its default retention (None: none)."""
    root = parse(body)
    if root.tag != "ObjectLockConfiguration":
        raise s3errors.MalformedXML("expected an ObjectLockConfiguration document")
    if (root.findtext("ObjectLockEnabled") or "").strip() != "Enabled":
        raise s3errors.MalformedXML("ObjectLockEnabled must be Enabled")
    rule = root.find("Rule")
    if rule is None:
        return None
    default = rule.find("DefaultRetention")
    if default is None:
        raise s3errors.MalformedXML("a Rule holds a DefaultRetention")
    mode = (default.findtext("Mode") or "").strip()
    if mode not in MODES:
        raise s3errors.MalformedXML("Mode must be GOVERNANCE or COMPLIANCE")
    days, years = default.findtext("Days"), default.findtext("Years")
    if (days is None) == (years is None):
        raise s3errors.MalformedXML("a DefaultRetention has Days or Years, not both")
    text = days if days is not None else years
    assert text is not None
    try:
        number = int(text)
    except ValueError:
        raise s3errors.MalformedXML("Days and Years are whole numbers") from None
    if number <= 0 or number > (36500 if days is not None else 100):
        raise s3errors.InvalidRetentionPeriod()
    return DefaultRetention(mode, number, "Days" if days is not None else "Years")


def configuration_xml(bucket_sysmeta: Mapping[str, str]) -> bytes:
    body = el("ObjectLockEnabled", "Enabled")
    default = DefaultRetention.from_stored(bucket_sysmeta.get(DEFAULT, ""))
    if default is not None:
        body += ("<Rule><DefaultRetention>" + el("Mode", default.mode)
                 + el(default.unit, default.number) + "</DefaultRetention></Rule>")
    return xml_doc("ObjectLockConfiguration", body)


# -- a version's lock ---------------------------------------------------------------------
def check_bucket(headers: Mapping[str, str], bucket_sysmeta: Mapping[str, str]) -> None:
    """A write that asks for a lock, into a bucket that has none: InvalidRequest; a
    lock of another kind (event holds): NotImplemented."""
    for name in headers:
        low = name.lower()
        if low.startswith("x-amz-object-lock-") and low not in WRITE_HEADERS:
            raise s3errors.not_implemented(low)
    if not enabled(bucket_sysmeta) and any(
            headers.get(name, "").strip() for name in WRITE_HEADERS):
        raise s3errors.InvalidRequest("Bucket is missing Object Lock Configuration")


def requested(headers: Mapping[str, str], system: dict[str, str],
              now: float | None = None) -> None:
    """The lock a write's x-amz-object-lock-* headers ask for, into the new version's
    system metadata (PutObject, CopyObject, CreateMultipartUpload)."""
    mode = headers.get("x-amz-object-lock-mode", "").strip() or None
    until = headers.get("x-amz-object-lock-retain-until-date", "").strip() or None
    if (mode is None) != (until is None):
        raise s3errors.InvalidArgument(
            "x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be "
            "supplied")
    if mode is not None and until is not None:
        if mode not in MODES:
            raise s3errors.InvalidArgument("Unknown wormMode directive.")
        seconds = _date(until, s3errors.InvalidArgument)
        if seconds <= (time.time() if now is None else now):
            raise s3errors.InvalidArgument("The retain until date must be in the future!")
        system.update({MODE: mode, UNTIL: format_date(seconds)})
    hold = headers.get("x-amz-object-lock-legal-hold", "").strip()
    if hold:
        if hold not in ("ON", "OFF"):
            raise s3errors.InvalidArgument("Legal Hold must be either of 'ON' or 'OFF'")
        system[LEGAL_HOLD] = hold


def with_default(system: dict[str, str], bucket_sysmeta: Mapping[str, str],
                 now: float | None = None) -> None:
    """A new version of a locked bucket without a retention of its own gets the
    bucket's default one (counted from now: when the version is made)."""
    if system.get(MODE) or not enabled(bucket_sysmeta):
        return
    default = DefaultRetention.from_stored(bucket_sysmeta.get(DEFAULT, ""))
    if default is not None:
        moment = time.time() if now is None else now
        system.update({MODE: default.mode, UNTIL: format_date(moment + default.seconds)})


def kept(system: Mapping[str, str]) -> dict[str, str]:
    """An upload's lock (its marker's system metadata), for the object Complete makes."""
    return {k: system[k] for k in (MODE, UNTIL, LEGAL_HOLD) if system.get(k)}


def read_headers(stored: Mapping[str, str]) -> dict[str, str]:
    """The x-amz-object-lock-* a GET or HEAD of a version answers with."""
    out = {}
    if stored.get(MODE) and stored.get(UNTIL):
        out["x-amz-object-lock-mode"] = stored[MODE]
        out["x-amz-object-lock-retain-until-date"] = stored[UNTIL]
    if stored.get(LEGAL_HOLD):
        out["x-amz-object-lock-legal-hold"] = stored[LEGAL_HOLD]
    return out


def parse_retention(body: bytes) -> tuple[str, str]:
    """A Retention document: (mode, retain-until as stored); ("", "") removes it."""
    root = parse(body)
    if root.tag != "Retention":
        raise s3errors.MalformedXML("expected a Retention document")
    mode = (root.findtext("Mode") or "").strip()
    until = (root.findtext("RetainUntilDate") or "").strip()
    if not mode and not until:
        return "", ""
    if mode not in MODES or not until:
        raise s3errors.MalformedXML("a Retention has a Mode (GOVERNANCE or COMPLIANCE) and "
                                    "a RetainUntilDate")
    return mode, format_date(_date(until, s3errors.MalformedXML))


def check_retention_change(stored: Mapping[str, str], mode: str, until: str,
                           bypass: bool, now: float | None = None) -> None:
    """AccessDenied if the new retention weakens one still in force: COMPLIANCE may
    only be extended; GOVERNANCE may be shortened, removed or changed only with the
    bypass header."""
    current = retained_until(stored)
    moment = time.time() if now is None else now
    if current is None or current <= moment:
        return
    new = parse_date(until) if until else None
    weaker = new is None or new < current or mode != stored.get(MODE)
    if not weaker:
        return
    if stored.get(MODE) == COMPLIANCE or not bypass:
        raise s3errors.AccessDenied("the object's retention may not be weakened")


def retention_xml(stored: Mapping[str, str]) -> bytes:
    if not (stored.get(MODE) and stored.get(UNTIL)):
        raise s3errors.NoSuchObjectLockConfiguration()
    return xml_doc("Retention", el("Mode", stored[MODE])
                   + el("RetainUntilDate", stored[UNTIL]))


def parse_legal_hold(body: bytes) -> str:
    root = parse(body)
    if root.tag != "LegalHold":
        raise s3errors.MalformedXML("expected a LegalHold document")
    status = (root.findtext("Status") or "").strip()
    if status not in ("ON", "OFF"):
        raise s3errors.MalformedXML("Status must be ON or OFF")
    return status


def legal_hold_xml(stored: Mapping[str, str]) -> bytes:
    if not stored.get(LEGAL_HOLD):
        raise s3errors.NoSuchObjectLockConfiguration()
    return xml_doc("LegalHold", el("Status", stored[LEGAL_HOLD]))


def _date(text: str, error: type[s3errors.S3Error]) -> float:
    try:
        return parse_date(text)
    except ValueError:
        raise error("The date is not in ISO 8601 form") from None
