"""S3 access control lists: the model, and what one ACL lets a requester do.

An ACL is an owner and up to 100 grants, each a grantee and a permission. A grantee is
a canonical user (here the canonical id is the account name, which is also the display
name: `test` owns the buckets made with the key `test:tester`) or one of S3's groups.
A grantee named by email is resolved to its canonical id when a request is parsed, as
S3 does, so the model never holds an email.

Grants are kept in one order, Ceph RGW's (which ceph/s3-tests reads positionally):
group grants first, then user grants by canonical id; otherwise in the order given.
Two ACLs that grant the same thing the same way are therefore equal.

This module decides one ACL; who owns what, bucket policies and Swift ACLs are combined
elsewhere (the one authorization decision). Nothing here does I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from objectstore.proxy.s3_acl_errors import MalformedAcl, PublicAclBlocked

MAX_GRANTS = 100            # S3's limit on the grants of one ACL


class Permission(enum.Enum):
    READ = "READ"
    WRITE = "WRITE"
    READ_ACP = "READ_ACP"
    WRITE_ACP = "WRITE_ACP"
    FULL_CONTROL = "FULL_CONTROL"


class Group(enum.Enum):
    """S3's predefined groups, by URI."""

    ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
    AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
    LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


PUBLIC_GROUPS = frozenset({Group.ALL_USERS, Group.AUTHENTICATED_USERS})


@dataclass(frozen=True)
class CanonicalUser:
    id: str


Grantee = CanonicalUser | Group


@dataclass(frozen=True)
class Owner:
    id: str
    display_name: str = ""

    def __post_init__(self) -> None:
        if not self.display_name:       # here the display name is the canonical id
            object.__setattr__(self, "display_name", self.id)


@dataclass(frozen=True)
class Grant:
    grantee: Grantee
    permission: Permission


def _order(grant: Grant) -> tuple[int, str]:
    if isinstance(grant.grantee, Group):
        return (0, "")
    return (1, grant.grantee.id)


@dataclass(frozen=True)
class ACL:
    owner: Owner
    grants: tuple[Grant, ...] = ()

    def __post_init__(self) -> None:
        if len(self.grants) > MAX_GRANTS:
            raise MalformedAcl(f"an ACL has at most {MAX_GRANTS} grants, not "
                               f"{len(self.grants)}")
        object.__setattr__(self, "grants", tuple(sorted(self.grants, key=_order)))


def private(owner: Owner) -> ACL:
    """The default ACL: the owner has FULL_CONTROL, nobody else anything."""
    return ACL(owner, (Grant(CanonicalUser(owner.id), Permission.FULL_CONTROL),))


class Directory(Protocol):
    """The configured users, as grant parsing needs them (canonical id = account)."""

    def id_of_email(self, email: str) -> str | None:
        """The canonical id of the user with this email (case-insensitive), if any."""

    def has_id(self, canonical_id: str) -> bool:
        """Whether some configured user has this canonical id."""


class UserDirectory:
    """A Directory over (canonical id, email or '') pairs, e.g. the `[[users]]`."""

    def __init__(self, users: Iterable[tuple[str, str]]) -> None:
        self._ids: set[str] = set()
        self._emails: dict[str, str] = {}
        for canonical_id, email in users:
            self._ids.add(canonical_id)
            if email:
                self._emails.setdefault(email.lower(), canonical_id)

    def id_of_email(self, email: str) -> str | None:
        return self._emails.get(email.lower())

    def has_id(self, canonical_id: str) -> bool:
        return canonical_id in self._ids


def _member(requester: str | None, grantee: Grantee) -> bool:
    """Whether the requester (a canonical id, None when anonymous) is the grantee.
    Nobody is in LogDelivery: this store has no log delivery service."""
    if isinstance(grantee, CanonicalUser):
        return requester is not None and requester == grantee.id
    if grantee is Group.ALL_USERS:
        return True
    return grantee is Group.AUTHENTICATED_USERS and requester is not None


def allows(acl: ACL, requester: str | None, permission: Permission, is_bucket: bool,
           ignore_public: bool = False) -> bool:
    """Whether `acl` gives `requester` (an authenticated canonical id, or None for an
    anonymous request) `permission` on its bucket or object.

    FULL_CONTROL implies every permission; the owner always has READ_ACP and WRITE_ACP
    (so it can repair an ACL that revoked its own access), but READ and WRITE only as
    granted. WRITE on an object lets nobody do anything: objects are written under
    the bucket's WRITE. `ignore_public` (PublicAccessBlock's IgnorePublicAcls) leaves
    the AllUsers and AuthenticatedUsers grants out."""
    if permission is Permission.WRITE and not is_bucket:
        return False
    if (permission in (Permission.READ_ACP, Permission.WRITE_ACP)
            and requester is not None and requester == acl.owner.id):
        return True
    for grant in acl.grants:
        if grant.permission is not permission and grant.permission is not \
                Permission.FULL_CONTROL:
            continue
        if ignore_public and grant.grantee in PUBLIC_GROUPS:
            continue
        if _member(requester, grant.grantee):
            return True
    return False


def is_public(acl: ACL) -> bool:
    """Whether `acl` grants anything to AllUsers or AuthenticatedUsers (what S3 calls a
    public ACL: GetBucketPolicyStatus's IsPublic, PublicAccessBlock's concern)."""
    return any(g.grantee in PUBLIC_GROUPS for g in acl.grants)


def check_not_blocked(acl: ACL | None, block_public_acls: bool) -> None:
    """PublicAccessBlock's BlockPublicAcls: a request that would set a public ACL
    (PutBucketAcl, PutObjectAcl, CreateBucket, PutObject, CopyObject,
    CreateMultipartUpload) is refused; ACLs already set are left as they are."""
    if block_public_acls and acl is not None and is_public(acl):
        raise PublicAclBlocked("the bucket's PublicAccessBlock blocks public ACLs")


def grants_only_to(acl: ACL, canonical_id: str) -> bool:
    """Whether every grant of `acl` is to `canonical_id` (none to anyone else)."""
    return all(g.grantee == CanonicalUser(canonical_id) for g in acl.grants)
