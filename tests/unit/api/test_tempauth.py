from __future__ import annotations

import base64
import time

import pytest

from objectstore.api.tempauth import TempAuth, User
from objectstore.errors import Unauthorized


def test_login_and_check() -> None:
    auth = TempAuth((User("test", "tester", "testing"), User("other", "u", "k")))
    token, session = auth.login("test:tester", "testing")
    assert token.startswith("AUTH_tk") and session.expires > time.time() + 3600
    assert auth.user_of(token).user == "tester"     # what it may do: api/access.py
    for user, key in (("test:tester", "wrong"), ("nobody:x", "testing"), (None, None)):
        with pytest.raises(Unauthorized):
            auth.login(user, key)
    for made_up in ("AUTH_tkmadeup", ""):
        with pytest.raises(Unauthorized):
            auth.user_of(made_up)


def test_tokens_expire() -> None:
    auth = TempAuth(token_life=0)
    token, _ = auth.login("test:tester", "testing")
    with pytest.raises(Unauthorized):
        auth.user_of(token)


def test_tokens_are_good_on_every_proxy_with_the_cluster_secret() -> None:
    users = (User("test", "tester", "testing"), User("other", "u", "k"))
    issuer, peer = TempAuth(users, secret=b"cluster"), TempAuth(users, secret=b"cluster")
    token, _ = issuer.login("test:tester", "testing")
    assert peer.user_of(token).user == "tester"
    with pytest.raises(Unauthorized):
        TempAuth(users, secret=b"another cluster").user_of(token)
    with pytest.raises(Unauthorized):               # its user is gone from the config
        TempAuth((User("other", "u", "k"),), secret=b"cluster").user_of(token)


def test_a_token_cannot_be_altered() -> None:
    users = (User("test", "tester", "testing"), User("other", "u", "k"))
    auth = TempAuth(users, secret=b"cluster")
    token, _ = auth.login("other:u", "k")
    body, mac = token.removeprefix("AUTH_tk").split(".")
    payload = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    forged = payload.replace(b"other:u", b"test:tester")
    for bad in ("AUTH_tk" + base64.urlsafe_b64encode(forged).decode().rstrip("=") + "." + mac,
                token[:-1] + ("0" if token[-1] != "0" else "1"), "AUTH_tk.", "AUTH_tkgarbage",
                token.replace("AUTH_tk", "AUTH_tx"), "AUTH_tk%%%." + mac):
        with pytest.raises(Unauthorized):
            auth.user_of(bad)


def test_a_new_key_ends_the_tokens_made_with_the_old_one() -> None:
    token, _ = TempAuth((User("test", "tester", "old"),), secret=b"c").login("test:tester",
                                                                            "old")
    assert TempAuth((User("test", "tester", "old"),), secret=b"c").user_of(token)
    with pytest.raises(Unauthorized):
        TempAuth((User("test", "tester", "new"),), secret=b"c").user_of(token)
