"""Encryption at rest as a proxy is configured for it: the key file (`[encryption]
key_file`, beside the config: serve's is in its data dir) and the named KMS keys of
`[kms]` (crypto/kms.py). Read by `serve` and `proxy`."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from objectstore.cli.errors import CommandError
from objectstore.crypto import keyfile
from objectstore.crypto.keyring import Keyring
from objectstore.crypto.kms import KmsConfigError, KmsKeys, KmsSettings


def kms_of(doc: dict[str, Any]) -> KmsSettings:
    try:
        return KmsSettings.from_config(doc)
    except KmsConfigError as exc:
        raise CommandError(f"bad [kms]: {exc}") from None


def key_file_of(doc: dict[str, Any], base: Path) -> Path:
    """`[encryption] key_file`, relative to the config's directory."""
    name = doc.get("encryption", {}).get("key_file", keyfile.FILE_NAME)
    if not isinstance(name, str) or not name:
        raise CommandError("[encryption] key_file must be a file name")
    return base / name


def load_kms(config: Path | None) -> KmsSettings:
    if config is None:
        return KmsSettings()
    with open(config, "rb") as f:
        return kms_of(tomllib.load(f))


def keyring_of(key_file: Path, kms: KmsSettings) -> Keyring | None:
    """The proxy's keys; None when its key file is missing (an older cluster: every
    encrypted write is then refused, clearly, until `objectstore keys rotate` makes
    one and it is copied to every proxy)."""
    if not key_file.exists():
        return None
    try:
        master = keyfile.MasterKeys(key_file)
    except keyfile.KeyFileError as exc:
        raise CommandError(str(exc)) from None
    return Keyring(master, KmsKeys(kms, lambda: master.current.kms_root))
