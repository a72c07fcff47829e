"""Sealing and opening data keys: which key-encrypting key each kind of protection
uses, and the label its wrapped data key is bound to.

- SSE-S3: the key file's active master key (the envelope names it, for rotation).
- SSE-KMS: the named KMS key; the label includes the encryption context, so a data key
  opens only under the context it was sealed with.
- SSE-C: the customer's own key, given with every request (never stored).
"""

from __future__ import annotations

from dataclasses import dataclass

from objectstore import errors
from objectstore.crypto import ciphers
from objectstore.crypto.keyfile import KeyFileError, MasterKeys
from objectstore.crypto.kms import KmsKeys, UnknownKmsKey
from objectstore.crypto.protection import SSE_C, SSE_KMS, SSE_S3, Envelope, Protection


@dataclass(frozen=True)
class Sealed:
    data_key: bytes
    envelope: Envelope


def _label(protection: Protection, key_id: str) -> bytes:
    extra = protection.context if protection.kind == SSE_KMS else ""
    return f"objectstore {protection.kind} {key_id} {extra}".encode()


class Keyring:
    def __init__(self, master: MasterKeys | None, kms: KmsKeys | None) -> None:
        self.master = master
        self.kms = kms

    def check(self, protection: Protection) -> None:
        """Refuse, before any byte is read, a write this proxy cannot seal (an SSE-C
        write brings its key itself)."""
        if protection.kind != SSE_C:
            self._kek(protection, None, for_write=True)

    def seal(self, protection: Protection, customer_key: bytes | None) -> Sealed:
        key_id, kek = self._kek(protection, customer_key, for_write=True)
        data_key = ciphers.new_key()
        wrapped = ciphers.wrap(kek, data_key, _label(protection, key_id))
        return Sealed(data_key, Envelope(key_id, ciphers.new_iv(), wrapped))

    def open(self, protection: Protection, envelope: Envelope,
             customer_key: bytes | None) -> bytes:
        _, kek = self._kek(protection, customer_key, key_id=envelope.key_id)
        try:
            return ciphers.unwrap(kek, envelope.wrapped, _label(protection, envelope.key_id))
        except ciphers.UnwrapError:
            if protection.kind == SSE_C:
                raise errors.EncryptionKeyRequired(
                    "The provided customer key does not open this object.") from None
            raise errors.KeysUnavailable(f"key {envelope.key_id!r} does not open an "
                                         "object's data key") from None

    def _kek(self, protection: Protection, customer_key: bytes | None,
             for_write: bool = False, key_id: str = "") -> tuple[str, bytes]:
        if protection.kind == SSE_C:
            if customer_key is None:
                raise errors.EncryptionKeyRequired(
                    "The object was stored using a form of Server Side Encryption. The "
                    "correct parameters must be provided to retrieve the object.")
            if not for_write and not protection.opens_with(customer_key):
                raise errors.EncryptionKeyRequired(
                    "The provided customer key does not open this object.")
            return "", customer_key
        if protection.kind == SSE_KMS:
            if self.kms is None:
                raise errors.UnknownEncryptionKey("This store has no KMS keys ([kms]).")
            try:
                return protection.kms_key_id, self.kms.get(protection.kms_key_id)
            except UnknownKmsKey:
                raise errors.UnknownEncryptionKey(
                    f"Invalid keyId {protection.kms_key_id}") from None
            except KeyFileError as exc:
                raise errors.KeysUnavailable(str(exc)) from None
        if protection.kind == SSE_S3:
            if self.master is None:
                raise errors.KeysUnavailable("this proxy has no key file")
            try:
                return self.master.active() if for_write else \
                    (key_id, self.master.get(key_id))
            except KeyFileError as exc:
                raise errors.KeysUnavailable(str(exc)) from None
        raise errors.KeysUnavailable(f"unknown protection {protection.kind!r}")
