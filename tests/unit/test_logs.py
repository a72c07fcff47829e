"""The JSON log line: one object per line, whatever the fields hold, as json.dumps
(with `default=str`) would write it."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from objectstore import logs


@pytest.fixture
def logged() -> Any:
    stream = io.StringIO()
    logs.setup("proxy", "json", "debug", stream)
    yield stream
    logging.getLogger().handlers.clear()


@pytest.mark.parametrize("value", [
    "plain", "quote \" backslash \\ newline \n tab \t", "ünïcødé ✓ 𝄞", "\udcff", "",
    0, -7, 10**30, 1.5, float("nan"), float("inf"), True, False, None,
    [1, "a"], {"k": "v"}, Path("/tmp/x"), b"bytes",
])
def test_a_field_is_written_as_json_dumps_would(logged: io.StringIO, value: Any) -> None:
    logging.getLogger("objectstore.test").info("a %s", "message", extra={"fields": {
        "value": value, "n": 1}})
    text = logged.getvalue()
    assert text.count("\n") == 1                # one line, whatever the value held
    doc = json.loads(text)
    expected = json.loads(json.dumps({"value": value}, default=str))["value"]
    if isinstance(value, float) and value != value:
        assert doc["value"] != doc["value"]
    else:
        assert doc["value"] == expected
    assert doc["message"] == "a message" and doc["n"] == 1
    assert doc["role"] == "proxy" and doc["level"] == "info"


def test_a_traceback_is_a_field_of_the_one_line(logged: io.StringIO) -> None:
    try:
        raise ValueError("boom")
    except ValueError:
        logging.getLogger("objectstore.test").exception("failed")
    [line] = logged.getvalue().splitlines()
    assert "ValueError: boom" in json.loads(line)["traceback"]


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_an_access_line_is_what_the_logger_would_have_written(fmt: str) -> None:
    """logs.access writes without a LogRecord; the line must not differ from the one
    logging.info on objectstore.access gives (but for the milliseconds of its time)."""
    fields = {"method": "GET", "path": "/b/ü", "status": 200, "duration_ms": 1.5,
              "user_agent": 'a "quoted" agent'}
    direct, logged = io.StringIO(), io.StringIO()
    logs.setup("proxy", fmt, "info", direct)
    logs.access("GET /b/ü 200", fields)
    logs.setup("proxy", fmt, "info", logged)
    logging.getLogger("objectstore.access").info("GET /b/ü 200", extra={"fields": fields})
    logging.getLogger().handlers.clear()
    if fmt == "json":
        a, b = json.loads(direct.getvalue()), json.loads(logged.getvalue())
        assert a.pop("time")[:19] == b.pop("time")[:19] and a == b
    else:
        assert direct.getvalue().split(" ", 1)[1] == logged.getvalue().split(" ", 1)[1]


def test_access_lines_respect_the_level_and_other_handlers(
        caplog: pytest.LogCaptureFixture) -> None:
    root = logging.getLogger()
    theirs = list(root.handlers)        # caplog's
    quiet = io.StringIO()
    logs.setup("proxy", "json", "warning", quiet)
    logs.access("GET / 200", {"status": 200})
    assert quiet.getvalue() == ""
    root.handlers[:] = theirs
    root.setLevel(logging.INFO)
    with caplog.at_level(logging.INFO, logger="objectstore.access"):
        logs.access("GET / 201", {"status": 201})      # someone else's handlers
    assert [r.getMessage() for r in caplog.records] == ["GET / 201"]
    assert caplog.records[0].fields == {"status": 201}
