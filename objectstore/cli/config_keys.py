"""Every table and key a config file may have, so that one we do not read is named in a
warning at start instead of being silently ignored (a misspelt `day_second` would
otherwise leave the default in force without a word)."""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from objectstore.proxy.keystone_settings import KNOWN as KEYSTONE_KEYS
from objectstore.usage.settings import KEYS as USAGE_KEYS

log = logging.getLogger(__name__)

USER_KEYS = frozenset({"account", "user", "key", "admin", "access_key", "reseller_admin",
                       "email"})
TABLES: Mapping[str, frozenset[str]] = {
    "users": USER_KEYS,                                    # an array of tables
    "lifecycle": frozenset({"day_seconds", "actions_per_second"}),
    "keystone": KEYSTONE_KEYS,
    "s3": frozenset({"domains"}),
    "expirer": frozenset({"interval", "delay_reaping", "allow_open_expired"}),
    "bucket_logging": frozenset({"roll_seconds", "idle_seconds"}),
    "tempauth": frozenset({"token_life"}),
    "proxy": frozenset({"host", "port", "ring", "node_connect_timeout", "node_read_timeout",
                        "ring_check_interval", "post_quorum_grace", "error_limit",
                        "error_window", "error_suppression"}),
    "node": frozenset({"devices", "host", "port", "connect_timeout", "read_timeout", "ring",
                       "reserve_bytes"}),
    "cluster": frozenset({"secret", "secret_file", "hash_prefix", "hash_suffix"}),
    "encryption": frozenset({"key_file"}),
    "kms": frozenset({"keys", "default_key"}),
    "metrics": frozenset({"allow", "token"}),
    "usage": USAGE_KEYS,
}
# Tables only the processes of a cluster read (`cluster init` writes them): `serve` makes
# its own ring, secret, nodes and key file in its data dir, so in its config one of these
# would change nothing. What it is read by, for the warning:
NOT_READ_BY_SERVE: Mapping[str, str] = {
    "proxy": "objectstore proxy",
    "node": "objectstore node and its daemons",
    "cluster": "objectstore proxy, node and the daemons",
    "encryption": "objectstore proxy (serve's key file is in its data dir)",
}


def unknown_keys(doc: Mapping[str, Any]) -> list[str]:
    """What `doc` has that nothing reads: `[table]`, `[table] key`, `[[users]] #n key`."""
    found = []
    for name, value in doc.items():
        known = TABLES.get(name)
        if known is None:
            found.append(f"[{name}]")
            continue
        tables = value if isinstance(value, list) else [value]
        for n, table in enumerate(tables, 1):
            if not isinstance(table, dict):
                continue
            where = f"[[{name}]] #{n}" if isinstance(value, list) else f"[{name}]"
            found += [f"{where} {key}" for key in table if key not in known]
    return found


def unread_by_serve(doc: Mapping[str, Any]) -> list[str]:
    """The tables of `doc` that `serve` does not read, with what reads them."""
    return [f"[{name}] is read by {reader}, not by serve"
            for name, reader in NOT_READ_BY_SERVE.items() if name in doc]


def warn_unknown(path: Path | None, *, serve: bool = False) -> None:
    """Log a warning naming each table and key of the config file that is not used
    (the file itself was read, and checked, by the loaders already); for `serve`, also
    each table only a cluster's processes read."""
    if path is None:
        return
    try:
        with open(path, "rb") as f:
            doc = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError):
        return                      # the loaders report it
    for item in unknown_keys(doc):
        log.warning("config %s: %s is not a setting of this version (ignored)", path, item)
    for item in unread_by_serve(doc) if serve else []:
        log.warning("config %s: %s (ignored)", path, item)
