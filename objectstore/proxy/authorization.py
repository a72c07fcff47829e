"""Who may do what, decided once for both APIs.

Both models are one model here. A request comes from an `Identity` -- an account's
admin, one of its other users, a reseller admin, or nobody (anonymous) -- and needs one
kind of access (`Need`) to an account, a container (bucket) or an object. What grants
it (`Grants`) is everything the resource carries: Swift's container and account ACLs,
S3's bucket and object ACLs, and the verdict of the bucket's policy on this request
(the S3 layer evaluates the policy: it knows the IAM action and the condition keys).

In order:
1. An explicit Deny of the bucket policy refuses, owners included.
2. Owners may do anything: a reseller admin, an account's admins, an `admin` of its
   account ACL.
3. The policy's Allow lets in (not a public one under RestrictPublicBuckets, except
   for the owner's own account).
4. ACLs, either API's, grant what they name:
   - READ of an object: an object ACL's READ, a read ACL's groups or referrers (Swift
     `.r:*` is S3's AllUsers READ on the objects);
   - LIST (a container listing, S3's bucket READ): a bucket ACL's READ, a read ACL's
     groups, or its referrers with `.rlistings`;
   - WRITE of objects: a bucket ACL's WRITE, a write ACL's groups;
   - READ_ACP / WRITE_ACP: the bucket's or object's ACL (S3 only);
   - the account ACL: `read-write` everything in the account but the account itself,
     `read-only` reads.
5. Anything else is refused.

A canonical-user grant names an account as S3 does; it is the account's admins who
hold it. Other users of an account get what groups grant (AllUsers, AuthenticatedUsers,
Swift's `account` and `account:user`), what a policy grants them, and nothing more --
so an S3 key that is not an admin is a key with exactly the access given to it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from objectstore.proxy.policy import Decision, Requester
from objectstore.proxy.s3_acl import ACL, Permission, allows
from objectstore.proxy.swift_acl import AccountACL, ContainerACL


class Need(enum.Enum):
    READ = "read"             # an object: its content or metadata
    LIST = "list"             # a container (bucket): its listing and its HEAD
    WRITE = "write"           # an object: create, replace or delete it
    READ_ACP = "read_acp"     # the ACL of the bucket (no object) or of the object
    WRITE_ACP = "write_acp"
    ACCOUNT_READ = "account_read"     # an account: its listing and metadata
    OWNER = "owner"           # anything else: configuration, only owners (or a policy)


PERMISSION_OF = {Need.READ: Permission.READ, Need.LIST: Permission.READ,
                 Need.WRITE: Permission.WRITE, Need.READ_ACP: Permission.READ_ACP,
                 Need.WRITE_ACP: Permission.WRITE_ACP}
READS = frozenset({Need.READ, Need.LIST, Need.READ_ACP, Need.ACCOUNT_READ})
# what an object's own ACL decides (WRITE and LIST are the bucket's, even naming a key)
OBJECT_NEEDS = frozenset({Need.READ, Need.READ_ACP, Need.WRITE_ACP})


class Access(enum.Enum):
    OWNER = "owner"         # may do anything to the account, and sees its secrets
    ALLOWED = "allowed"     # a grant lets this request in
    DENIED = "denied"


@dataclass(frozen=True)
class Identity:
    """Who asks: `account` None when anonymous; `groups` are Swift's (`account`,
    `account:user`, and `AUTH_account` for an admin; a Keystone user's are keystoneauth's
    `project:user` forms). `roles`: a Keystone user's roles (lower case), which a Swift
    ACL may name, and which count in the user's own account only. `domain`: a Keystone
    user's project's domain id; `names`: those of its groups that name it by name, which
    count only in accounts of that domain (or of none known), as keystoneauth's do."""

    account: str | None = None
    user: str | None = None
    admin: bool = False
    reseller: bool = False
    groups: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    domain: str | None = None
    names: frozenset[str] = frozenset()

    @classmethod
    def of_user(cls, account: str, user: str, admin: bool, reseller: bool = False
                ) -> Identity:
        groups = {account, f"{account}:{user}"}
        if admin:
            groups.add(f"AUTH_{account}")
        return cls(account, user, admin, reseller, frozenset(groups))

    @property
    def anonymous(self) -> bool:
        return self.account is None

    @property
    def canonical_id(self) -> str | None:
        """Who S3 ACLs see: the account for its admins; for another user a name no
        canonical grant holds (it is still an authenticated requester)."""
        if self.account is None:
            return None
        return self.account if self.admin else f"{self.account}:{self.user}"

    @property
    def requester(self) -> Requester:
        """Who a bucket policy sees: the account itself (its root) for an admin."""
        return Requester(self.account, None if self.admin else self.user, self.canonical_id)

    def owns(self, swift_account: str) -> bool:
        """Without asking any ACL: a reseller admin, or an admin of this account. No
        one owns an account whose name starts with a dot (the store's own: the S3 name
        registry, the expiry queue)."""
        if swift_account.startswith("."):
            return False
        return self.reseller or swift_account in self.groups

    def without_names(self) -> Identity:
        return replace(self, groups=self.groups - self.names, names=frozenset())

    def in_any(self, acl_groups: frozenset[str], swift_account: str) -> bool:
        """Whether a Swift ACL of `swift_account` names one of this user's groups (or,
        in the user's own account, one of its roles, as keystoneauth compares them)."""
        if self.groups & acl_groups:
            return True
        return bool(self.roles) and swift_account == f"AUTH_{self.account}" and any(
            g.lower() in self.roles for g in acl_groups)


