"""Which containers this proxy saw exist recently, so object writes need not ask the
container replicas every time (Swift's proxy keeps the same in memcache).

Only positive answers are kept, for `ttl` seconds: a container created a moment ago is
never reported missing, and one deleted through this proxy is forgotten at once. One
deleted through another proxy may still take writes for up to `ttl` -- the same window
Swift has (60 s there)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from objectstore.proxy.version_names import STATE

NONE: Mapping[str, str] = {}


class ExistenceCache:
    """Also keeps whether the container has a quota (so writes to the others need not
    ask for its counts), and its system metadata (what object writes may depend on,
    e.g. a legacy versions location: one dict lookup instead of a HEAD)."""

    def __init__(self, ttl: float = 5.0, max_entries: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock              # tests pass a fake one instead of waiting
        self._until: dict[tuple[str, str], float] = {}
        self._quota: set[tuple[str, str]] = set()
        self._sysmeta: dict[tuple[str, str], Mapping[str, str]] = {}   # only if any

    def known(self, account: str, container: str) -> bool:
        until = self._until.get((account, container))
        if until is None:
            return False
        if until < self.clock():
            self.forget(account, container)
            return False
        return True

    def has_quota(self, account: str, container: str) -> bool:
        """Whether the container had a quota when last seen (only meaningful while
        `known`)."""
        return (account, container) in self._quota

    def sysmeta(self, account: str, container: str) -> Mapping[str, str]:
        """The container's x-container-sysmeta-* (with values) when last seen (only
        meaningful while `known`)."""
        return self._sysmeta.get((account, container), NONE)

    def versioning(self, account: str, container: str) -> str:
        """Its versioning state (version_names.STATE: "true", "false", or "" if never
        versioned) when last seen, which decides how a write is stored."""
        return self.sysmeta(account, container).get(STATE, "")

    def remember(self, account: str, container: str, quota: bool = False,
                 sysmeta: Mapping[str, str] = NONE) -> None:
        key = (account, container)
        if len(self._until) >= self.max_entries:
            self._until.clear()         # rare; cheaper than tracking an eviction order
            self._quota.clear()
            self._sysmeta.clear()
        self._until[key] = self.clock() + self.ttl
        if quota:
            self._quota.add(key)
        else:
            self._quota.discard(key)
        if sysmeta:
            self._sysmeta[key] = sysmeta
        else:
            self._sysmeta.pop(key, None)

    def forget(self, account: str, container: str) -> None:
        self._until.pop((account, container), None)
        self._quota.discard((account, container))
        self._sysmeta.pop((account, container), None)
