"""`[metrics]` in the configs `cluster init` writes and in the ones people write: the
default table is written into the proxy's and every node's, a bad value stops the
process at start with the key named."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from objectstore.cli.config_keys import unknown_keys
from objectstore.cli.configs import load_metrics, load_proxy_config, node_toml, proxy_toml
from objectstore.cli.errors import CommandError
from objectstore.metrics.access import MetricsSettings


def test_cluster_init_writes_the_default_table(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("00" * 32)
    (tmp_path / "proxy.toml").write_text(proxy_toml("127.0.0.1", 8080, "salt"))
    (tmp_path / "node0.toml").write_text(node_toml("127.0.0.1", 6200, "node0", "salt"))
    assert load_proxy_config(tmp_path / "proxy.toml").metrics == MetricsSettings()
    assert load_metrics(tmp_path / "node0.toml") == MetricsSettings()
    assert load_metrics(None) == MetricsSettings()
    assert "[metrics]\n" in (tmp_path / "node0.toml").read_text()


def test_a_token_and_ranges_are_read(tmp_path: Path) -> None:
    config = tmp_path / "serve.toml"
    config.write_text('[metrics]\nallow = ["10.0.0.0/8"]\ntoken = "t"\n')
    assert load_metrics(config) == MetricsSettings(
        (ipaddress.ip_network("10.0.0.0/8"),), "t")
    assert unknown_keys({"metrics": {"allow": [], "token": "t"}}) == []


def test_bad_values_stop_the_process(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("00" * 32)
    (tmp_path / "proxy.toml").write_text(proxy_toml("127.0.0.1", 8080, "salt").replace(
        'allow = ["127.0.0.1/32", "::1/128"]', 'allow = ["127.0.0.1/40"]'))
    with pytest.raises(CommandError, match=r"127\.0\.0\.1/40"):
        load_proxy_config(tmp_path / "proxy.toml")
    (tmp_path / "node.toml").write_text('[metrics]\ntoken = ""\n')
    with pytest.raises(CommandError, match=r"node.toml.*\[metrics\] token"):
        load_metrics(tmp_path / "node.toml")
