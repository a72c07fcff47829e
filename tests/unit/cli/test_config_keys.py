"""A config's tables and keys that nothing reads are named at start, never ignored."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from objectstore.cli.config_keys import unknown_keys, warn_unknown


def test_every_unread_table_and_key_is_named() -> None:
    doc = {"users": [{"account": "a", "user": "u", "key": "k"},
                     {"account": "a", "user": "v", "key": "k", "nickname": "x"}],
           "lifecycle": {"day_second": 10, "actions_per_second": 5},
           "kms": {"keys": ["k1"], "rotate": 1}, "metrics": {"port": 1},
           "proxy": {"port": 1}, "cluster": {"secret": "00"}}
    assert unknown_keys(doc) == ["[[users]] #2 nickname", "[lifecycle] day_second",
                                 "[kms] rotate", "[metrics] port"]
    assert unknown_keys({"users": [{"account": "a", "user": "u", "key": "k",
                                    "reseller_admin": True}],
                         "lifecycle": {"day_seconds": 10}}) == []


def test_the_warning_names_the_file_and_the_key(tmp_path: Path,
                                               caplog: pytest.LogCaptureFixture) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[lifecycle]\nday_second = 10\n\n[metricz]\ntoken = "t"\n')
    with caplog.at_level(logging.WARNING):
        warn_unknown(config)
    shown = [r.getMessage() for r in caplog.records]
    assert shown == [f"config {config}: [lifecycle] day_second is not a setting of this "
                     "version (ignored)",
                     f"config {config}: [metricz] is not a setting of this version "
                     "(ignored)"]
    caplog.clear()
    warn_unknown(None)
    config.write_text("not toml [")
    warn_unknown(config)            # the loaders report a file that does not parse
    assert caplog.records == []
