"""A Keystone user as the decision sees it (keystoneauth's rules), and `[keystone]`."""

from __future__ import annotations

import pytest

from objectstore.proxy.authorization import Access, Ask, Grants, Need, decide
from objectstore.proxy.keystone import KeystoneUser
from objectstore.proxy.keystone_settings import KeystoneSettings
from objectstore.proxy.swift_acl import AccountACL, ContainerACL

SETTINGS = KeystoneSettings("http://ks:5000/v3", "swift", "pw", "service")


def user(roles: set[str], domain: str = "default") -> KeystoneUser:
    return KeystoneUser("u1", "alice", domain, "p1", "red", domain, frozenset(roles))


# a read of an object in another project's account (p9), where the ACL under test applies
OTHER = Ask(Need.READ, "AUTH_p9", "c", "o")


def grants(read_acl: str) -> Grants:
    return Grants(read_acl=ContainerACL.parse(read_acl))


def test_an_operator_role_owns_the_projects_account_only() -> None:
    for role in ("admin", "swiftoperator"):
        who = user({role}).identity(SETTINGS)
        assert who.owns("AUTH_p1") and not who.owns("AUTH_p2") and not who.reseller
    member = user({"member"}).identity(SETTINGS)
    assert not member.owns("AUTH_p1")
    assert decide(member, Ask(Need.LIST, "AUTH_p1", "c"), Grants()) is Access.DENIED


def test_the_reseller_admin_role_owns_every_account() -> None:
    who = user({"reselleradmin"}).identity(SETTINGS)
    assert who.reseller and who.owns("AUTH_anyone")
    assert not who.owns(".s3-names")


@pytest.mark.parametrize("acl, allowed", [
    ("p1:u1", True), ("*:u1", True), ("p1:*", True), ("*:*", True), ("red:alice", True),
    ("p1:alice", True), ("red:u1", True), ("p2:u1", False), ("p1:u2", False),
    ("p1", False), ("alice", False), ("member", False)])
def test_acl_entries_name_project_and_user(acl: str, allowed: bool) -> None:
    who = user({"member"}).identity(SETTINGS)
    got = decide(who, OTHER, grants(acl))
    assert (got is Access.ALLOWED) is allowed


def test_names_count_only_in_the_default_domain() -> None:
    who = user({"member"}, domain="d42").identity(SETTINGS)
    assert decide(who, OTHER, grants("red:alice")) is Access.DENIED
    assert decide(who, OTHER, grants("p1:u1")) is Access.ALLOWED
    no_names = KeystoneSettings("http://ks/v3", "s", "p", "x", allow_names_in_acls=False)
    who = user({"member"}).identity(no_names)
    assert decide(who, OTHER, grants("red:alice")) is Access.DENIED


def test_a_role_in_an_acl_counts_in_the_users_own_project_only() -> None:
    who = user({"member", "auditor"}).identity(SETTINGS)
    own = Ask(Need.READ, "AUTH_p1", "c", "o")
    assert decide(who, own, grants("Auditor")) is Access.ALLOWED       # case-blind
    assert decide(who, OTHER, grants("auditor")) is Access.DENIED
    account_acl = Grants(account_acl=AccountACL(read_only=frozenset({"auditor"})))
    assert decide(who, own, account_acl) is Access.ALLOWED
    assert decide(who, OTHER, account_acl) is Access.DENIED


@pytest.mark.parametrize("table, message", [
    ({"url": "http://k/v3", "username": "s", "password": "p"}, "needs project"),
    ({"url": "http://k/v3", "username": "s", "password": "p", "project": "x",
      "region": "r1"}, "unknown keys: region"),
    ({"url": "http://k/v3", "username": "s", "password": "p", "project": "x",
      "reseller_prefix": "SERVICE_"}, "reseller_prefix must be AUTH_"),
    ({"url": "http://k/v3", "username": "s", "password": "p", "project": "x",
      "timeout": 0}, "timeout > 0")])
def test_a_bad_keystone_table_is_refused(table: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        KeystoneSettings.from_config(table)


def test_a_keystone_table_read() -> None:
    s = KeystoneSettings.from_config({
        "url": "http://k:5000/", "username": "s", "password": "p", "project": "service",
        "operator_roles": "Admin, SwiftOperator", "reseller_admin_role": "Reseller"})
    assert s.url == "http://k:5000/v3"
    assert s.operator_roles == {"admin", "swiftoperator"}
    assert s.reseller_admin_role == "reseller"
