"""Who may read `/metrics` (config `[metrics]`): a client from one of the `allow`
address ranges without credentials, or anyone with `Authorization: Bearer <token>`
when a token is configured. A wrong token is refused even from an allowed address.
The client address is the socket's peer: a reverse proxy in front must scrape for
others or be given the token."""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
DEFAULT_ALLOW = ("127.0.0.1/32", "::1/128")


@dataclass(frozen=True)
class MetricsSettings:
    allow: tuple[Network, ...] = tuple(ipaddress.ip_network(a) for a in DEFAULT_ALLOW)
    token: str | None = None

    @classmethod
    def from_config(cls, table: Mapping[str, Any] | None) -> MetricsSettings:
        """`[metrics]` of a config file; a bad value raises ValueError naming it."""
        if table is None:
            return cls()
        allow = table.get("allow", list(DEFAULT_ALLOW))
        if not isinstance(allow, Sequence) or isinstance(allow, str):
            raise ValueError("[metrics] allow must be a list of address ranges")
        networks = []
        for entry in allow:
            try:
                networks.append(ipaddress.ip_network(str(entry), strict=False))
            except ValueError:
                raise ValueError(f"[metrics] allow: {entry!r} is not an address range "
                                 "(e.g. 10.0.0.0/8)") from None
        token = table.get("token")
        if token is not None and (not isinstance(token, str) or not token):
            raise ValueError("[metrics] token must be a non-empty string")
        return cls(tuple(networks), token)


def refusal(settings: MetricsSettings, scope: Scope) -> str | None:
    """Why this request may not read the metrics; None if it may."""
    bearer = _bearer(scope)
    if bearer == "":
        return "metrics take no credentials but `Authorization: Bearer <token>`"
    if bearer is not None:
        if settings.token is None:
            return "no metrics token is configured here ([metrics] token)"
        if hmac.compare_digest(bearer.encode(), settings.token.encode()):
            return None
        return "wrong metrics token"
    client = (scope.get("client") or ("", 0))[0]
    if _allowed(settings.allow, client):
        return None
    hint = " or with the bearer token of [metrics] token" if settings.token else ""
    return (f"metrics are readable from the addresses of [metrics] allow{hint}; "
            f"{client or 'this client'} is not among them")


def _bearer(scope: Scope) -> str | None:
    """The bearer token sent; "" for another kind of Authorization; None for none."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, credential = bytes(value).decode("latin-1").partition(" ")
            return credential.strip() if scheme.lower() == "bearer" else ""
    return None


def _allowed(networks: tuple[Network, ...], client: str) -> bool:
    try:
        address = ipaddress.ip_address(client.split("%", 1)[0])
    except ValueError:
        return False            # a unix socket, or no peer address
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in networks)
