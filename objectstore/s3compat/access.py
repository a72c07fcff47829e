"""Who an S3 request is from, whose bucket it reaches, and whether it may: the S3 side
of the one decision (proxy/authorization.py).

A request acts on the bucket *owner's* account, whoever sends it: a bucket is found
by its name in the global registry (cached a few seconds, as containers are). Then:
- the owner's own admin, on a bucket without a policy, is let in at once: one dict
  lookup (the container cache already holds the bucket's system metadata);
- anyone else -- another account, a user who is not an admin, an anonymous request --
  and every request to a bucket with a policy is decided from what the bucket carries:
  its policy (evaluated against this request's action and condition keys), its ACL
  and Swift ACLs, its PublicAccessBlock, and for a read of an object the object's own
  ACL (one HEAD, only when nothing at the bucket level already let the request in).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from objectstore import errors
from objectstore.proxy import authorization, s3_acl_store
from objectstore.proxy.authorization import Access, Ask, Grants, Identity, Need
from objectstore.proxy.containers import Containers
from objectstore.proxy.core import Proxy
from objectstore.proxy.object_info import S3_TAGGING
from objectstore.proxy.policy import Decision, Policy, Requester, evaluate
from objectstore.proxy.policy_store import PolicyStore
from objectstore.proxy.public_access import of_sysmeta
from objectstore.proxy.s3_acl import ACL, Owner, private
from objectstore.proxy.s3_ownership import SYSMETA as OWNERSHIP
from objectstore.proxy.s3_ownership import ObjectOwnership, effective_acl
from objectstore.proxy.swift_acl import ACCOUNT_ACL, READ_ACL, WRITE_ACL, AccountACL, ContainerACL
from objectstore.proxy.versions import DeleteMarker
from objectstore.s3compat import s3errors, tagging
from objectstore.s3compat.credentials import S3User
from objectstore.s3compat.policy_requests import (
    Caller,
    PolicyRequest,
    delete_object_request,
    missing_object_request,
    policy_requests,
)
from objectstore.s3compat.registry import BucketRegistry
from objectstore.s3compat.versioning import S3Versioning, requested

OWNER_TTL = 5.0
MAX_OWNERS = 100_000
# an owner may always read, change and remove its bucket's policy, whatever it denies
POLICY_MANAGEMENT = {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"}
# bucket sub-resources anyone with READ on the bucket may GET (the listings)
LISTINGS = {"", "versions", "uploads", "list-type"}


@dataclass(frozen=True)
class Reach:
    """Where a request lands (`account`: the Swift account holding the bucket) and who
    sent it."""

    who: Identity
    account: str
    how: Callable[[], Caller] | None = None     # how it was sent (a policy's conditions)

    @property
    def owner(self) -> str:
        """The bucket owner's canonical id (its account name)."""
        return self.account.removeprefix("AUTH_")

    @property
    def requester(self) -> str:
        """The requester's canonical id as S3 documents show it (Owner, Initiator)."""
        return self.who.account or "anonymous"


_identities: dict[S3User, Identity] = {}


def identity_of(user: S3User | None) -> Identity:
    """Who an S3 user is to the decision (made once per user: on every request)."""
    if user is None:
        return authorization.ANONYMOUS
    if user.identity is not None:
        return user.identity
    found = _identities.get(user)
    if found is None:
        name = user.access_key.partition(":")[2] or user.access_key
        found = _identities[user] = Identity.of_user(user.account, name, user.admin)
    return found


def requester_of(who: Identity) -> Requester:
    return who.requester


def ownership_of(sysmeta: Mapping[str, str]) -> ObjectOwnership | None:
    value = sysmeta.get(OWNERSHIP, "")
    try:
        return ObjectOwnership(value) if value else None
    except ValueError:
        return None


def bucket_acl(sysmeta: Mapping[str, str], owner: str) -> ACL:
    """The ACL that counts for a bucket (the private one of its owner if it has none)."""
    stored = sysmeta.get(s3_acl_store.CONTAINER_ACL)
    acl = s3_acl_store.decode(stored) if stored else private(Owner(owner))
    return effective_acl(ownership_of(sysmeta), acl, Owner(owner))


