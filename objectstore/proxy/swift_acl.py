"""Swift's ACL strings: container ACLs (X-Container-Read, X-Container-Write) and account
ACLs (X-Account-Access-Control), read and checked as OpenStack Swift's tempauth does.

A container ACL is a comma-separated list of *groups* -- `account` (any user of that
account), `account:user`, `AUTH_account` (that account's admins) -- and, in read ACLs
only, *referrer* items: `.r:*` (anyone), `.r:host`, `.r:.domain` or `.r:*.domain`,
`.r:-host` (deny, in order), and `.rlistings` (a referrer may list, not only read).
An account ACL is a JSON object of up to three lists of groups: `admin` (as the account's
own admins), `read-write` (every container and object, not the account itself) and
`read-only` (reads everywhere).

Values are cleaned as Swift cleans them (`bob , sue` -> `bob,sue`, `.referrer:*` ->
`.r:*`) and a malformed one is refused (400, the reason given), never stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import unquote, urlparse

from objectstore.errors import BadRequest

# where a container's and an account's ACLs are kept (system metadata of the replicas)
READ_ACL = "x-container-sysmeta-acl-read"
WRITE_ACL = "x-container-sysmeta-acl-write"
ACCOUNT_ACL = "x-account-sysmeta-core-access-control"

REFERRER_DESIGNATORS = (".r", ".ref", ".referer", ".referrer")
LISTINGS = ".rlistings"
ACCOUNT_ACL_KEYS = ("admin", "read-write", "read-only")


def clean(header: str, value: str) -> str:
    """The cleaned form of a container ACL header's value; BadRequest if malformed."""
    items = []
    for raw in value.split(","):
        item = raw.strip()
        if not item:
            continue
        first, colon, second = (part.strip() for part in item.partition(":"))
        if not colon or not first.startswith("."):
            items.append(item)
            continue
        if first not in REFERRER_DESIGNATORS:
            raise BadRequest(f"Unknown designator {first!r} in ACL: {item!r}")
        if "write" in header.lower():
            raise BadRequest(f"Referrers not allowed in write ACL: {item!r}")
        negate = second.startswith("-")
        if negate:
            second = second[1:].strip()
        if second != "*" and second.startswith("*"):
            second = second[1:].strip()
        if not second or second == ".":
            raise BadRequest("No host/domain value after referrer designation in ACL: "
                             f"{item!r}")
        items.append(f".r:{'-' if negate else ''}{second}")
    return ",".join(items)


@dataclass(frozen=True)
class ContainerACL:
    referrers: tuple[str, ...] = ()     # in order; a leading "-" denies
    groups: frozenset[str] = frozenset()

    @property
    def listings(self) -> bool:
        return LISTINGS in self.groups

    @classmethod
    def parse(cls, value: str | None) -> ContainerACL:
        """A stored (cleaned) ACL string."""
        referrers, groups = [], set()
        for item in (value or "").split(","):
            if item.startswith(".r:"):
                referrers.append(item[3:])
            elif item:
                groups.add(unquote(item))
        return cls(tuple(referrers), frozenset(groups))

    def referrer_allowed(self, referer: str | None) -> bool:
        """Whether a request with this Referer header is let in by the referrer items
        (the last item that matches decides)."""
        allowed = False
        host = urlparse(referer or "").hostname or "unknown"
        for rule in self.referrers:
            deny = rule.startswith("-")
            rule = rule[1:] if deny else rule
            if (rule == "*" and not deny) or rule == host or \
                    (rule.startswith(".") and host.endswith(rule)):
                allowed = not deny
        return allowed


@dataclass(frozen=True)
class AccountACL:
    admin: frozenset[str] = frozenset()
    read_write: frozenset[str] = frozenset()
    read_only: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, value: str | None) -> AccountACL:
        """A stored (validated) account ACL; empty if none or unreadable."""
        try:
            data = json.loads(value) if value else {}
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        return cls(*(frozenset(g for g in data.get(k, []) if isinstance(g, str))
                     for k in ACCOUNT_ACL_KEYS))

    def __bool__(self) -> bool:
        return bool(self.admin or self.read_write or self.read_only)


def check_account_acl(value: str) -> str:
    """The account ACL to store (compact JSON), or BadRequest naming what is wrong."""
    def invalid(why: str) -> BadRequest:
        return BadRequest(f"X-Account-Access-Control invalid: {why}\n\nInput: {value}\n")
    if value == "":
        return ""
    try:
        data = json.loads(value)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise invalid(f"Syntax error in input ({value!r})")
    for key in data:
        if key not in ACCOUNT_ACL_KEYS:
            raise invalid(f"Key {json.dumps(key)} not recognized")
    for key in ACCOUNT_ACL_KEYS:
        if key not in data:
            continue
        if not isinstance(data[key], list):
            raise invalid(f"Value for key {json.dumps(key)} must be a list")
        if not all(isinstance(g, str) for g in data[key]):
            raise invalid(f"Elements of {json.dumps(key)} list must be strings")
    if not any(data.get(k) for k in ACCOUNT_ACL_KEYS):
        return ""           # `{}` (or only empty lists) grants nothing: the ACL is removed
    return json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
