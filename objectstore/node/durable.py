"""fsync of a file or directory by path: what makes a rename or link survive a crash."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_path(path: Path | str) -> None:
    """fsync what is at `path` (a file's data, or a directory's entries)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(directory: Path | str) -> None:
    """Make the names just made or changed in `directory` durable."""
    fsync_path(directory)
