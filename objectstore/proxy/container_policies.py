"""Which storage policy each container's objects keep, as this proxy last learnt it.

A container's policy is fixed when it is made (changing it is a 409), so an answer can
be trusted until the container is deleted: deleted or made through this proxy, it is
forgotten at once; through another proxy, a recreated container in another policy is
seen after `ttl` seconds at most (the existence cache's window). Only asked when the
ring has more than one policy: with one, every object is in policy 0 and nothing is
looked up.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping

from objectstore.node.wire import POLICY_SYSMETA as SYSMETA  # the index, on the container
from objectstore.node.wire import policy_stat
from objectstore.ring.policies import DEFAULT_NAME, Policy, by_index, by_name, default_only

__all__ = ["DEFAULT_NAME", "SYSMETA", "ContainerPolicies", "Policy", "by_index", "by_name",
           "default_only", "index_of", "policy_stat"]


def index_of(headers: Mapping[str, str]) -> int:
    """A container's policy index from its headers (none recorded: the default, 0)."""
    raw = headers.get(SYSMETA, "")
    return int(raw) if raw.isdigit() else 0


class ContainerPolicies:
    def __init__(self, ttl: float = 5.0, max_entries: int = 100_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._known: dict[tuple[str, str], tuple[float, int]] = {}
        # set by whoever can read a container (proxy.containers.Containers): its
        # policy index, None if it does not exist (not kept: asked again next time)
        self.look_up: Callable[[str, str], Awaitable[int | None]] | None = None

    def remember(self, account: str, container: str, index: int) -> None:
        if len(self._known) >= self.max_entries:
            self._known.clear()
        self._known[(account, container)] = (self.clock() + self.ttl, index)

    def forget(self, account: str, container: str) -> None:
        self._known.pop((account, container), None)

    async def index(self, account: str, container: str) -> int:
        known = self._known.get((account, container))
        if known is not None and known[0] >= self.clock():
            return known[1]
        if self.look_up is None:
            return 0
        index = await self.look_up(account, container)
        if index is None:
            return 0            # no container: its objects are found nowhere anyway
        self.remember(account, container, index)
        return index
