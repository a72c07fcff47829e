"""A real `serve` names, at start, what of its config it will not use: a misspelt key and
a table only the processes of a cluster read (DESIGN: never silently ignored)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.serving import serving

CONFIG = """
[[users]]
account = "test"
user = "tester"
key = "testing"
admin = true

[proxy]
port = 9999

[lifecycle]
day_second = 10
"""


def test_serve_warns_of_what_it_does_not_read(tmp_path: Path) -> None:
    with serving(tmp_path, CONFIG):
        pass
    log = (tmp_path / "serve.log").read_text()
    config = tmp_path / "config.toml"
    assert f"config {config}: [proxy] is read by objectstore proxy, not by serve " \
           "(ignored)" in log
    assert f"config {config}: [lifecycle] day_second is not a setting of this " \
           "version (ignored)" in log
    assert "[[users]]" not in log and "[lifecycle] is" not in log
