"""Keystone (OpenStack's identity service, API v3) as a source of users for both APIs.

A Swift request's `X-Auth-Token` is validated by Keystone (`GET /v3/auth/tokens`, with
the proxy's own service token), as keystonemiddleware's auth_token does; an S3 request
signed with an EC2 access key is checked here against the key's secret, fetched from
Keystone (`GET /v3/credentials/<sha256 of the key>`), as s3token does with its secret
cache. Both answers are kept for `cache_seconds` (a token never past its expiry), so a
busy proxy asks Keystone once per token or key, not once per request; refusals are kept
for a few seconds, so a client retrying a bad token does not hammer Keystone.

The user becomes an `Identity` as keystoneauth sees it: the account is
AUTH_<project id>; a user with an operator role on the project owns that account, the
reseller admin role owns every account; Swift ACLs name users as `project:user` (ids,
`*`, or names when both are in the default domain) or by role (a role counts in the
user's own project only)."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import aiohttp

from objectstore import errors
from objectstore.proxy.authorization import Identity
from objectstore.proxy.keystone_settings import KeystoneSettings

T = TypeVar("T")
MAX_CACHED = 10_000        # tokens (and keys) remembered; the oldest go first
REFUSAL_SECONDS = 10.0     # how long a refused token or key is refused without asking
MAX_TOKEN = 8192           # longer is no token Keystone issues (fernet: ~200 bytes)


@dataclass(frozen=True)
class KeystoneUser:
    """A user as Keystone describes it, scoped to one project."""

    user_id: str
    user_name: str
    user_domain: str          # domain ids
    project_id: str
    project_name: str
    project_domain: str
    roles: frozenset[str]     # lower case, as keystoneauth compares them

    def identity(self, settings: KeystoneSettings) -> Identity:
        admin = bool(self.roles & settings.operator_roles)
        projects, users = [self.project_id, "*"], [self.user_id, "*"]
        names: set[str] = set()
        if settings.allow_names_in_acls and \
                self.user_domain == self.project_domain == settings.default_domain_id:
            names = {f"{p}:{u}" for p in (*projects, self.project_name)
                     for u in (*users, self.user_name)}
        groups = names | {f"{p}:{u}" for p in projects for u in users}
        names -= {f"{p}:{u}" for p in projects for u in users}     # ids only: always
        if admin:
            groups.add(f"AUTH_{self.project_id}")
        return Identity(self.project_id, self.user_name, admin,
                        settings.reseller_admin_role in self.roles, frozenset(groups),
                        roles=self.roles, domain=self.project_domain,
                        names=frozenset(names))


@dataclass(frozen=True)
class Ec2Key:
    """An EC2 credential: the secret that signs, and whom it signs for."""

    access: str
    secret: str
    identity: Identity


class _Cache:
    """Answers (or refusals) until a deadline, at most MAX_CACHED of them."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Any]] = {}
        self.pending: dict[str, asyncio.Future[Any]] = {}   # questions being asked

    def get(self, key: str) -> tuple[bool, Any]:
        found = self._entries.get(key)
        if found is None:
            return False, None
        if found[0] <= time.time():
            del self._entries[key]
            return False, None
        return True, found[1]

    def put(self, key: str, until: float, value: Any) -> None:
        self._entries.pop(key, None)
        self._entries[key] = (until, value)
        while len(self._entries) > MAX_CACHED:
            del self._entries[next(iter(self._entries))]


