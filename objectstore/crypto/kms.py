"""SSE-KMS's named keys: a local key store, configured in `[kms]`.

    [kms]
    keys = ["app-1", "app-2"]      # ids; each key derived from the key file's kms_root
    default_key = "app-1"          # for aws:kms without a key id (none: that is refused)

or, to give the material itself (base64 of 32 bytes), a table:

    [kms.keys]
    app-1 = "q0i0...="

A derived key is HKDF-SHA256 of the key file's kms_root with the id as its info, so
every proxy with the same key file has the same keys without sharing more. A key id
not configured is refused on write (KMS.NotFoundException); an object names its key, so
it stays readable as long as that id is configured.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from objectstore.crypto import ciphers


class KmsConfigError(ValueError):
    pass


class UnknownKmsKey(Exception):
    """A key id the store's [kms] does not have."""


def derived(root: bytes, key_id: str) -> bytes:
    return HKDF(hashes.SHA256(), ciphers.KEY_SIZE, b"objectstore-kms",
                key_id.encode()).derive(root)


@dataclass(frozen=True)
class KmsSettings:
    """`[kms]` as read from the config: ids derived from the root, ids with material."""

    derived_ids: tuple[str, ...] = ()
    material: Mapping[str, bytes] = field(default_factory=dict)
    default_key: str = ""

    @classmethod
    def from_config(cls, doc: Mapping[str, Any]) -> KmsSettings:
        section = doc.get("kms", {})
        if not isinstance(section, dict):
            raise KmsConfigError("[kms] must be a table")
        keys = section.get("keys", [])
        default = section.get("default_key", "")
        if isinstance(keys, list):
            if not all(isinstance(k, str) and k for k in keys):
                raise KmsConfigError("[kms] keys must be a list of key ids")
            found = cls(derived_ids=tuple(keys), default_key=default)
        elif isinstance(keys, dict):
            material = {}
            for key_id, text in keys.items():
                try:
                    raw = base64.b64decode(str(text), validate=True)
                except binascii.Error:
                    raise KmsConfigError(f"[kms.keys] {key_id}: not base64") from None
                if len(raw) != ciphers.KEY_SIZE:
                    raise KmsConfigError(f"[kms.keys] {key_id}: not 32 bytes")
                material[key_id] = raw
            found = cls(material=material, default_key=default)
        else:
            raise KmsConfigError("[kms] keys must be a list of ids or a table")
        if not isinstance(default, str) or (default and default not in found.ids):
            raise KmsConfigError(f"[kms] default_key {default!r} is not one of the keys")
        return found

    @property
    def ids(self) -> set[str]:
        return {*self.derived_ids, *self.material}


class KmsKeys:
    """The configured keys, by id (the root comes from the key file, which rotates
    nothing of it: see keyfile.py)."""

    def __init__(self, settings: KmsSettings, root: Callable[[], bytes]) -> None:
        self.settings = settings
        self._root = root
        self._cache: dict[str, bytes] = dict(settings.material)

    @property
    def default_key(self) -> str:
        return self.settings.default_key

    def get(self, key_id: str) -> bytes:
        found = self._cache.get(key_id)
        if found is None:
            if key_id not in self.settings.derived_ids:
                raise UnknownKmsKey(key_id)
            found = self._cache[key_id] = derived(self._root(), key_id)
        return found
