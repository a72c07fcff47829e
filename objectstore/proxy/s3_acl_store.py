"""An ACL kept in one system-metadata header of its container or object: compact JSON,
bounded so that it always fits a node request's header line.

    {"o":"test","g":[["u","test2","READ"],["g","AllUsers","READ"]]}

`o` is the owner's canonical id (`n` its display name, only when it differs), `g` the
grants: `u` a canonical user by id, `g` a group by its short name. A resource without
the header has the private ACL of its owner (whoever the bucket or object says owns it).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from objectstore.proxy.object_info import S3_ACL
from objectstore.proxy.s3_acl import ACL, CanonicalUser, Grant, Grantee, Group, Owner, Permission
from objectstore.proxy.s3_acl_errors import CorruptStoredAcl, MalformedAcl

CONTAINER_ACL = "x-container-sysmeta-s3-acl"
OBJECT_ACL = S3_ACL           # a POST of the object keeps it (object_info.POSTED)
# a node head line is at most 16 KiB: the encoded ACL stays well under it, with room
# for the header's name (100 grants to ids of ~100 characters fit)
MAX_ENCODED = 12 * 1024

_SHORT = {Group.ALL_USERS: "AllUsers", Group.AUTHENTICATED_USERS: "AuthenticatedUsers",
          Group.LOG_DELIVERY: "LogDelivery"}
_GROUP_OF = {v: k for k, v in _SHORT.items()}


def _grantee(grantee: Grantee) -> list[str]:
    if isinstance(grantee, Group):
        return ["g", _SHORT[grantee]]
    return ["u", grantee.id]


def encode(acl: ACL) -> str:
    """The header value for `acl`; MalformedAcl if it would be too large to keep."""
    doc: dict[str, Any] = {"o": acl.owner.id}
    if acl.owner.display_name != acl.owner.id:
        doc["n"] = acl.owner.display_name
    doc["g"] = [[*_grantee(g.grantee), g.permission.value] for g in acl.grants]
    text = json.dumps(doc, separators=(",", ":"), ensure_ascii=True)
    if len(text) > MAX_ENCODED:
        raise MalformedAcl(f"the ACL is too large to keep ({len(text)} bytes encoded, "
                           f"at most {MAX_ENCODED})")
    return text


def decode(text: str) -> ACL:
    """The ACL `encode` wrote; CorruptStoredAcl for anything else."""
    try:
        doc = json.loads(text)
        owner = Owner(str(doc["o"]), str(doc.get("n", "")))
        grants = []
        for kind, name, permission in doc["g"]:
            grantee: Grantee = _GROUP_OF[name] if kind == "g" else CanonicalUser(str(name))
            if kind not in ("u", "g"):
                raise ValueError(kind)
            grants.append(Grant(grantee, Permission(permission)))
        return ACL(owner, tuple(grants))
    except (ValueError, KeyError, TypeError, MalformedAcl) as exc:
        raise CorruptStoredAcl(f"a stored S3 ACL does not decode: {exc!r}") from None


def kept(system: Mapping[str, str]) -> dict[str, str]:
    """An upload's ACL (its marker's system metadata), for the object Complete makes."""
    value = system.get(OBJECT_ACL)
    return {OBJECT_ACL: value} if value else {}
