"""Storage policies: this store has one (every replica placement comes from one ring), so
Swift's `X-Storage-Policy` may name it and nothing else -- any other name is refused,
never silently ignored -- and containers and /info show it."""

from __future__ import annotations

from collections.abc import Mapping

from objectstore import errors

DEFAULT = "default"
HEADER = "x-storage-policy"
INFO = [{"name": DEFAULT, "default": True}]


def check_requested(headers: Mapping[str, str]) -> None:
    """400 unless a container write's X-Storage-Policy (if any, and not empty: the
    default) names the one policy."""
    asked = headers.get(HEADER, "")
    if asked.strip() and asked.strip().lower() != DEFAULT:
        raise errors.BadRequest(f"Invalid X-Storage-Policy '{asked.strip()}' (this store "
                                f"has one storage policy, {DEFAULT!r})")