def object_acl(headers: Mapping[str, str], sysmeta: Mapping[str, str], owner: str) -> ACL:
    """The ACL that counts for an object, from its headers (its bucket owner's private
    ACL if it has none)."""
    stored = headers.get(s3_acl_store.OBJECT_ACL)
    acl = s3_acl_store.decode(stored) if stored else private(Owner(owner))
    return effective_acl(ownership_of(sysmeta), acl, Owner(owner))


def need_of(method: str, key: str | None, params: Mapping[str, str]) -> Need:
    """The access an S3 request needs, as ACLs name it."""
    if "acl" in params:
        return Need.READ_ACP if method == "GET" else Need.WRITE_ACP
    if key:
        if params.keys() & {"tagging", "retention", "legal-hold"}:
            return Need.OWNER
        if method in ("GET", "HEAD"):
            return Need.LIST if "uploadId" in params else Need.READ
        return Need.WRITE
    if method == "POST" and "delete" in params:
        return Need.WRITE
    if method in ("GET", "HEAD") and not (params.keys() - LISTINGS - _LIST_PARAMS):
        return Need.LIST
    return Need.OWNER


_LIST_PARAMS = {"prefix", "delimiter", "max-keys", "continuation-token", "start-after",
                "marker", "encoding-type", "fetch-owner", "key-marker", "version-id-marker",
                "upload-id-marker", "max-uploads", "x-id", "X-Amz-Algorithm",
                "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                "X-Amz-Signature", "X-Amz-Security-Token", "AWSAccessKeyId", "Signature",
                "Expires"}


def combine(decisions: list[Decision]) -> Decision:
    """A request needing several actions: any Deny refuses; it is allowed by the policy
    only if every action is."""
    if Decision.DENY in decisions:
        return Decision.DENY
    if decisions and all(d is Decision.ALLOW for d in decisions):
        return Decision.ALLOW
    return Decision.NONE


@dataclass(frozen=True)
class Verdict:
    """A request let in, and whether an ACL (not ownership, not a policy) let it in:
    what an access log calls "ACL required"."""

    access: Access
    acl_required: bool = False


OWNER = Verdict(Access.OWNER)


