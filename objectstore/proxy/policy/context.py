"""What a policy is evaluated against: who asks, for which action on which resource,
and the values of the request's condition keys."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from objectstore.proxy.policy.principals import Requester


@dataclass(frozen=True)
class RequestContext:
    """`keys` maps a condition key (any case) to its values; a key absent from it is
    absent from the request (for Null and ...IfExists)."""

    requester: Requester
    action: str                  # "s3:GetObject"
    resource: str                # "arn:aws:s3:::bucket/key"
    keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    action_lower: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "action_lower", self.action.lower())
        object.__setattr__(self, "keys", normalized(self.keys))


def normalized(keys: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    """Lower-cased names (condition key names are case-insensitive), tuple values."""
    return {name.lower(): tuple(values) for name, values in keys.items()}
