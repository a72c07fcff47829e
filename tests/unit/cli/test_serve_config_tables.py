"""`serve` reads no `[proxy]`, `[node]`, `[cluster]` or `[encryption]` (it makes its own
ring, secret and key file): a config that has them is told so at start, not obeyed in
silence (a `[proxy] port` there would otherwise look as if it were in force)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from objectstore.cli.config_keys import TABLES, unread_by_serve, warn_unknown


def test_the_cluster_tables_are_named_with_what_reads_them() -> None:
    doc = {"proxy": {"port": 9000}, "cluster": {"secret": "00"}, "lifecycle": {},
           "users": [{"account": "a", "user": "u", "key": "k"}]}
    assert unread_by_serve(doc) == [
        "[proxy] is read by objectstore proxy, not by serve",
        "[cluster] is read by objectstore proxy, node and the daemons, not by serve"]
    assert unread_by_serve({"node": {}, "encryption": {}}) == [
        "[node] is read by objectstore node and its daemons, not by serve",
        "[encryption] is read by objectstore proxy (serve's key file is in its data dir), "
        "not by serve"]
    assert unread_by_serve({"users": [], "kms": {}, "s3": {}, "expirer": {}}) == []


def test_they_stay_known_tables_of_the_cluster_processes() -> None:
    assert {"proxy", "node", "cluster", "encryption"} <= set(TABLES)


def test_only_serve_is_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[proxy]\nport = 9000\n\n[lifecycle]\nday_seconds = 10\n')
    with caplog.at_level(logging.WARNING):
        warn_unknown(config)
    assert caplog.records == []              # a proxy's own config: nothing to say
    with caplog.at_level(logging.WARNING):
        warn_unknown(config, serve=True)
    assert [r.getMessage() for r in caplog.records] == [
        f"config {config}: [proxy] is read by objectstore proxy, not by serve (ignored)"]