class S3Access:
    def __init__(self, proxy: Proxy, containers: Containers, registry: BucketRegistry,
                 versioning: S3Versioning, policies: PolicyStore) -> None:
        self.proxy = proxy
        self.containers = containers
        self.registry = registry
        self.versioning = versioning
        self.policies = policies
        self._owners: dict[str, tuple[float, str | None]] = {}

    # -- whose bucket ------------------------------------------------------------------
    async def reach(self, who: Identity, bucket: str) -> Reach:
        """Where a request for `bucket` lands: the requester's own account when it
        holds the bucket (a dict lookup, the common case), else the owner's."""
        if who.account is not None:
            mine = f"AUTH_{who.account}"
            if self.proxy.known_containers.known(mine, bucket):
                return Reach(who, mine)
        owner = await self._owner(bucket)
        if owner is None:
            if who.account is None:
                raise s3errors.NoSuchBucket()
            return Reach(who, f"AUTH_{who.account}")     # NoSuchBucket, from the handler
        return Reach(who, owner)

    async def _owner(self, bucket: str) -> str | None:
        now = time.monotonic()
        cached = self._owners.get(bucket)
        if cached is not None and cached[0] > now:
            return cached[1]
        owner = await self.registry.owner(bucket)
        if len(self._owners) >= MAX_OWNERS:
            self._owners.clear()
        self._owners[bucket] = (now + OWNER_TTL, owner)
        return owner

    def forget(self, bucket: str) -> None:
        """A bucket deleted or made here: ask the registry afresh next time."""
        self._owners.pop(bucket, None)

    # -- may it ------------------------------------------------------------------------
    async def check(self, reach: Reach, method: str, headers: Mapping[str, str],
                    bucket: str, key: str | None, params: Mapping[str, str]) -> Verdict:
        """Whether a request (`method` with `headers`) may go on (AccessDenied if not);
        NoSuchBucket if the bucket is not there. How it was sent (`reach.how`) is asked
        only when there is a policy, for its conditions."""
        who, account = reach.who, reach.account
        known = self.proxy.known_containers
        if not known.known(account, bucket):
            await self.registry.require(account, bucket)
        sysmeta = known.sysmeta(account, bucket)
        flag = self.policies.flag(account, bucket)
        if not flag and who.owns(account):
            return OWNER                                 # the fast path
        stored = await self.policies.get(account, bucket, flag) if flag else None
        policy = stored.policy if stored is not None else None
        requester = requester_of(who)
        need = need_of(method, key, params)
        wants_object = key is not None and need in (Need.READ, Need.READ_ACP,
                                                    Need.WRITE_ACP)
        looked = key is not None and ((wants_object and not who.owns(account)) or (
            stored is not None and stored.reads_object_tags))
        head = await self._head(account, bucket, key, params) if looked and key else None
        missing = looked and wants_object and head is None
        decision = Decision.NONE
        if policy is not None:
            caller = reach.how() if reach.how is not None else Caller(who.requester)
            if missing and key is not None:     # 404 to one who may list, else 403
                asked = [missing_object_request(bucket, key, caller)]
            else:
                tags = dict(tagging.decode(head.get(S3_TAGGING, ""))) if head is not None else None
                # a copy's read of its source is judged by the source bucket's own check
                asked = [r for r in policy_requests(method, bucket, key or None, params,
                                                    headers, caller, existing_tags=tags)
                         if r.role != "copy-source"]
            decision = self._verdict(policy, asked, requester, who, account)
        pab = of_sysmeta(sysmeta)
        grants = Grants(ContainerACL.parse(sysmeta.get(READ_ACL)),
                        ContainerACL.parse(sysmeta.get(WRITE_ACL)), AccountACL(),
                        bucket_acl(sysmeta, reach.owner),
                        object_acl(head, sysmeta, reach.owner) if head is not None else None,
                        decision, stored is not None and stored.public,
                        pab is not None and pab.ignore_public_acls,
                        pab is not None and pab.restrict_public_buckets)
        if missing:        # nothing there: one who may list the bucket learns so (NoSuchKey)
            ask = Ask(Need.LIST, account, bucket, None, headers.get("referer"))
        else:
            ask = Ask(need, account, bucket, key, headers.get("referer"))
        access = authorization.decide(who, ask, grants)
        if access is Access.DENIED and who.account is not None \
                and decision is not Decision.DENY:
            account_acl = await self._account_acl(account)
            if account_acl:
                access = authorization.decide(who, ask,
                                              replace(grants, account_acl=account_acl))
        if access is Access.DENIED:
            raise s3errors.AccessDenied()
        return Verdict(access, access is Access.ALLOWED and decision is not Decision.ALLOW)

    async def delete_check(self, reach: Reach, bucket: str
                           ) -> Callable[[str, str | None], None] | None:
        """For DeleteObjects in a bucket with a policy: each key (and version) is judged
        as its own DeleteObject, and one the policy denies is refused (AccessDenied in
        the result), the owner's too. None for a bucket without a policy."""
        flag = self.policies.flag(reach.account, bucket)
        stored = await self.policies.get(reach.account, bucket, flag) if flag else None
        if stored is None or reach.how is None:
            return None
        caller, requester = reach.how(), reach.who.requester

        def check(key: str, version_id: str | None) -> None:
            asked = delete_object_request(bucket, key, version_id, caller)
            if evaluate(stored.policy, asked.context(requester)) is Decision.DENY:
                raise s3errors.AccessDenied()
        return check

    def _verdict(self, policy: Policy, asked: list[PolicyRequest], requester: Requester,
                 who: Identity, account: str) -> Decision:
        decisions = [evaluate(policy, r.context(requester)) for r in asked]
        if who.owns(account) and all(r.action in POLICY_MANAGEMENT for r in asked):
            return Decision.NONE             # never locked out of its own policy
        return combine(decisions)

    async def _head(self, account: str, bucket: str, key: str,
                    params: Mapping[str, str]) -> dict[str, str] | None:
        """The object's (or the version's) headers; None if there is none."""
        try:
            container, name = await self.versioning.locate(account, bucket, key,
                                                           requested(dict(params)))
            return await self.proxy.head_object(account, container, name, raw=True)
        except (errors.NotFound, DeleteMarker, s3errors.NoSuchVersion):
            return None

    async def _account_acl(self, account: str) -> AccountACL:
        try:
            listing = await self.containers.list_account(account, limit="0")
        except errors.NotFound:
            return AccountACL()
        return AccountACL.parse(listing.headers.get(ACCOUNT_ACL))
