"""Errors of the command line itself (bad config files and such): a message, no traceback."""

from __future__ import annotations


class CommandError(Exception):
    """A command that cannot run as asked; printed without a traceback."""
