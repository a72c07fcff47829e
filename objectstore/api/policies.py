"""Storage policies as Swift shows them: `X-Storage-Policy` on a container PUT names one
of the ring's policies (any other name is refused, never silently ignored), a
container's HEAD and the account listing name its policy, and /info lists them all.
The policies themselves are the ring's (objectstore.ring.policies)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from objectstore import errors
from objectstore.proxy.container_policies import DEFAULT_NAME, Policy, by_index, by_name

DEFAULT = DEFAULT_NAME
HEADER = "x-storage-policy"


def requested(headers: Mapping[str, str], policies: tuple[Policy, ...]) -> int | None:
    """The index of the policy a container PUT names (None: it names none); 400 for a
    name that is not one of `policies`."""
    asked = headers.get(HEADER, "").strip()
    if not asked:
        return None
    policy = by_name(policies, asked)
    if policy is None:
        names = ", ".join(repr(p.name) for p in policies)
        raise errors.BadRequest(f"Invalid X-Storage-Policy '{asked}' (this store's "
                                f"storage policies: {names})")
    return policy.index


def name_of(policies: tuple[Policy, ...], index: int | str) -> str:
    """The name of the policy a container is in (its index as kept, "" for 0)."""
    if isinstance(index, str):
        index = int(index) if index.isdigit() else 0
    policy = by_index(policies, index)
    return policy.name if policy is not None else f"policy-{index}"


def info(policies: tuple[Policy, ...]) -> list[dict[str, Any]]:
    """/info's `policies`, as Swift lists them."""
    return [{"name": p.name, "aliases": p.name, **({"default": True} if p.default else {}),
             "policy_type": "replication", "replicas": p.replicas} for p in policies]
