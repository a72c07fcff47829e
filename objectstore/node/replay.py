"""A node's memory of the signatures it accepted, so none is accepted twice.

A signature is accepted only within auth.MAX_SKEW of its time, so it must be remembered
until then and no longer. The memory is bounded (`limit` entries, ~200 bytes each): when it is
full, the oldest entry is forgotten and every signature not newer than it is refused
from then on (the `floor`), so forgetting never lets a replay through. Legitimate
requests are milliseconds old when they arrive, far above the floor unless a node takes
more than `limit` requests in less than the sender's clock skew.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from objectstore.node.auth import MAX_SKEW, Proof

LIMIT = 32768       # ~6 MB


class RecentSignatures:
    def __init__(self, limit: int = LIMIT, window: float = MAX_SKEW) -> None:
        self.limit = limit
        self.window = window
        self.floor = 0.0        # signatures at or below this time are refused
        # first 8 bytes of a MAC -> its time, in arrival order (an OrderedDict: a
        # plain dict slows down to a crawl when it is emptied from the front)
        self._seen: OrderedDict[int, float] = OrderedDict()

    def __len__(self) -> int:
        return len(self._seen)

    def first_time(self, proof: Proof, now: float | None = None) -> bool:
        """True (and remembered) if this signature was not accepted before."""
        key = int.from_bytes(proof.mac[:8], "big")
        if proof.stamp <= self.floor or key in self._seen:
            return False
        current = time.time() if now is None else now
        seen = self._seen
        # arrival order is close to time order: drop expired entries from the front
        while seen:
            oldest, stamp = next(iter(seen.items()))      # O(1) on an OrderedDict
            if stamp + self.window >= current:
                break
            del seen[oldest]
        while len(seen) >= self.limit:
            _oldest, stamp = seen.popitem(last=False)
            self.floor = max(self.floor, stamp)
            if proof.stamp <= self.floor:
                return False
        seen[key] = proof.stamp
        return True
