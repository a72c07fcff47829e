"""CORS rules and the one evaluation of a browser's request against them, for both APIs:
an S3 bucket's CORSRules (s3compat/bucket_cors.py) and a Swift container's
Access-Control metadata, which reads as one rule (api/cors.py). The first rule whose
origins, methods and header patterns fit the request decides, and says which
Access-Control-* headers go out; when none fits, none go out (and the API refuses a
preflight in its own way: S3 403, Swift 401)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
MAX_RULES = 100
# what a preflight's answer depends on, and an actual request's (for caches)
PREFLIGHT_VARY = ("Origin", "Access-Control-Request-Headers", "Access-Control-Request-Method")
ANSWER_VARY = ("Origin",)


@dataclass(frozen=True)
class CorsRule:
    """`allowed_origins`: S3's patterns with one `*` at most (any run of characters), or
    with `whole_origins`, Swift's whole origins (`*` alone is every origin; a `*` inside
    one is just a character). `expose_headers` go out on every CORS answer;
    `answer_exposes` on actual answers only, as Swift exposes them: names, and prefixes
    ending in `*` that expose the answer's own headers so named (its metadata)."""
    allowed_origins: tuple[str, ...]
    allowed_methods: tuple[str, ...]
    allowed_headers: tuple[str, ...] = ()
    expose_headers: tuple[str, ...] = ()
    max_age: int | None = None
    id: str = ""
    whole_origins: bool = False
    answer_exposes: tuple[str, ...] = ()

    def fits_origin(self, origin: str) -> bool:
        if self.whole_origins:
            return "*" in self.allowed_origins or origin in self.allowed_origins
        return any(wildcard_match(p, origin) for p in self.allowed_origins)

    def allows(self, origin: str, method: str, headers: Iterable[str]) -> bool:
        return (method in self.allowed_methods and self.fits_origin(origin)
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


def _common(rule: CorsRule, origin: str) -> dict[str, str]:
    out = {"access-control-allow-origin": rule.allow_origin(origin),
           "access-control-allow-methods": ", ".join(rule.allowed_methods)}
    if rule.max_age is not None:
        out["access-control-max-age"] = str(rule.max_age)
    return out


def preflight(rules: Iterable[CorsRule], origin: str, method: str,
              asked: list[str]) -> dict[str, str] | None:
    """The headers of the answer to a preflight asking `method` and the `asked` header
    names from `origin` (every asked name is allowed back); None: no rule lets it in."""
    rule = first_match(rules, origin, method, asked)
    if rule is None:
        return None
    out = _common(rule, origin)
    if asked:
        out["access-control-allow-headers"] = ", ".join(asked)
    if rule.expose_headers:
        out["access-control-expose-headers"] = ", ".join(rule.expose_headers)
    out["vary"] = ", ".join(PREFLIGHT_VARY)
    return out


def answer(rules: Iterable[CorsRule], origin: str, method: str,
           present: Iterable[str] = ()) -> dict[str, str] | None:
    """The headers to add to the answer (`present`: the names of its headers) to an
    actual request by `method` from `origin`; None: no rule lets it in, the answer
    stays as it is (the browser keeps it from the page)."""
    rule = first_match(rules, origin, method)
    if rule is None:
        return None
    out = _common(rule, origin)
    exposed = list(rule.expose_headers)
    for name in rule.answer_exposes:
        prefix, star, _ = name.partition("*")
        exposed += [h.lower() for h in present if h.lower().startswith(prefix)] \
            if star else [name]
    if exposed:
        out["access-control-expose-headers"] = ", ".join(dict.fromkeys(exposed))
    out["vary"] = ", ".join(ANSWER_VARY)
    return out


def to_set(existing: Mapping[str, str], cors: Mapping[str, str]) -> dict[str, str]:
    """The headers to set on an answer with `existing` headers: `cors`, where a Vary it
    has already is kept and added to."""
    out = dict(cors)
    if existing.get("vary") and "vary" in out:
        names = existing["vary"].split(",") + out["vary"].split(",")
        out["vary"] = ", ".join(dict.fromkeys(n.strip() for n in names if n.strip()))
    return out


def encode(rules: list[CorsRule]) -> bytes:
    return json.dumps([asdict(r) for r in rules]).encode()


def decode(data: bytes) -> list[CorsRule]:
    return [CorsRule(tuple(r["allowed_origins"]), tuple(r["allowed_methods"]),
                     tuple(r["allowed_headers"]), tuple(r["expose_headers"]), r["max_age"],
                     r["id"], r.get("whole_origins", False),
                     tuple(r.get("answer_exposes", ()))) for r in json.loads(data)]
