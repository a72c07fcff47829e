"""The store's own keys: one JSON file beside the cluster secret, readable by its owner
only, that every proxy of the cluster is given (as it is given the secret).

    {"active": "k2", "keys": {"k1": "<64 hex>", "k2": "<64 hex>"}, "kms_root": "<64 hex>"}

SSE-S3 data keys are wrapped by the active key, and each object names the key that
wrapped its own: rotating adds a key and makes it active, and objects written before
stay readable under theirs (no key is ever removed by us). `kms_root` is what the
named keys of `[kms]` are derived from when the config gives no material for them
(crypto/kms.py); it never rotates.

`serve` and `cluster init` make the file; `objectstore keys rotate` adds a key. A
running proxy sees a rotation by the file's modification time (looked at no more than
every few seconds), without a restart.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from objectstore.crypto import ciphers
from objectstore.ring.files import write_atomic

FILE_NAME = "encryption-keys.json"
RECHECK_SECONDS = 5.0


class KeyFileError(Exception):
    """The key file is missing, unreadable, or lacks a key an object names."""


@dataclass(frozen=True)
class KeySet:
    active: str
    keys: dict[str, bytes]
    kms_root: bytes

    def to_json(self) -> bytes:
        return json.dumps({"active": self.active,
                           "keys": {k: v.hex() for k, v in self.keys.items()},
                           "kms_root": self.kms_root.hex()}, indent=1).encode()

    @classmethod
    def parse(cls, data: bytes, where: str) -> KeySet:
        try:
            doc = json.loads(data)
            keys = {str(k): bytes.fromhex(v) for k, v in doc["keys"].items()}
            found = cls(str(doc["active"]), keys, bytes.fromhex(doc["kms_root"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise KeyFileError(f"bad key file {where}: {exc!r}") from None
        if found.active not in keys or any(len(k) != ciphers.KEY_SIZE
                                           for k in [*keys.values(), found.kms_root]):
            raise KeyFileError(f"bad key file {where}: the active key is missing or a "
                               "key is not 32 bytes")
        return found


def create(path: Path) -> KeySet:
    """A new key file with one key (refuses to overwrite one: its keys open objects)."""
    if path.exists():
        raise KeyFileError(f"{path} exists already")
    made = KeySet("k1", {"k1": ciphers.new_key()}, ciphers.new_key())
    write_atomic(path, made.to_json(), mode=0o600)
    return made


def ensure(path: Path) -> None:
    """The key file of a data dir, made on first start."""
    if not path.exists():
        create(path)


def rotate(path: Path) -> str:
    """Add a key and make it the active one; returns its id. (Every proxy needs the new
    file before it writes with the key: copy it to all of them first.)"""
    current = load(path)
    number = 1 + max((int(k[1:]) for k in current.keys if k[1:].isdigit()), default=0)
    new_id = f"k{number}"
    rotated = KeySet(new_id, {**current.keys, new_id: ciphers.new_key()}, current.kms_root)
    write_atomic(path, rotated.to_json(), mode=0o600)
    return new_id


def load(path: Path) -> KeySet:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KeyFileError(f"cannot read key file {path}: {exc.strerror}") from None
    return KeySet.parse(data, str(path))


class MasterKeys:
    """The key file as a running proxy sees it, read again when it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._mtime = os.stat(path).st_mtime_ns
        self._keys = load(path)
        self._checked = time.monotonic()

    @property
    def current(self) -> KeySet:
        now = time.monotonic()
        if now - self._checked >= RECHECK_SECONDS:
            self._checked = now
            try:
                mtime = os.stat(self.path).st_mtime_ns
                if mtime != self._mtime:
                    self._keys, self._mtime = load(self.path), mtime
            except (OSError, KeyFileError):
                pass        # keep what we have: a half-copied file must not stop writes
        return self._keys

    def active(self) -> tuple[str, bytes]:
        keys = self.current
        return keys.active, keys.keys[keys.active]

    def get(self, key_id: str) -> bytes:
        found = self.current.keys.get(key_id)
        if found is None:
            raise KeyFileError(f"the key file {self.path} has no key {key_id!r} (an "
                               "object written after a rotation this proxy has not seen?)")
        return found
