"""TempAuth, as Swift's: `GET /auth/v1.0` with X-Auth-User `account:user` and X-Auth-Key
returns a token good for `token_life` seconds; every other request presents it.

A token is signed, not remembered: `AUTH_tk<user, expiry, nonce, key mark in
base64>.<HMAC>` under a key derived from the cluster secret, so every proxy of the
cluster accepts the tokens any of them issued, and a restarted one still accepts its own
(as Swift's fernet tokens do, with a shared key). A token names its user and which key
of the user it was made with: one whose user is gone, disabled or given a new key is
refused. Otherwise a token cannot be revoked before it expires: keep `token_life` short
where that matters."""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from objectstore.errors import Unauthorized


@dataclass(frozen=True)
class User:
    account: str          # the Swift account is AUTH_<account>
    user: str
    key: str
    admin: bool = True
    access_key: str = ""  # the S3 access key id, if not "account:user"
    reseller_admin: bool = False    # owns every account (and sets account quotas)
    email: str = ""       # names the account in S3 grants (emailAddress=...), if set

    @classmethod
    def from_config(cls, u: Mapping[str, Any]) -> User:
        """A `[[users]]` table of the config file."""
        return cls(u["account"], u["user"], u["key"], bool(u.get("admin", True)),
                   u.get("access_key", ""), bool(u.get("reseller_admin", False)),
                   str(u.get("email", "")))

    @property
    def swift_account(self) -> str:
        return f"AUTH_{self.account}"


# serve's user without a config: also a reseller admin, as a development server's one
# user is (it may then read `objectstore status` and manage users)
DEFAULT_USERS = (User("test", "tester", "testing", True, reseller_admin=True),)
DEFAULT_TOKEN_LIFE = 86400      # seconds; `[tempauth] token_life` in the config


@dataclass(frozen=True)
class Session:
    user: User
    expires: float


class Directory(Protocol):
    """Where TempAuth finds a user by `account:user` (admin/users.py: the config's and
    the cluster's users)."""

    def named(self, name: str) -> User | None: ...

    async def fresh(self) -> None:
        """Read the users again if what is known may be stale."""


class Fixed:
    """A Directory of a fixed set of users."""

    def __init__(self, users: tuple[User, ...]) -> None:
        self._users = {f"{u.account}:{u.user}": u for u in users}

    def named(self, name: str) -> User | None:
        return self._users.get(name)

    async def fresh(self) -> None:
        return None


class TempAuth:
    def __init__(self, users: tuple[User, ...] | Directory = DEFAULT_USERS,
                 token_life: int = DEFAULT_TOKEN_LIFE,
                 secret: bytes | None = None) -> None:
        """`secret`: the cluster's (tokens are then good on every proxy that has it);
        None, a key of this process's own."""
        self.users = Fixed(users) if isinstance(users, tuple) else users
        self.token_life = token_life
        self._key = hmac.digest(secret or secrets.token_bytes(32), b"tempauth tokens",
                                "sha256")

    def login(self, auth_user: str | None, auth_key: str | None) -> tuple[str, Session]:
        user = self.users.named(auth_user or "")
        if user is None or not hmac.compare_digest(user.key.encode(),
                                                   (auth_key or "").encode()):
            raise Unauthorized("bad credentials")
        expires = int(time.time() + self.token_life)
        payload = (f"{user.account}:{user.user}\n{expires}\n{secrets.token_hex(8)}\n"
                   f"{self._key_mark(user)}").encode()
        token = f"{TOKEN_PREFIX}{_b64(payload)}.{self._sign(payload)}"
        return token, Session(user, expires)

    def _key_mark(self, user: User) -> str:
        """Which key of the user the token was made with: a user given a new key (or
        disabled, or removed) no longer has tokens made with the old one."""
        return hmac.digest(self._key, user.key.encode(), "sha256")[:6].hex()

    def user_of(self, token: str) -> User:
        """The user a token stands for (whatever account it then asks for)."""
        body, dot, mac = token.removeprefix(TOKEN_PREFIX).partition(".")
        if not token.startswith(TOKEN_PREFIX) or not dot:
            raise Unauthorized("unknown or expired token")
        try:
            payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            name, expires, _, mark = payload.decode().split("\n")
            fresh = int(expires) > time.time()
        except (ValueError, UnicodeDecodeError, binascii.Error):
            raise Unauthorized("unknown or expired token") from None
        user = self.users.named(name)
        if not hmac.compare_digest(mac, self._sign(payload)) or not fresh or user is None \
                or not hmac.compare_digest(mark, self._key_mark(user)):
            raise Unauthorized("unknown or expired token")
        return user

    def _sign(self, payload: bytes) -> str:
        return hmac.digest(self._key, payload, "sha256")[:20].hex()


TOKEN_PREFIX = "AUTH_tk"


def token_life_of(doc: Mapping[str, Any]) -> int:
    """`[tempauth] token_life` of a config file (seconds, at least 1)."""
    life = int(doc.get("tempauth", {}).get("token_life", DEFAULT_TOKEN_LIFE))
    if life < 1:
        raise ValueError(f"[tempauth] token_life must be at least 1 second, not {life}")
    return life


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")
