"""The proxy places names with the whole hash salt of `[cluster]`, suffix included, as
its nodes and their replicators do: with another salt the proxy would read and write
other partitions than the ones the replicators keep (and remove as misplaced)."""

from __future__ import annotations

from pathlib import Path

from objectstore.cli.configs import load_node_config, load_proxy_config, node_toml, proxy_toml
from objectstore.ring import PathHasher

NAMES = (("AUTH_test",), ("AUTH_test", "photos"), ("AUTH_test", "photos", "a"))


def test_proxy_and_node_agree_on_a_salt_with_a_suffix(tmp_path: Path) -> None:
    (tmp_path / "secret").write_text("00" * 32)
    suffix = 'hash_suffix = "pepper"\n'
    (tmp_path / "proxy.toml").write_text(proxy_toml("127.0.0.1", 8080, "salt").replace(
        'hash_prefix = "salt"\n', f'hash_prefix = "salt"\n{suffix}'))
    (tmp_path / "node0.toml").write_text(node_toml("127.0.0.1", 6200, "node0", "salt")
                                         + suffix)
    proxy = load_proxy_config(tmp_path / "proxy.toml").hasher()
    node = load_node_config(tmp_path / "node0.toml").hasher()
    for name in NAMES:
        assert proxy.digest(*name) == node.digest(*name)
        assert proxy.digest(*name) != PathHasher("salt", "").digest(*name)
