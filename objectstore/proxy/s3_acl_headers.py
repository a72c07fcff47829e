"""The ACL a request asks for in its headers: a canned ACL (`x-amz-acl`) or grants
(`x-amz-grant-read|write|read-acp|write-acp|full-control`), never both.

Used by every request that sets an ACL this way: CreateBucket, PutObject, CopyObject,
CreateMultipartUpload, PutBucketAcl and PutObjectAcl (whose body is the other way,
`s3compat/acl_xml.py`). Refusals are S3's: an unknown canned name is InvalidArgument,
both kinds together InvalidRequest, an unknown grantee InvalidArgument (an unknown
email UnresolvableGrantByEmailAddress).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from objectstore.proxy.s3_acl import (
    ACL,
    CanonicalUser,
    Directory,
    Grant,
    Grantee,
    Group,
    Owner,
    Permission,
)
from objectstore.proxy.s3_acl_errors import (
    CannedAclNotBuilt,
    ConflictingAclHeaders,
    InvalidAclArgument,
    UnresolvableEmail,
)

CANNED = ("private", "public-read", "public-read-write", "authenticated-read",
          "aws-exec-read", "bucket-owner-read", "bucket-owner-full-control",
          "log-delivery-write")
# the grant headers in the order their grants are listed (RGW's; s3-tests reads it)
GRANT_HEADERS: tuple[tuple[str, Permission], ...] = (
    ("x-amz-grant-read", Permission.READ),
    ("x-amz-grant-write", Permission.WRITE),
    ("x-amz-grant-read-acp", Permission.READ_ACP),
    ("x-amz-grant-write-acp", Permission.WRITE_ACP),
    ("x-amz-grant-full-control", Permission.FULL_CONTROL),
)
_KNOWN = {name for name, _ in GRANT_HEADERS}
# one `type=value` of a grant header's comma-separated list; the value may be quoted
_GRANTEE = re.compile(r'\s*([A-Za-z]+)\s*=\s*(?:"([^"]*)"|([^,"]*?))\s*(?:,|$)')


def canned(name: str, owner: Owner, bucket_owner: Owner) -> ACL:
    """The grants of canned ACL `name` on a resource `owner` owns, in a bucket
    `bucket_owner` owns (for a bucket, both are its owner: bucket-owner-read and
    bucket-owner-full-control then say what private says, as S3 ignores them there)."""
    R, W, RA, FC = (Permission.READ, Permission.WRITE, Permission.READ_ACP,
                    Permission.FULL_CONTROL)
    mine = Grant(CanonicalUser(owner.id), FC)
    bucket_owners: tuple[Grant, ...] = ()
    if name in ("bucket-owner-read", "bucket-owner-full-control") \
            and bucket_owner.id != owner.id:
        bucket_owners = (Grant(CanonicalUser(bucket_owner.id),
                               R if name == "bucket-owner-read" else FC),)
    others: dict[str, tuple[Grant, ...]] = {
        "private": (),
        "public-read": (Grant(Group.ALL_USERS, R),),
        "public-read-write": (Grant(Group.ALL_USERS, R), Grant(Group.ALL_USERS, W)),
        "authenticated-read": (Grant(Group.AUTHENTICATED_USERS, R),),
        "bucket-owner-read": bucket_owners,
        "bucket-owner-full-control": bucket_owners,
        "log-delivery-write": (Grant(Group.LOG_DELIVERY, W),
                               Grant(Group.LOG_DELIVERY, RA)),
    }
    if name == "aws-exec-read":
        raise CannedAclNotBuilt("the aws-exec-read canned ACL (Amazon EC2's read of "
                                "AMI bundles) is not implemented: there is no EC2 here")
    if name not in others:
        raise InvalidAclArgument("Invalid canned ACL", ArgumentName="x-amz-acl",
                                 ArgumentValue=name)
    return ACL(owner, (*others[name], mine))


def grantee_of(kind: str, value: str, directory: Directory) -> Grantee:
    """One grantee of a grant header (`id=`, `emailAddress=`, `uri=`; the kind in any
    case), resolved: an email to its user's canonical id."""
    kind = kind.lower()
    if kind == "id":
        if not directory.has_id(value):
            raise InvalidAclArgument("Invalid id", ArgumentName="CanonicalUser/ID",
                                     ArgumentValue=value)
        return CanonicalUser(value)
    if kind == "emailaddress":
        found = directory.id_of_email(value)
        if found is None:
            raise UnresolvableEmail("The e-mail address you provided does not match any "
                                    "account on record.", EmailAddress=value)
        return CanonicalUser(found)
    if kind == "uri":
        try:
            return Group(value)
        except ValueError:
            raise InvalidAclArgument("Invalid group uri", ArgumentName="uri",
                                     ArgumentValue=value) from None
    raise InvalidAclArgument("Argument format not recognized", ArgumentName=kind,
                             ArgumentValue=value)


def grantees(header: str, value: str, directory: Directory) -> list[Grantee]:
    """The comma-separated grantees of one grant header's value."""
    found: list[Grantee] = []
    pos, text = 0, value.strip()
    while pos < len(text):
        match = _GRANTEE.match(text, pos)
        if match is None or match.end() == pos:
            raise InvalidAclArgument(f"{header} must be a comma-separated list of "
                                     'id="...", emailAddress="..." or uri="..."',
                                     ArgumentName=header, ArgumentValue=value)
        kind, quoted, bare = match.groups()
        found.append(grantee_of(kind, quoted if quoted is not None else bare, directory))
        pos = match.end()
    if not found:
        raise InvalidAclArgument(f"{header} names no grantee", ArgumentName=header,
                                 ArgumentValue=value)
    return found


def requested_acl(headers: Mapping[str, str], owner: Owner, bucket_owner: Owner,
                  directory: Directory) -> ACL | None:
    """The ACL the request's headers give the resource `owner` owns (see `canned`), or
    None when they ask for none (the resource then gets the private ACL, or PutAcl
    reads its body). `headers` are lower-cased names, as Starlette's."""
    acl_name = headers.get("x-amz-acl")
    granting = [k for k in headers if k.startswith("x-amz-grant-")]
    unknown = sorted(set(granting) - _KNOWN)
    if unknown:
        raise InvalidAclArgument(f"Unknown grant header {unknown[0]}",
                                 ArgumentName=unknown[0],
                                 ArgumentValue=headers[unknown[0]])
    if acl_name is not None and granting:
        raise ConflictingAclHeaders("Specifying both Canned ACLs and Header Grants is "
                                    "not allowed")
    if acl_name is not None:
        return canned(acl_name.strip(), owner, bucket_owner)
    if not granting:
        return None
    grants = [Grant(grantee, permission) for name, permission in GRANT_HEADERS
              if name in headers for grantee in grantees(name, headers[name], directory)]
    return ACL(owner, tuple(grants))
