"""`[keystone]` of the config file: where Keystone is, the proxy's own (service)
credentials there, and which roles make a user an account's owner -- the settings of
OpenStack Swift's keystoneauth and s3token, under the same names where they have them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_OPERATOR_ROLES = ("admin", "swiftoperator")
KNOWN = frozenset({
    "url", "username", "password", "project", "user_domain", "project_domain",
    "operator_roles", "reseller_admin_role", "reseller_prefix", "default_domain_id",
    "allow_names_in_acls", "cache_seconds", "timeout"})


@dataclass(frozen=True)
class KeystoneSettings:
    url: str                  # Keystone's v3 endpoint, e.g. http://keystone:5000/v3
    username: str             # the proxy's service user, which may validate tokens
    password: str
    project: str              # ... and its project
    user_domain: str = "Default"
    project_domain: str = "Default"
    operator_roles: frozenset[str] = frozenset(DEFAULT_OPERATOR_ROLES)
    reseller_admin_role: str = "reselleradmin"
    default_domain_id: str = "default"
    allow_names_in_acls: bool = True
    cache_seconds: float = 300.0    # a validated token (at most to its expiry), an EC2 key
    timeout: float = 10.0           # seconds for one request to Keystone

    @classmethod
    def from_config(cls, table: Mapping[str, Any]) -> KeystoneSettings:
        """The `[keystone]` table. Raises ValueError for an unknown key or a prefix other
        than AUTH_ (accounts here are AUTH_<project id>), never ignores one."""
        unknown = sorted(set(table) - KNOWN)
        if unknown:
            raise ValueError(f"[keystone] has unknown keys: {', '.join(unknown)}")
        prefix = str(table.get("reseller_prefix", "AUTH_"))
        if prefix not in ("AUTH_", "AUTH"):
            raise ValueError(f"[keystone] reseller_prefix must be AUTH_, not {prefix!r}: "
                             "a project's account here is AUTH_<project id>")
        missing = [k for k in ("url", "username", "password", "project") if not table.get(k)]
        if missing:
            raise ValueError(f"[keystone] needs {', '.join(missing)}")
        url = str(table["url"]).rstrip("/")
        if not url.endswith("/v3"):
            url += "/v3"
        roles = table.get("operator_roles", DEFAULT_OPERATOR_ROLES)
        if isinstance(roles, str):
            roles = roles.split(",")
        cache, timeout = float(table.get("cache_seconds", 300)), float(table.get("timeout", 10))
        if cache < 0 or timeout <= 0:
            raise ValueError("[keystone] cache_seconds must be >= 0 and timeout > 0")
        return cls(url, str(table["username"]), str(table["password"]), str(table["project"]),
                   str(table.get("user_domain", "Default")),
                   str(table.get("project_domain", "Default")),
                   frozenset(str(r).strip().lower() for r in roles if str(r).strip()),
                   str(table.get("reseller_admin_role", "ResellerAdmin")).lower(),
                   str(table.get("default_domain_id", "default")),
                   bool(table.get("allow_names_in_acls", True)), cache, timeout)
