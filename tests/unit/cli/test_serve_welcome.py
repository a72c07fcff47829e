"""What `serve` prints at start: where it listens, and each user with what it may do (the
default user is a reseller admin: it may manage every account and read the status)."""

from __future__ import annotations

from pathlib import Path

from objectstore.api.tempauth import DEFAULT_USERS, User
from objectstore.cli.embedded import welcome


def test_the_default_user_is_shown_with_its_key_and_roles() -> None:
    text = welcome(Path("data"), "127.0.0.1", 8080, DEFAULT_USERS, None, 3, 3)
    assert "objectstore serving data on http://127.0.0.1:8080" in text
    assert "  user test:tester  key testing  S3 access key test:tester  " \
           "(admin, reseller admin)" in text.splitlines()


def test_a_configs_keys_are_not_shown(tmp_path: Path) -> None:
    users = (User("a", "u", "secret", False), User("a", "v", "k2", True, "AKID"))
    text = welcome(Path("data"), "0.0.0.0", 9000, users, tmp_path / "c.toml", 1, 1)
    assert "secret" not in text and "k2" not in text
    assert f"  user a:u  key (key in {tmp_path / 'c.toml'})  S3 access key a:u" \
           in text.splitlines()
    assert f"  user a:v  key (key in {tmp_path / 'c.toml'})  S3 access key AKID  (admin)" \
           in text.splitlines()
