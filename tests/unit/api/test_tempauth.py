from __future__ import annotations

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
