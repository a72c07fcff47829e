"""A `[[users]]` table's optional `email`: how S3 grants name an account by email
(emailAddress=... and AmazonCustomerByEmail), from the config file to the S3 edge."""

from __future__ import annotations

from pathlib import Path

from objectstore.api.tempauth import User
from objectstore.cli.configs import load_proxy_config, proxy_toml
from objectstore.cli.embedded import load_users
from objectstore.s3compat.credentials import KeyStore, s3_users

USERS = ('[[users]]\naccount = "test"\nuser = "tester"\nkey = "testing"\n'
         'email = "tester@example.com"\n\n'
         '[[users]]\naccount = "test2"\nuser = "tester2"\nkey = "testing2"\n')


def test_email_is_optional_and_read_from_the_users_table() -> None:
    assert User.from_config({"account": "a", "user": "u", "key": "k"}).email == ""
    assert User.from_config({"account": "a", "user": "u", "key": "k",
                             "email": "a@example.com"}).email == "a@example.com"


def test_serve_and_proxy_configs_carry_it_to_the_s3_keys(tmp_path: Path) -> None:
    (tmp_path / "serve.toml").write_text(USERS)
    (tmp_path / "secret").write_text("00" * 32)
    proxy = proxy_toml("127.0.0.1", 8080, "salt").split("[[users]]")[0] + USERS
    (tmp_path / "proxy.toml").write_text(proxy)
    for users in (load_users(tmp_path / "serve.toml"),
                  load_proxy_config(tmp_path / "proxy.toml").users):
        assert [u.email for u in users] == ["tester@example.com", ""]
        keys = s3_users(users)
        assert [k.email for k in keys] == ["tester@example.com", ""]
        directory = KeyStore(keys).directory
        assert directory.id_of_email("Tester@Example.com") == "test"
        assert directory.id_of_email("") is None
        assert directory.has_id("test2") and not directory.has_id("tester2")
