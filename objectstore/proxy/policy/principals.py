"""Principal and NotPrincipal: who a statement is about.

Forms: `"*"` and `{"AWS": "*"}` (everyone, anonymous requests included); an account as
its id or `arn:aws:iam::<account>:root` (any identity of that account); a user
`arn:aws:iam::<account>:user/<path/>name`; a role ARN (never matches: there are no
roles); `{"CanonicalUser": id}`; `{"Service": name}`; `{"Federated": provider}` (never
matches: there is no federation). Accounts are this store's account names, which is
also where ceph/s3-tests puts its tenants (`arn:aws:iam::s3tenant1:root`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from objectstore.proxy.policy import errors

ACCOUNT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+=-]*$")
IAM_ARN = re.compile(r"^arn:aws:iam::([^:*?/\s]+):(root|user/.+|role/.+)$")
TYPES = ("AWS", "CanonicalUser", "Service", "Federated")


@dataclass(frozen=True)
class Requester:
    """Who makes a request: `account` None for an anonymous one; `user` None for the
    account itself (its root), else the user's name within it."""

    account: str | None
    user: str | None = None
    canonical_id: str | None = None
    service: str | None = None

    @property
    def anonymous(self) -> bool:
        return self.account is None and self.service is None

    @property
    def arn(self) -> str | None:
        if self.account is None:
            return None
        if self.user is None:
            return f"arn:aws:iam::{self.account}:root"
        return f"arn:aws:iam::{self.account}:user/{self.user}"


@dataclass(frozen=True)
class Principals:
    everyone: bool
    accounts: frozenset[str]            # the whole account
    users: frozenset[tuple[str, str]]   # (account, user name)
    canonical: frozenset[str]
    services: frozenset[str]
    others: tuple[str, ...]             # roles, federated: never a requester here

    def matches(self, who: Requester) -> bool:
        if self.everyone:
            return True
        if who.account is not None:
            if who.account in self.accounts:
                return True
            if who.user is not None and (who.account, who.user) in self.users:
                return True
        if who.canonical_id is not None and who.canonical_id in self.canonical:
            return True
        return who.service is not None and who.service in self.services

    def named_accounts(self) -> set[str]:
        return set(self.accounts) | {account for account, _ in self.users}


def parse_principals(value: object,
                     known: Callable[[str, str], bool] | None = None) -> Principals:
    """Validate; `known(type, id)` (if given) says whether an account id or canonical
    id exists, as S3 refuses a principal it does not know."""
    if value == "*":
        return Principals(True, frozenset(), frozenset(), frozenset(), frozenset(), ())
    if not isinstance(value, dict) or not value:
        raise errors.MalformedPolicy(errors.INVALID_PRINCIPAL)
    everyone = False
    accounts: set[str] = set()
    users: set[tuple[str, str]] = set()
    canonical: set[str] = set()
    services: set[str] = set()
    others: list[str] = []
    for kind, ids in value.items():
        if kind not in TYPES:
            raise errors.MalformedPolicy(errors.INVALID_PRINCIPAL)
        for ident in _strings(ids):
            if kind == "AWS":
                if ident == "*":
                    everyone = True
                    continue
                _add_aws(ident, accounts, users, others, known)
            elif kind == "CanonicalUser":
                if not ACCOUNT.match(ident) or (known and not known(kind, ident)):
                    raise errors.MalformedPolicy(errors.INVALID_PRINCIPAL)
                canonical.add(ident)
            elif kind == "Service":
                if "*" in ident or not re.fullmatch(r"[a-z0-9.-]+", ident):
                    raise errors.MalformedPolicy(errors.INVALID_PRINCIPAL)
                services.add(ident)
            else:
                if "*" in ident:
                    raise errors.MalformedPolicy(errors.INVALID_PRINCIPAL)
                others.append(f"{kind}:{ident}")
    return Principals(everyone, frozenset(accounts), frozenset(users), frozenset(canonical),
                      frozenset(services), tuple(others))


def _add_aws(ident: str, accounts: set[str], users: set[tuple[str, str]],
             others: list[str], known: Callable[[str, str], bool] | None) -> None:
    if ident.startswith("arn:"):
        match = IAM_ARN.match(ident)
        if not match or "*" in ident or "?" in ident:
            raise errors.MalformedPolicy(errors.INVALID_PRINCIPAL)
        account, rest = match[1], match[2]
        if known and not known("AWS", account):
            raise errors.MalformedPolicy(errors.INVALID_PRINCIPAL)
        if rest == "root":
            accounts.add(account)
        elif rest.startswith("user/"):
            users.add((account, rest.rsplit("/", 1)[1]))
        else:
            others.append(ident)
        return
    if not ACCOUNT.match(ident) or (known and not known("AWS", ident)):
        raise errors.MalformedPolicy(errors.INVALID_PRINCIPAL)
    accounts.add(ident)


def _strings(ids: object) -> list[str]:
    items = ids if isinstance(ids, list) else [ids]
    if not items or not all(isinstance(i, str) and i for i in items):
        raise errors.MalformedPolicy(errors.INVALID_PRINCIPAL)
    return items  # type: ignore[return-value]
