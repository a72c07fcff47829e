"""A bucket's CORS rules and how a browser's request is matched against them, as S3
does: the first rule whose AllowedOrigin (one `*` wildcard at most), AllowedMethod and
every AllowedHeader pattern the request names fit decides; none: the request gets no
CORS headers (a preflight: 403)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass

METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
MAX_RULES = 100


@dataclass(frozen=True)
class CorsRule:
    allowed_origins: tuple[str, ...]
    allowed_methods: tuple[str, ...]
    allowed_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    id: str = ""

    def allows(self, origin: str, method: str, headers: Iterable[str]) -> bool:
        return (method in self.allowed_methods
                and any(wildcard_match(p, origin) for p in self.allowed_origins)
                and all(any(wildcard_match(p.lower(), h.lower())
                            for p in self.allowed_headers) for h in headers))

    def allow_origin(self, origin: str) -> str:
        """What Access-Control-Allow-Origin says: `*` for a rule open to every origin."""
        return "*" if "*" in self.allowed_origins else origin


def wildcard_match(pattern: str, value: str) -> bool:
    """`pattern` with at most one `*` (any run of characters) matches `value`."""
    head, star, tail = pattern.partition("*")
    if not star:
        return pattern == value
    return len(value) >= len(head) + len(tail) and value.startswith(head) \
        and value.endswith(tail)


def first_match(rules: Iterable[CorsRule], origin: str, method: str,
                headers: Iterable[str] = ()) -> CorsRule | None:
    asked = [h for h in headers if h]
    return next((r for r in rules if r.allows(origin, method, asked)), None)


def requested_headers(value: str) -> list[str]:
    """Access-Control-Request-Headers as a list of names."""
    return [h.strip() for h in value.split(",") if h.strip()]


def encode(rules: list[CorsRule]) -> bytes:
    return json.dumps([asdict(r) for r in rules]).encode()


def decode(data: bytes) -> list[CorsRule]:
    return [CorsRule(tuple(r["allowed_origins"]), tuple(r["allowed_methods"]),
                     tuple(r["allowed_headers"]), tuple(r["expose_headers"]), r["max_age"],
                     r["id"]) for r in json.loads(data)]
