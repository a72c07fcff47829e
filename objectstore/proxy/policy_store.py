"""Where a bucket's policy is kept: as its lifecycle rules are (bucket_documents.py),
container `policies` of the internal `.s3` account and the flag
`x-container-sysmeta-s3-policy`. A bucket without a policy pays one dict lookup; one
with a policy has it parsed once per change (a 20-statement policy takes milliseconds
to parse, microseconds to evaluate)."""

from __future__ import annotations

from dataclasses import dataclass

from objectstore.proxy.bucket_documents import BucketDocuments
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.policy import Policy, is_public, parse_policy

CONTAINER = "policies"
FLAG = "x-container-sysmeta-s3-policy"


@dataclass(frozen=True)
class StoredPolicy:
    """A bucket's policy, parsed, with what every request would otherwise work out
    again: whether it is public, whether it reads the object's tags."""

    policy: Policy
    public: bool
    reads_object_tags: bool


def parse_stored(data: bytes) -> StoredPolicy:
    """A policy as stored: validated when it was put, so read as leniently as it was
    accepted."""
    policy = parse_policy(data, check_action_resources=False, unique_sids=False)
    tags = any(k.startswith("s3:existingobjecttag/") for k in policy.condition_keys)
    return StoredPolicy(policy, is_public(policy), tags)


class PolicyStore(BucketDocuments[StoredPolicy]):
    def __init__(self, proxy: Proxy, containers: Containers) -> None:
        super().__init__(proxy, containers, CONTAINER, FLAG, parse_stored)
