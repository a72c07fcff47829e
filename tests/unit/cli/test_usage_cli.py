"""`objectstore usage`'s table, and [usage] in a config: a known table, read by the
proxy, a bad value refused with its key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from objectstore.cli.config_keys import unknown_keys
from objectstore.cli.configs import load_proxy_config, proxy_toml
from objectstore.cli.errors import CommandError
from objectstore.cli.usage_command import table
from objectstore.usage.settings import UsageSettings

REPORT = {
    "since": "2026-12-05T21:00:00Z", "until": "2026-12-06T21:00:00Z",
    "accounts": {
        "test": {"stored": {"time": "2026-12-06T20:55:00Z", "bytes": 1234567, "objects": 5,
                            "buckets": {"photos": {"bytes": 1234567, "objects": 5}}},
                 "stored_series": [],
                 "transfer": [
                     {"hour": "2026-12-06T19:00:00Z", "bucket": "photos", "class": "write",
                      "requests": 3, "bytes_in": 1000, "bytes_out": 0},
                     {"hour": "2026-12-06T20:00:00Z", "bucket": "photos", "class": "write",
                      "requests": 2, "bytes_in": 234567, "bytes_out": 0},
                     {"hour": "2026-12-06T20:00:00Z", "bucket": "", "class": "list",
                      "requests": 1, "bytes_in": 0, "bytes_out": 300}]},
        "new": {"stored": None, "stored_series": [], "transfer": []}}}


def test_the_table_says_what_is_stored_and_sums_transfers_per_class() -> None:
    text = table(REPORT)
    lines = text.splitlines()
    assert lines[0] == "usage from 2026-12-05T21:00:00Z to 2026-12-06T21:00:00Z"
    assert "account test: 1,234,567 bytes in 5 objects (sampled 2026-12-06T20:55:00Z)" \
        in lines
    assert any(line.split() == ["photos", "1,234,567", "5"] for line in lines)
    assert any(line.split() == ["write", "5", "235,567", "0"] for line in lines)
    assert any(line.split() == ["list", "1", "0", "300"] for line in lines)
    assert any(line.split() == ["read", "0", "0", "0"] for line in lines)
    assert "account new: stored: no sample taken yet" in lines


def test_an_empty_window() -> None:
    assert "no account" in table({"since": "a", "until": "b", "accounts": {}})


def test_usage_is_a_known_table() -> None:
    assert unknown_keys({"usage": {"sample_seconds": 1, "flush_seconds": 1,
                                   "keep_days": 1}}) == []
    assert unknown_keys({"usage": {"sample_second": 1}}) == ["[usage] sample_second"]


def test_a_proxys_usage_settings_come_from_its_config(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("00" * 32)
    base = proxy_toml("127.0.0.1", 8080, "salt")
    (tmp_path / "proxy.toml").write_text(base)
    assert load_proxy_config(tmp_path / "proxy.toml").usage == UsageSettings()
    (tmp_path / "proxy.toml").write_text(base + "\n[usage]\nsample_seconds = 2\n"
                                         "keep_days = 7\n")
    assert load_proxy_config(tmp_path / "proxy.toml").usage == UsageSettings(2, 60, 7)
    (tmp_path / "proxy.toml").write_text(base + "\n[usage]\nflush_seconds = 0\n")
    with pytest.raises(CommandError, match=r"\[usage\] flush_seconds"):
        load_proxy_config(tmp_path / "proxy.toml")
