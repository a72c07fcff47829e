"""TempURL signatures and expiries as pure functions."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from objectstore.api.tempurl import (
    Grant,
    LinkQuery,
    TempURLInvalid,
    check,
    disposition,
    expires_at,
    split_signature,
)

NOW = 1_700_000_000.0
PATH = "/v1/AUTH_a/c/o"


def sig(key: str, method: str, expires: int, path: str = PATH,
        digest: str = "sha256") -> str:
    return hmac.new(key.encode(), f"{method}\n{expires}\n{path}".encode(), digest).hexdigest()


def link(signature: str, expires: int | str = int(NOW) + 60, **kw: str) -> LinkQuery:
    query = {"temp_url_sig": signature, "temp_url_expires": str(expires), **kw}
    found = LinkQuery.of(query)
    assert found is not None
    return found


def test_expiry_forms() -> None:
    assert expires_at("1700000060", NOW) == 1700000060
    assert expires_at("2023-11-14T22:14:20Z", NOW) == 1700000060
    assert expires_at("1699999999", NOW) == 0            # past
    assert expires_at("soon", NOW) == 0 and expires_at(None, NOW) == 0


def test_signature_forms() -> None:
    raw = hashlib.sha512(b"x").digest()
    assert split_signature("sha512:" + base64.urlsafe_b64encode(raw).decode().rstrip("=")) \
        == ("sha512", raw)
    assert split_signature("ab" * 20)[0] == "sha1"
    assert split_signature("ab" * 32)[0] == "sha256"
    assert split_signature("zz" * 32) == ("", b"")
    with pytest.raises(TempURLInvalid):
        split_signature("md5:AAAA")


def test_a_good_link_is_granted_with_its_scope() -> None:
    expires = int(NOW) + 60
    grant = check(link(sig("k", "GET", expires)), "GET", "AUTH_a", "c", "o", None,
                  ["k"], [], NOW)
    assert grant.container is None
    grant = check(link(sig("ck", "PUT", expires)), "HEAD", "AUTH_a", "c", "o", None,
                  ["k"], ["ck"], NOW)
    assert grant.container == "c"       # a container key's grant is that container's


@pytest.mark.parametrize("method, obj, client, ip", [
    ("PUT", "o", None, None),           # a GET link does not PUT
    ("GET", "other", None, None),       # another object
    ("GET", "o", "10.0.0.1", "127.0.0.1"),
    ("GET", "o", None, "127.0.0.1"),
])
def test_links_that_do_not_grant(method: str, obj: str, client: str | None,
                                 ip: str | None) -> None:
    expires = int(NOW) + 60
    body = f"GET\n{expires}\n{PATH}"
    if ip:
        body = f"ip={ip}\n{body}"
    signature = hmac.new(b"k", body.encode(), "sha256").hexdigest()
    extra = {"temp_url_ip_range": ip} if ip else {}
    with pytest.raises(TempURLInvalid):
        check(link(signature, **extra), method, "AUTH_a", "c", obj, client, ["k"], [], NOW)


def test_prefix_links() -> None:
    expires = int(NOW) + 60
    signature = sig("k", "GET", expires, "prefix:/v1/AUTH_a/c/pre")
    check(link(signature, temp_url_prefix="pre"), "GET", "AUTH_a", "c", "pre/x", None,
          ["k"], [], NOW)
    with pytest.raises(TempURLInvalid):
        check(link(signature, temp_url_prefix="pre"), "GET", "AUTH_a", "c", "other", None,
              ["k"], [], NOW)


def test_disposition() -> None:
    grant = Grant("AUTH_a", None, 0, link("x"))
    assert disposition(grant, "dir/ü.txt") == \
        "attachment; filename=\"%C3%BC.txt\"; filename*=UTF-8''%C3%BC.txt"
    assert disposition(Grant("AUTH_a", None, 0, link("x", inline="")), "o") == "inline"
