"""The garbage collector of a server process, tuned for many short requests.

CPython's defaults (a young collection every 700 container allocations, a full one
after every 100 young ones) were measured costing a node ~15% of its CPU per 4 KiB PUT:
every request allocates a few hundred dicts, tuples and frames that die young, and each
full collection walks every object the process holds -- the imported modules, the ring,
the app -- although none of them will ever be garbage. So, once a server is built:
freeze what exists (gc.freeze: never examined again) and collect the young generation
less often. Cycles are still collected; memory held by young garbage stays small (a
young generation of 10,000 containers is a few MB at most).
"""

from __future__ import annotations

import gc

YOUNG = 10_000      # container allocations between young collections (CPython: 700)
OLDER = (20, 20)    # young collections per middle one, middle ones per full (10, 10)


def tune_for_serving() -> None:
    """Call once the server's long-lived objects exist, just before it serves."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG, *OLDER)
