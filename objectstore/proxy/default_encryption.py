"""A bucket's default encryption, as both APIs apply it: kept in the container's system
metadata (S3's PutBucketEncryption sets it: s3compat/bucket_encryption.py), read from
the container info the proxy holds anyway, so a write into a bucket without one pays a
dict lookup. A write that names no encryption of its own, through S3 or Swift, is
encrypted as the bucket says."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from objectstore import errors
from objectstore.crypto.keyring import Keyring
from objectstore.crypto.protection import SSE_KMS, SSE_S3, Protection
from objectstore.proxy.put_options import Encryption

SYSMETA = "x-container-sysmeta-s3-encryption"
KMS = "aws:kms"


@dataclass(frozen=True)
class BucketDefault:
    algorithm: str              # AES256 or aws:kms
    kms_key_id: str = ""
    bucket_key: bool = False

    def text(self) -> str:
        return json.dumps({"algorithm": self.algorithm, "kms_key_id": self.kms_key_id,
                           "bucket_key": self.bucket_key}, separators=(",", ":"))

    def encryption(self, default_kms_key: str = "") -> Encryption:
        if self.algorithm != KMS:
            return Encryption(Protection(SSE_S3))
        key_id = self.kms_key_id or default_kms_key
        if not key_id:
            raise errors.UnknownEncryptionKey("The bucket's default encryption is aws:kms "
                                              "without a key id, and this store has no "
                                              "default KMS key")
        return Encryption(Protection(SSE_KMS, key_id, bucket_key=self.bucket_key))


def bucket_default(container_sysmeta: Mapping[str, str]) -> BucketDefault | None:
    text = container_sysmeta.get(SYSMETA)
    if not text:
        return None
    try:
        doc = json.loads(text)
        return BucketDefault(str(doc["algorithm"]), str(doc.get("kms_key_id", "")),
                             bool(doc.get("bucket_key", False)))
    except (ValueError, KeyError, TypeError):
        raise errors.ServiceUnavailable("a bucket's encryption setting is damaged") from None


def default_kms_key(keyring: Keyring | None) -> str:
    """The KMS key of aws:kms without a key id ([kms] default_key; none: refused)."""
    return keyring.kms.default_key if keyring is not None and keyring.kms else ""


def default_encryption(container_sysmeta: Mapping[str, str], keyring: Keyring | None
                       ) -> Encryption | None:
    """How a write into the container that asks for no encryption is encrypted."""
    found = bucket_default(container_sysmeta)
    return None if found is None else found.encryption(default_kms_key(keyring))
