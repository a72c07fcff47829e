"""Log lines an operator can use: Python `logging`, one JSON object per line on stderr
(or a plain line for a terminal with `text`), each with time, level, role and request id.

    {"time": "2026-12-01T10:00:00.123Z", "level": "info", "role": "proxy",
     "request_id": "tx...", "logger": "objectstore.access", "message": "...", ...}

Fields given as `extra={"fields": {...}}` (the access log's) are added to the object.
"""

from __future__ import annotations

import json
import json.encoder
import logging
import sys
import time
from collections.abc import Callable
from typing import Any, TextIO

from objectstore.request_id import current_id, current_role

FORMATS = ("json", "text")
LEVELS = ("debug", "info", "warning", "error")


class _Context(logging.Filter):
    """Stamps each record with the role and request id of the code that logged it."""

    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def filter(self, record: logging.LogRecord) -> bool:
        record.role = current_role.get() or self.role
        record.request_id = current_id.get()
        return True


_second: list[Any] = [-1, ""]       # the last second formatted, and its text


def _iso_time(created: float) -> str:
    second = int(created)
    if second != _second[0]:        # one strftime a second, not one a line
        _second[:] = [second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))]
    return f"{_second[1]}.{int(created % 1 * 1000):03d}Z"


def _line_encoder() -> Callable[[dict[str, Any]], str]:
    """One JSON encoder for every line, json.dumps(..., default=str)'s output. The C
    encoder is built once: JSONEncoder.encode builds one per call (and a dict to detect
    cycles, which a flat log line cannot have), a third of the cost of a line."""
    encoder = json.JSONEncoder(default=str)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:                    # no C accelerator: the plain way
        return encoder.encode
    c_encode = make(None, encoder.default, json.encoder.encode_basestring_ascii, None,
                    ": ", ", ", False, False, True)
    return lambda doc: "".join(c_encode(doc, 0))


_encode = _line_encoder()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {"time": _iso_time(record.created),
                               "level": record.levelname.lower(),
                               "role": getattr(record, "role", ""),
                               "request_id": getattr(record, "request_id", ""),
                               "logger": record.name, "message": record.getMessage()}
        doc.update(getattr(record, "fields", {}))
        if record.exc_info:
            doc["traceback"] = self.formatException(record.exc_info)
        return _encode(doc)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "fields", {})
        line = " ".join(p for p in (
            _iso_time(record.created), record.levelname, getattr(record, "role", ""),
            getattr(record, "request_id", ""), record.getMessage(),
            " ".join(f"{k}={v}" for k, v in fields.items())) if p)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


_access_log = logging.getLogger("objectstore.access")
# The handler setup() made, its format and role: access lines are written to it directly
_direct: list[Any] = [None, "json", ""]


def access(message: str, fields: dict[str, Any]) -> None:
    """One access-log line: as `objectstore.access` would log it at info level, with
    `fields`. Written straight to the handler setup() made, without a LogRecord: the
    logging machinery cost ~60 us of the ~100 a line took, on every request. Through
    `logging` when something else configured it (a library user's own handlers)."""
    if not _access_log.isEnabledFor(logging.INFO):
        return
    handler, fmt, role = _direct
    if handler is None or logging.getLogger().handlers != [handler] or \
            _access_log.handlers or not _access_log.propagate:
        _access_log.info(message, extra={"fields": fields})
        return
    now = time.time()
    role = current_role.get() or role
    if fmt == "json":
        line = _encode({"time": _iso_time(now), "level": "info", "role": role,
                                "request_id": current_id.get(), "logger": _access_log.name,
                                "message": message, **fields})
    else:
        line = " ".join(p for p in (_iso_time(now), "INFO", role, current_id.get(), message,
                                    " ".join(f"{k}={v}" for k, v in fields.items())) if p)
    with handler.lock:
        handler.stream.write(line + "\n")
        handler.stream.flush()


def setup(role: str, fmt: str = "json", level: str = "info",
          stream: TextIO | None = None) -> None:
    """Send every logger's records (ours, uvicorn's, asyncio's) to one handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    _direct[:] = [handler, fmt, role]
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    handler.addFilter(_Context(role))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    # an access line per request: skip what we never print (the docs' "Optimization")
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    setattr(logging, "_srcfile", None)      # noqa: B010 -- no caller's file and line
