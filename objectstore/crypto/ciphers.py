"""The two primitives encryption at rest uses, both from OpenSSL through `cryptography`.

Bodies: AES-256 in counter mode. Ciphertext is as long as the plaintext and any byte
of it can be decrypted alone (the counter of byte n is the IV plus n // 16), so a
range read decrypts just the bytes it asked the node for, and sizes, listings and
ranges stay as they are. CTR adds no integrity of its own: the nodes keep their MD5
and xxh3 of what they store (the auditor checks it), and every data key is used for
one object version only, so no keystream is ever reused.

Data keys: wrapped with AES-256-GCM under a key-encrypting key, bound to a label (its
associated data): unwrapping with the wrong key, or a wrapped key moved to another
purpose, fails instead of yielding garbage.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, CipherContext, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_SIZE = 32       # AES-256
IV_SIZE = 16
BLOCK = 16
_NONCE = 12
_COUNTERS = 1 << 128


class UnwrapError(Exception):
    """A wrapped key did not open under the key given (the wrong key, or damage)."""


def new_key() -> bytes:
    return os.urandom(KEY_SIZE)


def new_iv() -> bytes:
    return os.urandom(IV_SIZE)


def keystream_at(key: bytes, iv: bytes, offset: int) -> CipherContext:
    """A CTR context positioned at byte `offset` of the body (encrypting and
    decrypting are the same operation)."""
    block, skip = divmod(offset, BLOCK)
    counter = ((int.from_bytes(iv, "big") + block) % _COUNTERS).to_bytes(IV_SIZE, "big")
    context = Cipher(algorithms.AES(key), modes.CTR(counter)).encryptor()
    if skip:
        context.update(bytes(skip))
    return context


def wrap(kek: bytes, data_key: bytes, label: bytes) -> bytes:
    nonce = os.urandom(_NONCE)
    return nonce + AESGCM(kek).encrypt(nonce, data_key, label)


def unwrap(kek: bytes, wrapped: bytes, label: bytes) -> bytes:
    try:
        return AESGCM(kek).decrypt(wrapped[:_NONCE], wrapped[_NONCE:], label)
    except (InvalidTag, ValueError):
        raise UnwrapError("the key does not open this object's data key") from None
