"""The ring's own error: the ring depends on nothing else of ours."""

from __future__ import annotations


class RingError(ValueError):
    """A ring or builder operation that cannot be done as asked; the message says why."""
