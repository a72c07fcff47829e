"""Reading an encrypted object: its data key opened (before any byte is read, so a
missing or wrong key is an error status, not a broken body), then its ciphertext
decrypted as it streams, from whatever offset the read starts at."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

from objectstore import errors
from objectstore.crypto import ciphers
from objectstore.crypto.keyring import Keyring
from objectstore.crypto.protection import CRYPTO_BODY, Envelope, protection_of


def body_key(headers: Mapping[str, str], keyring: Keyring | None,
             customer_key: bytes | None) -> tuple[bytes, bytes] | None:
    """(data key, IV) of an encrypted object's body; None for a plain one."""
    text = headers.get(CRYPTO_BODY)
    if text is None:
        return None
    protection = protection_of(headers)
    if protection is None:
        raise errors.ServiceUnavailable("an encrypted object without its protection")
    if keyring is None:
        raise errors.KeysUnavailable("this proxy has no encryption keys")
    envelope = Envelope.parse(text)
    return keyring.open(protection, envelope, customer_key), envelope.iv


def decrypt_bytes(data: bytes, key: tuple[bytes, bytes], offset: int) -> bytes:
    return ciphers.keystream_at(key[0], key[1], offset).update(data)


async def decrypt_body(body: AsyncIterator[bytes], key: tuple[bytes, bytes], offset: int
                       ) -> AsyncIterator[bytes]:
    cipher = ciphers.keystream_at(key[0], key[1], offset)
    async for chunk in body:
        yield cipher.update(chunk)
