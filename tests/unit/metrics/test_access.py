"""Who may read /metrics: the [metrics] table and the decision over a request."""

from __future__ import annotations

import ipaddress

import pytest

from objectstore.metrics.access import MetricsSettings, refusal


def scope(client: str, authorization: str | None = None) -> dict[str, object]:
    headers = [(b"authorization", authorization.encode())] if authorization else []
    return {"type": "http", "client": (client, 5000), "headers": headers}


def test_the_default_is_this_host_only() -> None:
    settings = MetricsSettings.from_config(None)
    assert settings == MetricsSettings.from_config({})
    assert refusal(settings, scope("127.0.0.1")) is None
    assert refusal(settings, scope("::1")) is None
    assert refusal(settings, scope("::ffff:127.0.0.1")) is None     # a dual-stack socket
    why = refusal(settings, scope("10.1.2.3"))
    assert why is not None and "10.1.2.3" in why and "[metrics] allow" in why


def test_ranges_and_the_token() -> None:
    settings = MetricsSettings.from_config({"allow": ["10.0.0.0/8", "fd00::/8"],
                                            "token": "t0ken"})
    assert refusal(settings, scope("10.200.0.1")) is None
    assert refusal(settings, scope("fd12::1")) is None
    assert refusal(settings, scope("127.0.0.1")) is not None
    assert refusal(settings, scope("192.0.2.1", "Bearer t0ken")) is None
    assert refusal(settings, scope("192.0.2.1", "bearer t0ken")) is None
    # a wrong credential is refused even from an allowed address
    assert refusal(settings, scope("10.0.0.1", "Bearer t0ke")) == "wrong metrics token"
    assert "Bearer" in (refusal(settings, scope("10.0.0.1", "Basic dTpw")) or "")
    # no client address (a unix socket): only the token
    assert refusal(settings, {"type": "http", "client": None, "headers": []}) is not None


def test_a_token_without_one_configured_is_refused() -> None:
    settings = MetricsSettings.from_config({"allow": []})
    assert settings.allow == ()
    why = refusal(settings, scope("127.0.0.1", "Bearer anything"))
    assert why is not None and "no metrics token" in why
    assert refusal(settings, scope("127.0.0.1")) is not None


def test_a_host_address_is_a_range_of_one() -> None:
    settings = MetricsSettings.from_config({"allow": ["192.0.2.7"]})
    assert settings.allow == (ipaddress.ip_network("192.0.2.7/32"),)
    assert refusal(settings, scope("192.0.2.7")) is None
    assert refusal(settings, scope("192.0.2.8")) is not None


@pytest.mark.parametrize("table, named", [
    ({"allow": "127.0.0.1/32"}, "list"),
    ({"allow": ["127.0.0.1/33"]}, "127.0.0.1/33"),
    ({"allow": ["localhost"]}, "localhost"),
    ({"token": ""}, "token"),
    ({"token": 5}, "token"),
])
def test_bad_values_are_named(table: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        MetricsSettings.from_config(table)