ANONYMOUS = Identity()


@dataclass(frozen=True)
class Ask:
    """What a request needs, on which resource (a Swift account name, AUTH_...)."""

    need: Need
    account: str
    container: str | None = None
    obj: str | None = None
    referer: str | None = None


@dataclass(frozen=True)
class Grants:
    read_acl: ContainerACL = field(default_factory=ContainerACL)
    write_acl: ContainerACL = field(default_factory=ContainerACL)
    account_acl: AccountACL = field(default_factory=AccountACL)
    bucket_acl: ACL | None = None
    object_acl: ACL | None = None
    policy: Decision = Decision.NONE
    public_policy: bool = False        # the policy grants the public (is_public)
    ignore_public_acls: bool = False   # PublicAccessBlock's IgnorePublicAcls
    restrict_public: bool = False      # ... and RestrictPublicBuckets


def decide(who: Identity, ask: Ask, grants: Grants) -> Access:
    if grants.policy is Decision.DENY:
        return Access.DENIED
    if who.owns(ask.account):
        return Access.OWNER
    if who.in_any(grants.account_acl.admin, ask.account):
        return Access.OWNER
    if grants.policy is Decision.ALLOW and not (
            grants.public_policy and grants.restrict_public
            and f"AUTH_{who.account}" != ask.account):
        return Access.ALLOWED
    if _acl_grants(who, ask, grants) or _swift_grants(who, ask, grants):
        return Access.ALLOWED
    return Access.DENIED


def _acl_grants(who: Identity, ask: Ask, grants: Grants) -> bool:
    permission = PERMISSION_OF.get(ask.need)
    if permission is None:
        return False
    on_object = ask.obj is not None and ask.need in OBJECT_NEEDS
    acl = grants.object_acl if on_object else grants.bucket_acl
    return acl is not None and allows(acl, who.canonical_id, permission, not on_object,
                                      grants.ignore_public_acls)


def _swift_grants(who: Identity, ask: Ask, grants: Grants) -> bool:
    need = ask.need
    if ask.container is not None:
        read, write = grants.read_acl, grants.write_acl
        if need is Need.READ or need is Need.LIST:
            if read.referrer_allowed(ask.referer) and (need is Need.READ or read.listings):
                return True
            if who.in_any(read.groups, ask.account):
                return True
        elif need is Need.WRITE and who.in_any(write.groups, ask.account):
            return True
    acl = grants.account_acl
    if who.in_any(acl.read_write, ask.account) and (ask.container is not None
                                                     or need in READS):
        return True
    return who.in_any(acl.read_only, ask.account) and need in READS
