"""The proxy's config file: the fan-out's settings are read from `[proxy]`."""

from __future__ import annotations

from pathlib import Path

from objectstore.cli.configs import load_proxy_config, proxy_toml
from objectstore.proxy.core import ProxySettings


def test_fanout_settings_come_from_the_config(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("00" * 32)
    text = proxy_toml("127.0.0.1", 8080, "salt").replace(
        "node_read_timeout = 10.0\n",
        "node_read_timeout = 10.0\npost_quorum_grace = 0.2\nerror_limit = 5\n"
        "error_window = 30\nerror_suppression = 12.5\n")
    (tmp_path / "proxy.toml").write_text(text)
    settings = load_proxy_config(tmp_path / "proxy.toml").settings
    assert (settings.grace_max, settings.error_limit, settings.error_window,
            settings.error_suppression) == (0.2, 5, 30.0, 12.5)


def test_fanout_settings_default_to_the_proxys_own(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("00" * 32)
    (tmp_path / "proxy.toml").write_text(proxy_toml("127.0.0.1", 8080, "salt"))
    assert load_proxy_config(tmp_path / "proxy.toml").settings == ProxySettings()
