"""A node's memory of the signatures it accepted, so none is accepted twice.

A signature is accepted only within auth.MAX_SKEW of its time, so it must be remembered
until then and no longer. The memory is bounded (`limit` entries, a few MB): when it is
full, the oldest entry is forgotten and every signature not newer than it is refused
from then on (the `floor`), so forgetting never lets a replay through. Legitimate
requests are milliseconds old when they arrive, far above the floor unless a node takes
more than `limit` requests in less than the sender's clock skew.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from objectstore.node.auth import MAX_SKEW, Proof

LIMIT = 65536


class RecentSignatures:
    def __init__(self, limit: int = LIMIT, window: float = MAX_SKEW) -> None:
        self.limit = limit
        self.window = window
        self.floor = 0.0        # signatures at or below this time are refused
        self._seen: OrderedDict[bytes, float] = OrderedDict()   # mac -> its time

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, proof: Proof, now: float | None = None) -> bool:
        """True (and remembered) if this signature was not accepted before."""
        if proof.stamp <= self.floor or proof.mac in self._seen:
            return False
        current = time.time() if now is None else now
        seen = self._seen
        # arrival order is close to time order: drop expired entries from the front
        while seen:
            mac, stamp = next(iter(seen.items()))
            if stamp + self.window >= current:
                break
            del seen[mac]
        while len(seen) >= self.limit:
            _mac, stamp = seen.popitem(last=False)
            self.floor = max(self.floor, stamp)
            if proof.stamp <= self.floor:
                return False
        seen[proof.mac] = proof.stamp
        return True
