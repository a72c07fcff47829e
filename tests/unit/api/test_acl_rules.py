"""ACL strings and access decisions as pure functions (Swift's own examples)."""

from __future__ import annotations

import pytest

from objectstore.api.access import Access, Asked, Principal, decide, principal_of
from objectstore.api.names import SwiftPath
from objectstore.api.tempauth import User
from objectstore.errors import BadRequest
from objectstore.proxy.swift_acl import AccountACL, ContainerACL, check_account_acl, clean


@pytest.mark.parametrize("value, cleaned", [
    ("bob, sue", "bob,sue"), ("bob , sue", "bob,sue"), ("bob,,,sue", "bob,sue"),
    (".referrer : *", ".r:*"), (".ref:*.example.com", ".r:.example.com"),
    (".r:*, .rlistings", ".r:*,.rlistings"), (".r:-thief.com", ".r:-thief.com"),
    ("", ""),
])
def test_clean_as_swift_does(value: str, cleaned: str) -> None:
    assert clean("x-container-read", value) == cleaned


@pytest.mark.parametrize("header, value", [
    ("x-container-read", ".r:"), ("x-container-read", ".r:-"),
    ("x-container-read", ".r:."), ("x-container-read", ".bad:x"),
    ("x-container-write", ".r:*"),
])
def test_malformed_acls_are_refused(header: str, value: str) -> None:
    with pytest.raises(BadRequest):
        clean(header, value)


@pytest.mark.parametrize("acl, referer, allowed", [
    (".r:*", None, True),
    (".r:.example.com", "http://www.example.com/x", True),
    (".r:.example.com", "http://example.org/", False),
    (".r:.example.com,.r:-thief.example.com", "https://thief.example.com/", False),
    (".r:*,.r:-.thief.com", "http://a.thief.com", False),
    (".r:*,.r:-.thief.com", "http://good.com", True),
    ("bob", "http://x.com", False),
])
def test_referrers_apply_in_order(acl: str, referer: str | None, allowed: bool) -> None:
    assert ContainerACL.parse(acl).referrer_allowed(referer) is allowed


def test_account_acls_are_checked_and_compacted() -> None:
    assert check_account_acl('{ "read-only" : ["a", "b:c"] }') == '{"read-only":["a","b:c"]}'
    for bad in ("x", "[]", '{"nope": []}', '{"admin": "a"}', '{"admin": [1]}'):
        with pytest.raises(BadRequest, match="X-Account-Access-Control invalid"):
            check_account_acl(bad)
    assert check_account_acl("{}") == check_account_acl('{"admin": []}') == ""
    assert not AccountACL.parse("garbage") and not AccountACL.parse(None)


def at(method: str, account: str, container: str | None = None,
       obj: str | None = None) -> Asked:
    return Asked(method, SwiftPath("v1", account, container, obj))


ADMIN = principal_of(User("a", "admin", "k", True))
READER = principal_of(User("a", "reader", "k", False))
OTHER = principal_of(User("b", "someone", "k", True))
RESELLER = principal_of(User("r", "root", "k", True, reseller_admin=True))
NOBODY = principal_of(None)
NONE = ContainerACL()


@pytest.mark.parametrize("who, asked, read, write, account, expected", [
    (ADMIN, at("DELETE", "AUTH_a", "c"), NONE, NONE, AccountACL(), Access.OWNER),
    (RESELLER, at("POST", "AUTH_a"), NONE, NONE, AccountACL(), Access.OWNER),
    (READER, at("GET", "AUTH_a", "c", "o"), NONE, NONE, AccountACL(), Access.DENIED),
    (OTHER, at("GET", "AUTH_a", "c", "o"), ContainerACL.parse("b"), NONE, AccountACL(),
     Access.ALLOWED),
    (OTHER, at("GET", "AUTH_a", "c"), ContainerACL.parse("b:someone"), NONE,
     AccountACL(), Access.ALLOWED),
    (OTHER, at("PUT", "AUTH_a", "c", "o"), ContainerACL.parse("b"), NONE, AccountACL(),
     Access.DENIED),
    (OTHER, at("PUT", "AUTH_a", "c", "o"), NONE, ContainerACL.parse("b"), AccountACL(),
     Access.ALLOWED),
    (OTHER, at("POST", "AUTH_a", "c"), NONE, ContainerACL.parse("b"), AccountACL(),
     Access.DENIED),
    (NOBODY, at("GET", "AUTH_a", "c", "o"), ContainerACL.parse(".r:*"), NONE,
     AccountACL(), Access.ALLOWED),
    (NOBODY, at("GET", "AUTH_a", "c"), ContainerACL.parse(".r:*"), NONE, AccountACL(),
     Access.DENIED),
    (NOBODY, at("GET", "AUTH_a", "c"), ContainerACL.parse(".r:*,.rlistings"), NONE,
     AccountACL(), Access.ALLOWED),
    (OTHER, at("GET", "AUTH_a"), NONE, NONE, AccountACL(read_only=frozenset({"b"})),
     Access.ALLOWED),
    (OTHER, at("PUT", "AUTH_a", "c", "o"), NONE, NONE,
     AccountACL(read_only=frozenset({"b"})), Access.DENIED),
    (OTHER, at("PUT", "AUTH_a", "c"), NONE, NONE,
     AccountACL(read_write=frozenset({"b"})), Access.ALLOWED),
    (OTHER, at("POST", "AUTH_a"), NONE, NONE, AccountACL(read_write=frozenset({"b"})),
     Access.DENIED),
    (OTHER, at("POST", "AUTH_a"), NONE, NONE, AccountACL(admin=frozenset({"b:someone"})),
     Access.OWNER),
])
def test_decide(who: Principal, asked: Asked, read: ContainerACL, write: ContainerACL,
                account: AccountACL, expected: Access) -> None:
    assert decide(who, asked, read, write, account) is expected
