"""TempAuth, as Swift's: `GET /auth/v1.0` with X-Auth-User `account:user` and X-Auth-Key
returns a token good for `token_life` seconds; every other request presents it."""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from objectstore.errors import Unauthorized


@dataclass(frozen=True)
class User:
    account: str          # the Swift account is AUTH_<account>
    user: str
    key: str
    admin: bool = True
    access_key: str = ""  # the S3 access key id, if not "account:user"
    reseller_admin: bool = False    # owns every account (and sets account quotas)

    @classmethod
    def from_config(cls, u: Mapping[str, Any]) -> User:
        """A `[[users]]` table of the config file."""
        return cls(u["account"], u["user"], u["key"], bool(u.get("admin", True)),
                   u.get("access_key", ""), bool(u.get("reseller_admin", False)))

    @property
    def swift_account(self) -> str:
        return f"AUTH_{self.account}"


DEFAULT_USERS = (User("test", "tester", "testing", True),)


@dataclass(frozen=True)
class Session:
    user: User
    expires: float


class TempAuth:
    def __init__(self, users: tuple[User, ...] = DEFAULT_USERS, token_life: int = 86400) -> None:
        self.users = {f"{u.account}:{u.user}": u for u in users}
        self.token_life = token_life
        self._sessions: dict[str, Session] = {}

    def login(self, auth_user: str | None, auth_key: str | None) -> tuple[str, Session]:
        user = self.users.get(auth_user or "")
        if user is None or not hmac.compare_digest(user.key.encode(),
                                                   (auth_key or "").encode()):
            raise Unauthorized("bad credentials")
        now = time.time()
        self._sessions = {t: s for t, s in self._sessions.items() if s.expires > now}
        token = "AUTH_tk" + secrets.token_hex(16)
        session = Session(user, now + self.token_life)
        self._sessions[token] = session
        return token, session

    def user_of(self, token: str) -> User:
        """The user a token stands for (whatever account it then asks for)."""
        session = self._sessions.get(token)
        if session is None or session.expires <= time.time():
            raise Unauthorized("unknown or expired token")
        return session.user