class Keystone:
    """One per proxy process; `close()` ends its connections."""

    def __init__(self, settings: KeystoneSettings) -> None:
        self.settings = settings
        self._session: aiohttp.ClientSession | None = None
        self._service: tuple[str, float] | None = None     # token, expiry (epoch)
        self._service_lock = asyncio.Lock()
        self._tokens, self._keys = _Cache(), _Cache()

    async def identity_of(self, token: str) -> Identity:
        """Who a Swift token stands for; Unauthorized if Keystone does not know it."""
        if len(token) > MAX_TOKEN or not token.isascii() or not token.isprintable():
            raise errors.Unauthorized("not a Keystone token")
        return await self._cached(self._tokens, token, self._validate)

    async def ec2_key(self, access: str) -> Ec2Key | None:
        """The EC2 credential of an access key; None if Keystone has none."""
        if len(access) > MAX_TOKEN or not access.isascii() or not access.isprintable():
            return None
        return await self._cached(self._keys, access, self._fetch_key)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def _cached(self, cache: _Cache, key: str,
                      fetch: Callable[[str], Awaitable[tuple[T, float]]]) -> T:
        hit, value = cache.get(key)
        if hit:
            if isinstance(value, errors.ObjectStoreError):
                raise value
            found: T = value
            return found
        pending = cache.pending.get(key)     # one question to Keystone per key at once
        if pending is None:
            pending = cache.pending[key] = asyncio.ensure_future(
                self._answer(cache, key, fetch))
            pending.add_done_callback(lambda _: cache.pending.pop(key, None))
        answer: T = await asyncio.shield(pending)
        return answer

    async def _answer(self, cache: _Cache, key: str,
                      fetch: Callable[[str], Awaitable[tuple[T, float]]]) -> T:
        try:
            value, until = await fetch(key)
        except errors.Unauthorized as refused:
            cache.put(key, time.time() + REFUSAL_SECONDS, refused)
            raise
        cache.put(key, min(until, time.time() + self.settings.cache_seconds), value)
        return value

    async def _validate(self, token: str) -> tuple[Identity, float]:
        status, body = await self._as_service("GET", "/auth/tokens?nocatalog",
                                              {"X-Subject-Token": token})
        if status in (401, 403, 404):
            raise errors.Unauthorized("Keystone does not accept this token")
        found = body["token"]
        if "project" not in found:
            raise errors.Unauthorized("the token is not scoped to a project")
        user, project = found["user"], found["project"]
        who = KeystoneUser(user["id"], user["name"], user["domain"]["id"], project["id"],
                           project["name"], project["domain"]["id"],
                           frozenset(r["name"].lower() for r in found.get("roles", [])))
        return who.identity(self.settings), _epoch(found["expires_at"])

    async def _fetch_key(self, access: str) -> tuple[Ec2Key | None, float]:
        forever = time.time() + self.settings.cache_seconds
        credential_id = hashlib.sha256(access.encode()).hexdigest()
        status, body = await self._as_service("GET", f"/credentials/{credential_id}")
        if status == 404:
            return None, time.time() + REFUSAL_SECONDS
        credential = body["credential"]
        blob = json.loads(credential["blob"])
        user_id, project_id = credential["user_id"], credential.get("project_id")
        if credential.get("type") != "ec2" or blob.get("access") != access or not project_id:
            return None, time.time() + REFUSAL_SECONDS
        status, body = await self._as_service(
            "GET", f"/role_assignments?user.id={user_id}&scope.project.id={project_id}"
                   "&effective&include_names")
        assignments = body.get("role_assignments", []) if status == 200 else []
        if not assignments:
            raise errors.Unauthorized("the EC2 key's user has no role on its project")
        first = assignments[0]
        project = first["scope"]["project"]
        who = KeystoneUser(user_id, first["user"]["name"], first["user"]["domain"]["id"],
                           project_id, project["name"], project["domain"]["id"],
                           frozenset(a["role"]["name"].lower() for a in assignments))
        return Ec2Key(access, str(blob["secret"]), who.identity(self.settings)), forever

    async def _as_service(self, method: str, path: str,
                          headers: dict[str, str] | None = None) -> tuple[int, Any]:
        """A request with the service token (a fresh one once, if Keystone has
        forgotten it). ServiceUnavailable if Keystone cannot be reached or fails."""
        for attempt in range(2):
            token = await self._service_token(renew=attempt > 0)
            status, body = await self._request(method, path,
                                                {"X-Auth-Token": token, **(headers or {})})
            if status != 401 or attempt:
                break
        if status >= 500 or (status in (401, 403) and "X-Subject-Token" not in (headers or {})):
            raise errors.ServiceUnavailable(f"Keystone answered {status} to the proxy")
        return status, body

    async def _service_token(self, renew: bool) -> str:
        async with self._service_lock:
            if self._service and not renew and self._service[1] > time.time() + 60:
                return self._service[0]
            s = self.settings
            status, body, token = await self._login(s)
            if status != 201 or not token:
                raise errors.ServiceUnavailable(
                    f"Keystone refused the proxy's service user {s.username!r}: {status}")
            self._service = token, _epoch(body["token"]["expires_at"])
            return token

    async def _login(self, s: KeystoneSettings) -> tuple[int, Any, str]:
        auth = {"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": s.username, "domain": {"name": s.user_domain},
                "password": s.password}}},
            "scope": {"project": {"name": s.project, "domain": {"name": s.project_domain}}}}}
        try:
            async with self._client().post(s.url + "/auth/tokens?nocatalog",
                                           json=auth) as r:
                return r.status, await r.json(content_type=None), \
                    r.headers.get("X-Subject-Token", "")
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise errors.ServiceUnavailable(f"Keystone unreachable: {exc!r}") from None

    async def _request(self, method: str, path: str, headers: dict[str, str]
                       ) -> tuple[int, Any]:
        try:
            async with self._client().request(method, self.settings.url + path,
                                              headers=headers) as r:
                body = await r.json(content_type=None) if r.status < 300 else None
                return r.status, body
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            raise errors.ServiceUnavailable(f"Keystone unreachable: {exc!r}") from None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.settings.timeout))
        return self._session


def _epoch(expires_at: str) -> float:
    """Keystone's `expires_at` (ISO 8601, UTC) as seconds since the epoch."""
    return datetime.fromisoformat(expires_at.replace("Z", "+00:00")).timestamp()
