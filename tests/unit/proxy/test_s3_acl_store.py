"""An ACL kept in system metadata (proxy/s3_acl_store.py): compact, bounded, and a value
that does not decode is our failure, never read as some other ACL."""

from __future__ import annotations

import json

import pytest

from objectstore.proxy.s3_acl import ACL, MAX_GRANTS, CanonicalUser, Grant, Group, Owner, Permission
from objectstore.proxy.s3_acl_errors import CorruptStoredAcl, MalformedAcl
from objectstore.proxy.s3_acl_headers import canned
from objectstore.proxy.s3_acl_store import CONTAINER_ACL, MAX_ENCODED, OBJECT_ACL, decode, encode

MAIN = Owner("test")


def test_the_encoding_is_compact_json() -> None:
    acl = canned("public-read", MAIN, MAIN)
    text = encode(acl)
    assert json.loads(text) == {"o": "test", "g": [["g", "AllUsers", "READ"],
                                                   ["u", "test", "FULL_CONTROL"]]}
    assert " " not in text and decode(text) == acl


def test_a_display_name_of_its_own_is_kept() -> None:
    acl = ACL(Owner("id1", "Someone"), ())
    assert decode(encode(acl)) == acl and json.loads(encode(acl))["n"] == "Someone"


def test_the_header_names_are_system_metadata() -> None:
    assert CONTAINER_ACL.startswith("x-container-sysmeta-")
    assert OBJECT_ACL.startswith("x-object-sysmeta-")


def test_non_ascii_ids_encode_as_ascii_header_values() -> None:
    acl = ACL(Owner("tëst"), (Grant(CanonicalUser("ünïcode"), Permission.READ),))
    text = encode(acl)
    assert text.isascii() and decode(text) == acl


def test_100_grants_to_long_ids_fit_and_more_bytes_are_refused() -> None:
    grants = tuple(Grant(CanonicalUser(f"{i:03d}" + "a" * 97), Permission.READ)
                   for i in range(MAX_GRANTS))
    assert len(encode(ACL(MAIN, grants))) <= MAX_ENCODED
    huge = tuple(Grant(CanonicalUser(f"{i:03d}" + "a" * 200), Permission.READ)
                 for i in range(MAX_GRANTS))
    with pytest.raises(MalformedAcl, match="too large"):
        encode(ACL(MAIN, huge))


@pytest.mark.parametrize("text", [
    "", "null", "[]", '{"o":"test"}', '{"o":"test","g":[["x","test","READ"]]}',
    '{"o":"test","g":[["u","test","EVERYTHING"]]}', '{"o":"test","g":[["g","Nobody","READ"]]}',
    '{"o":"test","g":[["u","test"]]}', '{"g":[]}', "{not json"])
def test_a_value_that_does_not_decode_is_corrupt(text: str) -> None:
    with pytest.raises(CorruptStoredAcl):
        decode(text)


def test_groups_round_trip() -> None:
    acl = ACL(MAIN, tuple(Grant(g, p) for g in Group for p in Permission))
    assert decode(encode(acl)) == acl
