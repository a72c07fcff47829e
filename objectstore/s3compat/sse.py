"""S3's server-side encryption headers: what a write asks for (SSE-S3, SSE-KMS, SSE-C,
or the bucket's default), what a read of an SSE-C object must bring (the same key),
and what every answer about an encrypted object says of it.

The refusals are S3's: conflicting or incomplete headers are InvalidArgument, a
customer key whose MD5 does not match is InvalidArgument, an SSE-C object read without
its key (or with another) is 400, and the encryption headers of a write sent with a
read are InvalidArgument (S3 takes them on writes only).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping

from objectstore.crypto.keyring import Keyring
from objectstore.crypto.protection import SSE_C, SSE_KMS, SSE_S3, Protection, protection_of
from objectstore.proxy.default_encryption import BucketDefault, default_kms_key
from objectstore.proxy.put_options import Encryption
from objectstore.s3compat import s3errors

SSE = "x-amz-server-side-encryption"
KMS_KEY = SSE + "-aws-kms-key-id"
CONTEXT = SSE + "-context"
BUCKET_KEY = SSE + "-bucket-key-enabled"
CUSTOMER = SSE + "-customer-"                   # -algorithm, -key, -key-md5
COPY_CUSTOMER = "x-amz-copy-source-server-side-encryption-customer-"
AES256, KMS, DSSE = "AES256", "aws:kms", "aws:kms:dsse"


def customer_key(headers: Mapping[str, str], prefix: str = CUSTOMER) -> bytes | None:
    """The customer's key an SSE-C request brings (`prefix`: the copy source's
    headers for a copy's source), checked against its MD5; None without one."""
    algorithm = headers.get(prefix + "algorithm")
    key, md5 = headers.get(prefix + "key"), headers.get(prefix + "key-md5")
    if algorithm is None and key is None and md5 is None:
        return None
    asked = "Requests specifying Server Side Encryption with Customer provided keys must "
    if algorithm is None:
        raise s3errors.InvalidArgument(asked + "provide a valid encryption algorithm.")
    if algorithm.strip() != AES256:
        raise s3errors.InvalidEncryptionAlgorithmError(
            "The encryption request you specified is not valid. Supported value: AES256.")
    if not key:
        raise s3errors.InvalidArgument(asked + "provide an appropriate secret key.")
    try:
        raw = base64.b64decode(key.strip(), validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) != 32:
        raise s3errors.InvalidArgument("The secret key was invalid for the specified "
                                       "algorithm.")
    if not md5:
        raise s3errors.InvalidArgument(asked + "provide the client calculated MD5 of the "
                                       "secret key.")
    if md5.strip() != base64.b64encode(hashlib.md5(raw).digest()).decode():
        raise s3errors.InvalidArgument("The calculated MD5 hash of the key did not match "
                                       "the hash that was provided.")
    return raw


def _context(value: str | None) -> str:
    """An encryption context: base64 of a JSON object of strings, kept as sent."""
    if value is None:
        return ""
    try:
        doc = json.loads(base64.b64decode(value.strip(), validate=True))
    except (binascii.Error, ValueError):
        doc = None
    if not isinstance(doc, dict) or not all(isinstance(v, str) for v in doc.values()):
        raise s3errors.InvalidArgument("The encryption context must be base64 of a JSON "
                                       "object of string values.")
    return value.strip()


def _flag(value: str | None) -> bool:
    if value is None:
        return False
    if value.strip().lower() not in ("true", "false"):
        raise s3errors.InvalidArgument(f"{BUCKET_KEY} must be true or false")
    return value.strip().lower() == "true"


def requested(headers: Mapping[str, str], default: BucketDefault | None = None,
              keyring: Keyring | None = None) -> Encryption | None:
    """The encryption a write asks for (PutObject, CopyObject's destination,
    CreateMultipartUpload, a POST form's fields), or the bucket's default; None: none."""
    method = headers.get(SSE)
    key = customer_key(headers)
    kms_key, context = headers.get(KMS_KEY), headers.get(CONTEXT)
    bucket_key = _flag(headers.get(BUCKET_KEY))
    if method is not None:
        method = method.strip()
        if method not in (AES256, KMS, DSSE):
            raise s3errors.InvalidArgument("The encryption method specified is not "
                                           "supported")
        if key is not None:
            raise s3errors.InvalidArgument("Server Side Encryption with Customer provided "
                                           "key is incompatible with the encryption method "
                                           "specified")
        if method == DSSE:
            raise s3errors.not_implemented("Dual-layer server-side encryption "
                                           "(aws:kms:dsse)")
    if (kms_key is not None or context is not None) and method != KMS:
        raise s3errors.InvalidArgument("Server Side Encryption with AWS KMS managed key "
                                       f"requires HTTP header {SSE} : {KMS}")
    if key is not None:
        return Encryption(Protection.customer(key), key)
    if method == AES256:
        return Encryption(Protection(SSE_S3))
    if method == KMS:
        return kms(kms_key or default_kms_key(keyring), _context(context), bucket_key)
    return None if default is None else default.encryption(default_kms_key(keyring))


def kms(key_id: str, context: str = "", bucket_key: bool = False) -> Encryption:
    if not key_id.strip():
        raise s3errors.InvalidArgument("aws:kms needs a key id "
                                       f"({KMS_KEY}): this store has no default KMS key")
    return Encryption(Protection(SSE_KMS, key_id.strip(), context, bucket_key))


def refuse_on_read(headers: Mapping[str, str]) -> None:
    """GetObject, HeadObject, GetObjectAttributes: S3 takes SSE-S3/KMS headers on
    writes only."""
    for name in (SSE, KMS_KEY, CONTEXT):
        if name in headers:
            raise s3errors.InvalidArgument(f"{name} header is not supported for this "
                                           "operation.")


def unlock(protection: Protection | None, headers: Mapping[str, str],
           prefix: str = CUSTOMER) -> bytes | None:
    """The customer key a read of an object protected by `protection` brings: an
    SSE-C object needs its own key (400 without it or with another); any other refuses
    SSE-C headers, as S3 does."""
    key = customer_key(headers, prefix)
    if protection is None or protection.kind != SSE_C:
        if key is not None:
            raise s3errors.InvalidRequest("The encryption parameters are not applicable "
                                          "to this object.")
        return None
    if key is None:
        raise s3errors.InvalidRequest("The object was stored using a form of Server Side "
                                      "Encryption. The correct parameters must be provided "
                                      "to retrieve the object.")
    if not protection.opens_with(key):
        raise s3errors.InvalidRequest("The provided customer key does not match the key "
                                      "the object was stored with.")
    return key


def answer_headers(protection: Protection | None) -> dict[str, str]:
    """What an answer about an object (or an upload) says of its encryption."""
    if protection is None:
        return {}
    if protection.kind == SSE_C:
        return {CUSTOMER + "algorithm": AES256,
                CUSTOMER + "key-md5": protection.customer_key_md5}
    if protection.kind == SSE_KMS:
        out = {SSE: KMS, KMS_KEY: protection.kms_key_id}
        if protection.context:
            out[CONTEXT] = protection.context
        if protection.bucket_key:
            out[BUCKET_KEY] = "true"
        return out
    return {SSE: AES256}


def object_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """answer_headers of a stored object, from its headers."""
    return answer_headers(protection_of(headers))
