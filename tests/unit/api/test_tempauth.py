from __future__ import annotations

import time

import pytest

from objectstore.api.tempauth import TempAuth, User
from objectstore.errors import Forbidden, Unauthorized


def test_login_and_check() -> None:
    auth = TempAuth((User("test", "tester", "testing"), User("other", "u", "k")))
    token, session = auth.login("test:tester", "testing")
    assert token.startswith("AUTH_tk") and session.expires > time.time() + 3600
    assert auth.check(token, "AUTH_test").user == "tester"
    with pytest.raises(Forbidden):
        auth.check(token, "AUTH_other")
    for user, key in (("test:tester", "wrong"), ("nobody:x", "testing"), (None, None)):
        with pytest.raises(Unauthorized):
            auth.login(user, key)
    with pytest.raises(Unauthorized):
        auth.check("AUTH_tkmadeup", "AUTH_test")
    with pytest.raises(Unauthorized):
        auth.check(None, "AUTH_test")


def test_tokens_expire() -> None:
    auth = TempAuth(token_life=0)
    token, _ = auth.login("test:tester", "testing")
    with pytest.raises(Unauthorized):
        auth.check(token, "AUTH_test")
