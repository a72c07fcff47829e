"""What protects an object, in the object's system metadata.

Two values, both set when the body is written:
- CRYPTO_SSE, the `Protection`: the kind (SSE-S3, SSE-KMS or SSE-C) and what the APIs
  show of it (the KMS key id and context, whether a bucket key was asked for, the MD5
  of the customer's key) plus, for SSE-C, a verifier of the customer's key (a salted
  HMAC: never the key itself, which the store does not keep). A multipart object's
  manifest carries it too, for its heads and the key check, but no body key.
- CRYPTO_BODY, the `Envelope`: the body's IV and its data key wrapped (keyring.py),
  only on an object whose stored bytes are ciphertext. Its presence is what makes a
  read decrypt.
And, in the footer (sent after the body: it is known only then), CRYPTO_ETAG, the
plaintext's MD5, which every encrypted object shows as its ETag, as RGW does (clients
check downloads against it, and S3 clients re-upload a part expecting the same ETag;
an MD5 is no plaintext, though it does tell equal bodies apart).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from objectstore import errors
from objectstore.node.wire import OBJECT_SYSMETA

CRYPTO_SSE = OBJECT_SYSMETA + "crypto-sse"
CRYPTO_BODY = OBJECT_SYSMETA + "crypto-body"
CRYPTO_ETAG = OBJECT_SYSMETA + "crypto-etag"
NAMES = (CRYPTO_SSE, CRYPTO_BODY, CRYPTO_ETAG)

SSE_S3, SSE_KMS, SSE_C = "s3", "kms", "c"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@dataclass(frozen=True)
class Protection:
    kind: str                       # SSE_S3, SSE_KMS or SSE_C
    kms_key_id: str = ""
    context: str = ""               # KMS encryption context: base64 of a JSON object
    bucket_key: bool = False        # S3 Bucket Keys asked for (shown; changes nothing)
    customer_key_md5: str = ""      # base64, as S3 shows it
    verifier: str = ""              # SSE-C: hex salt ":" hex HMAC-SHA256(key, salt)

    @classmethod
    def customer(cls, key: bytes) -> Protection:
        salt = os.urandom(16)
        return cls(SSE_C, customer_key_md5=_b64(hashlib.md5(key).digest()),
                   verifier=f"{salt.hex()}:{_mac(key, salt)}")

    def opens_with(self, key: bytes) -> bool:
        """Whether `key` is the customer key this object was written with."""
        salt, _, mac = self.verifier.partition(":")
        try:
            return hmac.compare_digest(_mac(key, bytes.fromhex(salt)), mac)
        except ValueError:
            return False

    def text(self) -> str:
        return json.dumps({k: v for k, v in asdict(self).items() if v},
                          separators=(",", ":"))

    @classmethod
    def parse(cls, text: str) -> Protection:
        try:
            doc = json.loads(text)
            found = cls(**doc)
        except (ValueError, TypeError):
            raise errors.ServiceUnavailable("an object's encryption metadata is "
                                            "damaged") from None
        return found


def _mac(key: bytes, salt: bytes) -> str:
    return hmac.new(key, b"objectstore sse-c verifier" + salt, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Envelope:
    key_id: str         # the master key (SSE-S3) or KMS key (SSE-KMS) that wrapped it
    iv: bytes
    wrapped: bytes

    def text(self) -> str:
        return json.dumps({"v": 1, "key": self.key_id, "iv": _b64(self.iv),
                           "wrapped": _b64(self.wrapped)}, separators=(",", ":"))

    @classmethod
    def parse(cls, text: str) -> Envelope:
        try:
            doc = json.loads(text)
            return cls(str(doc["key"]), base64.b64decode(doc["iv"]),
                       base64.b64decode(doc["wrapped"]))
        except (ValueError, KeyError, TypeError):
            raise errors.ServiceUnavailable("an object's encryption metadata is "
                                            "damaged") from None


def protection_of(headers: Mapping[str, str]) -> Protection | None:
    text = headers.get(CRYPTO_SSE)
    return Protection.parse(text) if text else None


@dataclass(frozen=True, slots=True)
class Encryption:
    """A write's request to encrypt its body as `protection` says (SSE-C: with the
    customer's key, which comes with every request and is never stored)."""

    protection: Protection
    customer_key: bytes | None = None


def kept_encryption(system: Mapping[str, str]) -> Encryption | None:
    """The encryption a copy of an object keeps when it asks for none: the source's
    SSE-S3 or SSE-KMS (a fresh data key, the same protection); not SSE-C, whose key is
    the reader's to give again."""
    found = protection_of(system)
    if found is None or found.kind == SSE_C:
        return None
    return Encryption(found)

