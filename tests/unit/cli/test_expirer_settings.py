"""`[expirer]`: its settings, their defaults, and the values refused at start."""

from __future__ import annotations

import pytest

from objectstore.cli.errors import CommandError
from objectstore.cli.expirer_settings import ExpirerSettings, expirer_of


def test_defaults_and_settings() -> None:
    assert expirer_of({}) == ExpirerSettings(30.0, 60.0, True)
    assert expirer_of({"expirer": {"interval": 1, "delay_reaping": 0,
                                   "allow_open_expired": False}}) == \
        ExpirerSettings(1.0, 0.0, False)


@pytest.mark.parametrize("section, why", [
    ({"interval": 0}, "interval must be a positive"),
    ({"interval": "30"}, "interval must be a positive"),
    ({"delay_reaping": -1}, "delay_reaping must be a non-negative"),
    ({"delay_reaping": True}, "delay_reaping"),
    ({"allow_open_expired": "yes"}, "allow_open_expired must be true or false")])
def test_bad_values_stop_the_start(section: dict[str, object], why: str) -> None:
    with pytest.raises(CommandError, match=why):
        expirer_of({"expirer": section})
