"""S3 lifecycle rules as values, and the pure decisions made from them: which rules
apply to an object, and when each action is due.

Kept in the proxy layer (not s3compat) because both the S3 API (the configuration
calls, `x-amz-expiration`) and the lifecycle worker (daemons/) read them; the worker
may not import an API. Time is Unix seconds; `day` is the length of a lifecycle day
(`[lifecycle] day_seconds`: 86400, or 10 in the conformance suite), and "midnight" is
a multiple of it, so S3's rounding (the due time is rounded up to the next midnight
UTC) holds for short test days too.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from objectstore.proxy.object_info import S3_TAGGING

DAY = 86400.0
TAGGING = S3_TAGGING        # an object's tags (x-amz-tagging's form: k=v&k2=v2)


@dataclass(frozen=True)
class Filter:
    """What a rule selects: every condition given must hold (a rule-level Prefix, a
    Filter's Prefix, Tag, the And of several, the size bounds)."""

    prefix: str = ""
    tags: tuple[tuple[str, str], ...] = ()
    size_greater: int | None = None       # ObjectSizeGreaterThan (bytes, exclusive)
    size_less: int | None = None          # ObjectSizeLessThan (bytes, exclusive)

    def matches(self, key: str, size: int, tags: Mapping[str, str]) -> bool:
        if not key.startswith(self.prefix):
            return False
        if self.size_greater is not None and not size > self.size_greater:
            return False
        if self.size_less is not None and not size < self.size_less:
            return False
        return all(tags.get(k) == v for k, v in self.tags)


@dataclass(frozen=True)
class Rule:
    id: str
    enabled: bool
    filter: Filter = field(default_factory=Filter)
    # how the rule named its filter, for GetBucketLifecycleConfiguration: "" for a
    # rule-level Prefix, else the <Filter> element as it was sent
    filter_xml: str = ""
    expiration_days: int | None = None
    expiration_date: float | None = None          # midnight UTC, Unix seconds
    expired_object_delete_marker: bool = False
    noncurrent_days: int | None = None
    newer_noncurrent_versions: int | None = None
    abort_days: int | None = None                 # AbortIncompleteMultipartUpload

    @property
    def expires_current(self) -> bool:
        return self.expiration_days is not None or self.expiration_date is not None


@dataclass(frozen=True)
class Configuration:
    rules: tuple[Rule, ...]

    def to_json(self) -> bytes:
        return json.dumps([asdict(r) for r in self.rules]).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Configuration:
        rules = []
        for doc in json.loads(data):
            f: dict[str, Any] = doc.pop("filter")
            f["tags"] = tuple((k, v) for k, v in f.get("tags", ()))
            rules.append(Rule(filter=Filter(**f), **doc))
        return cls(tuple(rules))

    @property
    def active(self) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.enabled)

    @property
    def uses_tags(self) -> bool:
        return any(r.filter.tags for r in self.active)


def parse_tags(value: str) -> dict[str, str]:
    """An object's tags from the tagging system metadata ('' for none)."""
    return dict(parse_qsl(value, keep_blank_values=True)) if value else {}


def round_up(when: float, day: float) -> float:
    """The next midnight at or after `when` (midnights are multiples of `day`)."""
    return math.ceil(when / day) * day


def days_after(start: float, days: int, day: float) -> float:
    """S3's due time of an action `days` after `start`: rounded up to midnight."""
    return round_up(start + days * day, day)


def current_expiry(config: Configuration, key: str, size: int, tags: Mapping[str, str],
                   created: float, day: float) -> tuple[float, str] | None:
    """When the current version of `key` expires, and by which rule (the earliest of
    the enabled Expiration Days/Date rules that select it); None if none does."""
    best: tuple[float, str] | None = None
    for rule in config.active:
        if not rule.expires_current or not rule.filter.matches(key, size, tags):
            continue
        if rule.expiration_days is not None:
            due = days_after(created, rule.expiration_days, day)
        else:
            assert rule.expiration_date is not None
            due = rule.expiration_date
        if best is None or due < best[0]:
            best = (due, rule.id)
    return best


def marker_expiry(config: Configuration, key: str, created: float, day: float
                  ) -> float | None:
    """When a delete marker that is an object's only version may be removed: at once
    under ExpiredObjectDeleteMarker, or once its own age passes an Expiration Days
    rule's (what S3 does for such markers); None if no rule removes it."""
    best: float | None = None
    for rule in config.active:
        if not rule.filter.matches(key, 0, {}) or rule.filter.tags \
                or rule.filter.size_greater is not None:
            continue
        if rule.expired_object_delete_marker:
            due = created
        elif rule.expiration_days is not None:
            due = days_after(created, rule.expiration_days, day)
        else:
            continue
        best = due if best is None else min(best, due)
    return best


def noncurrent_rules(config: Configuration, key: str, size: int, tags: Mapping[str, str]
                     ) -> list[Rule]:
    return [r for r in config.active if r.noncurrent_days is not None
            and r.filter.matches(key, size, tags)]


def noncurrent_expired(rules: list[Rule], since: float, newer: int, now: float,
                       day: float) -> bool:
    """Whether a noncurrent version goes: noncurrent since `since` (its successor's
    creation), with `newer` noncurrent versions of the object newer than it; a rule
    with NewerNoncurrentVersions keeps that many newest ones whatever their age."""
    for rule in rules:
        assert rule.noncurrent_days is not None
        keep = rule.newer_noncurrent_versions or 0
        if newer >= keep and days_after(since, rule.noncurrent_days, day) <= now:
            return True
    return False


def abort_due(config: Configuration, key: str, initiated: float, day: float
              ) -> float | None:
    """When an incomplete multipart upload of `key` is aborted (None: never)."""
    dues = [days_after(initiated, r.abort_days, day) for r in config.active
            if r.abort_days is not None and r.filter.matches(key, 0, {})]
    return min(dues) if dues else None
