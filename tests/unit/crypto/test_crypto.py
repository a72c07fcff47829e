"""The primitives of encryption at rest: CTR from any offset, sealed data keys that
open only under their own key and label, the key file's rotation, KMS key derivation,
the SSE-C verifier, and the commit stamp's footer."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from objectstore import errors
from objectstore.crypto import ciphers, keyfile
from objectstore.crypto.keyring import Keyring
from objectstore.crypto.kms import KmsConfigError, KmsKeys, KmsSettings, UnknownKmsKey
from objectstore.crypto.protection import SSE_KMS, SSE_S3, Envelope, Protection
from objectstore.node import commit_stamp
from objectstore.timestamps import Timestamp

KEY, IV = bytes(range(32)), bytes(range(16))


@given(st.binary(min_size=1, max_size=600), st.data())
def test_any_span_decrypts_alone(body: bytes, data: st.DataObject) -> None:
    cipher = ciphers.keystream_at(KEY, IV, 0).update(body)
    start = data.draw(st.integers(0, len(body) - 1))
    end = data.draw(st.integers(start + 1, len(body)))
    assert ciphers.keystream_at(KEY, IV, start).update(cipher[start:end]) == body[start:end]
    assert cipher != body or len(body) < 4


def test_the_counter_wraps_around_its_128_bits() -> None:
    top = b"\xff" * 16
    body = os.urandom(64)
    cipher = ciphers.keystream_at(KEY, top, 0).update(body)
    assert ciphers.keystream_at(KEY, top, 33).update(cipher[33:]) == body[33:]


def test_a_wrapped_key_opens_only_under_its_key_and_label() -> None:
    data_key = ciphers.new_key()
    wrapped = ciphers.wrap(KEY, data_key, b"label")
    assert ciphers.unwrap(KEY, wrapped, b"label") == data_key
    for kek, label in ((bytes(32), b"label"), (KEY, b"other")):
        with pytest.raises(ciphers.UnwrapError):
            ciphers.unwrap(kek, wrapped, label)


def test_rotation_adds_a_key_and_keeps_the_old(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    made = keyfile.create(path)
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(keyfile.KeyFileError):
        keyfile.create(path)                    # never overwritten
    assert keyfile.rotate(path) == "k2"
    after = keyfile.load(path)
    assert after.active == "k2" and after.keys["k1"] == made.keys["k1"]
    assert after.kms_root == made.kms_root
    path.write_text(json.dumps({"active": "k9", "keys": {}, "kms_root": "00"}))
    with pytest.raises(keyfile.KeyFileError):
        keyfile.load(path)


def test_objects_name_the_key_that_sealed_them(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    keyfile.create(path)
    keyring = Keyring(keyfile.MasterKeys(path), None)
    old = keyring.seal(Protection(SSE_S3), None)
    keyfile.rotate(path)
    keyring = Keyring(keyfile.MasterKeys(path), None)
    new = keyring.seal(Protection(SSE_S3), None)
    assert (old.envelope.key_id, new.envelope.key_id) == ("k1", "k2")
    assert keyring.open(Protection(SSE_S3), old.envelope, None) == old.data_key
    moved = Envelope("k2", old.envelope.iv, old.envelope.wrapped)
    with pytest.raises(errors.KeysUnavailable):
        keyring.open(Protection(SSE_S3), moved, None)


def test_kms_keys_derive_the_same_on_every_proxy_and_unknown_ids_are_refused() -> None:
    root = os.urandom(32)
    settings = KmsSettings.from_config({"kms": {"keys": ["a", "b"], "default_key": "a"}})
    one, two = KmsKeys(settings, lambda: root), KmsKeys(settings, lambda: root)
    assert one.get("a") == two.get("a") != one.get("b")
    with pytest.raises(UnknownKmsKey):
        one.get("c")
    keyring = Keyring(None, one)
    sealed = keyring.seal(Protection(SSE_KMS, "a", context="ctx"), None)
    with pytest.raises(errors.KeysUnavailable):       # another context: another label
        keyring.open(Protection(SSE_KMS, "a", context="other"), sealed.envelope, None)
    with pytest.raises(errors.UnknownEncryptionKey):
        keyring.seal(Protection(SSE_KMS, "c"), None)
    for bad in ({"kms": {"keys": "a"}}, {"kms": {"keys": {"a": "not base64!"}}},
                {"kms": {"keys": ["a"], "default_key": "b"}}, {"kms": []}):
        with pytest.raises(KmsConfigError):
            KmsSettings.from_config(bad)


def test_the_customer_key_verifier_knows_its_key_only() -> None:
    key = os.urandom(32)
    protection = Protection.customer(key)
    assert protection.opens_with(key) and not protection.opens_with(os.urandom(32))
    assert Protection.parse(protection.text()) == protection
    assert key.hex() not in protection.text()
    with pytest.raises(errors.EncryptionKeyRequired):
        Keyring(None, None).open(protection, Envelope("", IV, b"x" * 60), None)


def test_the_commit_stamp_carries_a_footer() -> None:
    ts = Timestamp.now()
    stamp = commit_stamp.encode(ts, "a" * 32, "b" * 16, {"x-object-sysmeta-crypto-etag": "c"})
    assert len(stamp) == commit_stamp.FOOTED_SIZE
    decoded = commit_stamp.decode(stamp)
    assert decoded.footer == {"x-object-sysmeta-crypto-etag": "c"}
    assert (decoded.timestamp, decoded.md5) == (ts, "a" * 32)
    for bad in (stamp[:commit_stamp.DIGEST_SIZE] + b"[1]".ljust(commit_stamp.FOOTER_SIZE),
                stamp[:commit_stamp.DIGEST_SIZE] + b"{".ljust(commit_stamp.FOOTER_SIZE)):
        with pytest.raises(errors.BadRequest):
            commit_stamp.decode(bad)
    with pytest.raises(ValueError):
        commit_stamp.encode(ts, "a" * 32, "b" * 16, {"x": "y" * 2000})
