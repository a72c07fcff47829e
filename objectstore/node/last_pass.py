"""Each daemon's last pass, kept in a small JSON file on its node, so that whoever
reports on the node -- its `/metrics` (another process in a cluster), the node's status
for the admin API -- reads it without asking the daemon. (Here, not in daemons/, so the
node's own servers may read it: daemons depend on the node, not the other way.)

    <devices>/<daemon>.pass.json
    {"daemon": "auditor", "started": 1.7e9, "finished": 1.7e9, "seconds": 2.5,
     "items": 120, "errors": 0, "bytes": 52428800, "stats": {...every counter...}}

`items` is what the pass went through (files and databases checked, partitions
replicated, updates tried, queue entries due, buckets), `errors` its failures, `bytes`
what it read or moved (0 for a daemon that does not count bytes). The file is replaced
atomically at the end of every pass; a torn or missing file is simply no figure.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from objectstore.ring.files import write_atomic

SUFFIX = ".pass.json"


@dataclass(frozen=True)
class LastPass:
    daemon: str
    started: float
    finished: float
    seconds: float
    items: int
    errors: int
    bytes: int


def path_of(directory: Path, daemon: str) -> Path:
    return directory / f"{daemon}{SUFFIX}"


def record(directory: Path, daemon: str, stats: Any) -> None:
    """Write `stats` (a daemons.base.PassStats) as `daemon`'s last pass (blocking I/O:
    call it off the event loop). A device directory that is gone is no reason to fail
    a pass: nothing is written then."""
    doc = {"daemon": daemon, "started": stats.started, "finished": stats.finished,
           "seconds": stats.seconds, "items": stats.pass_items(),
           "errors": stats.failures, "bytes": stats.pass_bytes(),
           "stats": asdict(stats) if is_dataclass(stats) and not isinstance(stats, type)
           else {}}
    with contextlib.suppress(OSError):
        write_atomic(path_of(directory, daemon), json.dumps(doc).encode())


def read_all(directory: Path) -> list[LastPass]:
    """Every daemon's last pass recorded in `directory`, by daemon name."""
    found = []
    with contextlib.suppress(OSError):
        names = sorted(os.listdir(directory))
        for name in names:
            if not name.endswith(SUFFIX) or name.startswith("."):
                continue
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
                doc = json.loads((directory / name).read_text())
                found.append(LastPass(str(doc["daemon"]), float(doc["started"]),
                                      float(doc["finished"]), float(doc["seconds"]),
                                      int(doc["items"]), int(doc["errors"]),
                                      int(doc["bytes"])))
    return found
