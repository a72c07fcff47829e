"""Storage policies: how many replicas an object of a container keeps.

Every policy places on the one ring: an object of a policy with k replicas lives on the
first k primaries of its partition (the rest of the partition's primaries are its first
handoffs), and on a node in its own directory (`objects` for policy 0, `objects-<i>`
for policy i), so each policy's replication compares only its own objects. Policy 0 is
the default and keeps the ring's replica count. The policies travel in the ring file,
so every process that holds a ring agrees on them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from objectstore.ring.errors import RingError

DEFAULT_NAME = "default"
REDUCED_NAME = "reduced"
MAX_POLICIES = 100
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Policy:
    index: int
    name: str
    replicas: int

    @property
    def default(self) -> bool:
        return self.index == 0

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "name": self.name, "replicas": self.replicas}


def default_only(replicas: int) -> tuple[Policy, ...]:
    return (Policy(0, DEFAULT_NAME, replicas),)


def usual(replicas: int) -> tuple[Policy, ...]:
    """What a new ring gets from `serve` and `cluster init`: the default and, when the
    ring keeps more than one replica, `reduced` with one replica fewer (for data that
    is cheap to make again)."""
    if replicas < 2:
        return default_only(replicas)
    return (*default_only(replicas), Policy(1, REDUCED_NAME, replicas - 1))


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise RingError(f"a policy name is 1-64 letters, digits and '-' (starting with a "
                        f"letter or digit), not {name!r}")
    return name


def added(policies: tuple[Policy, ...], name: str, replicas: int, ring_replicas: int
          ) -> tuple[Policy, ...]:
    """`policies` with a new one (the next index)."""
    check_name(name)
    if any(p.name.lower() == name.lower() for p in policies):
        raise RingError(f"there is already a policy named {name!r}")
    if len(policies) >= MAX_POLICIES:
        raise RingError(f"at most {MAX_POLICIES} policies")
    _check_replicas(replicas, ring_replicas)
    return (*policies, Policy(max(p.index for p in policies) + 1, name, replicas))


def _check_replicas(replicas: Any, ring_replicas: int) -> None:
    if isinstance(replicas, bool) or not isinstance(replicas, int) \
            or not 1 <= replicas <= ring_replicas:
        raise RingError(f"a policy keeps 1 to {ring_replicas} replicas (the ring's "
                        f"count), not {replicas!r}")


def from_documents(raw: Any, ring_replicas: int) -> tuple[Policy, ...]:
    """Policies as a ring or builder file lists them (absent: the default alone)."""
    if raw is None:
        return default_only(ring_replicas)
    if not isinstance(raw, list) or not raw:
        raise RingError("policies must be a non-empty list")
    out = []
    for doc in raw:
        if not isinstance(doc, dict):
            raise RingError("a policy must be an object")
        index, name, replicas = doc.get("index"), doc.get("name"), doc.get("replicas")
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise RingError(f"bad policy index {index!r}")
        _check_replicas(replicas, ring_replicas)
        out.append(Policy(index, check_name(str(name)), int(replicas or 0)))
    indexes = [p.index for p in out]
    if len(set(indexes)) != len(out) or 0 not in indexes:
        raise RingError("policy indexes must be distinct and include 0")
    if len({p.name.lower() for p in out}) != len(out):
        raise RingError("policy names must be distinct")
    if next(p for p in out if p.index == 0).replicas != ring_replicas:
        raise RingError("policy 0 keeps the ring's replica count")
    return tuple(sorted(out, key=lambda p: p.index))


def by_name(policies: tuple[Policy, ...], name: str) -> Policy | None:
    """The policy a client names (names are matched without regard to case, as
    Swift does)."""
    wanted = name.strip().lower()
    return next((p for p in policies if p.name.lower() == wanted), None)


def by_index(policies: tuple[Policy, ...], index: int) -> Policy | None:
    return next((p for p in policies if p.index == index), None)
