"""Config files of a cluster of separate processes (TOML), written by `cluster init`
and read by `objectstore node` / `objectstore proxy`.

    DIR/secret            the cluster secret (hex), readable by the owner only
    DIR/encryption-keys.json  the keys of encryption at rest, the owner's only
    DIR/object.builder    the ring builder, DIR/object.ring the ring
    DIR/node<i>.toml      [node] host, port, devices; [cluster] secret_file, hash_prefix
    DIR/proxy.toml        [proxy] host, port, ring, timeouts; [cluster] ...; [[users]]
    DIR/node<i>/d<i>/     node i's device
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from objectstore.api.tempauth import DEFAULT_TOKEN_LIFE, DEFAULT_USERS, User, token_life_of
from objectstore.cli.encryption_settings import key_file_of, kms_of
from objectstore.cli.errors import CommandError
from objectstore.cli.expirer_settings import ExpirerSettings, expirer_of
from objectstore.cli.lifecycle_settings import day_seconds_of
from objectstore.cli.setting_values import log_timing
from objectstore.cli.usage_settings import usage_of
from objectstore.crypto.kms import KmsSettings
from objectstore.metrics.access import MetricsSettings
from objectstore.node.config import NodeConfig
from objectstore.proxy.core import ProxySettings
from objectstore.proxy.keystone_settings import KeystoneSettings
from objectstore.proxy.lifecycle_rules import DAY
from objectstore.ring import PathHasher
from objectstore.usage.settings import UsageSettings


@dataclass(frozen=True)
class ProxyConfig:
    host: str
    port: int
    ring: Path
    secret: bytes
    hash_prefix: str
    settings: ProxySettings
    users: tuple[User, ...]
    s3_domains: tuple[str, ...] = ("localhost",)
    token_life: int = DEFAULT_TOKEN_LIFE
    day_seconds: float = DAY                # [lifecycle] day_seconds
    keystone: KeystoneSettings | None = None   # [keystone]
    expiry: ExpirerSettings = field(default_factory=ExpirerSettings)   # [expirer]
    log_timing: tuple[float, float] = (5.0, 60.0)   # [bucket_logging] roll, idle seconds
    key_file: Path | None = None                    # [encryption] key_file
    kms: KmsSettings = field(default_factory=KmsSettings)   # [kms]
    metrics: MetricsSettings = field(default_factory=MetricsSettings)   # [metrics]
    usage: UsageSettings = field(default_factory=UsageSettings)   # [usage]
    hash_suffix: str = ""          # [cluster]: with hash_prefix, as every node has them

    def hasher(self) -> PathHasher:
        """Where names land on the ring: the nodes' own (a different salt would put
        the proxy's reads and writes on other partitions than the replicators keep)."""
        return PathHasher(self.hash_prefix, self.hash_suffix)


def _load(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except OSError as exc:
        raise CommandError(f"cannot read config {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CommandError(f"bad config {path}: {exc}") from None


def _secret(cluster: dict[str, Any], base: Path) -> bytes:
    if "secret" in cluster:
        return bytes.fromhex(cluster["secret"])
    path = base / cluster["secret_file"]
    return bytes.fromhex(path.read_text().strip())


def load_node_config(path: Path) -> NodeConfig:
    doc = _load(path)
    try:
        node, cluster = doc["node"], doc["cluster"]
        return NodeConfig(devices=path.parent / node["devices"],
                          secret=_secret(cluster, path.parent),
                          hash_prefix=cluster.get("hash_prefix", ""),
                          hash_suffix=cluster.get("hash_suffix", ""),
                          host=node.get("host", "127.0.0.1"), port=int(node["port"]),
                          connect_timeout=float(node.get("connect_timeout", 2.0)),
                          read_timeout=float(node.get("read_timeout", 10.0)),
                          ring=path.parent / node.get("ring", "object.ring"),
                          reserve_bytes=int(node.get("reserve_bytes", 16 * 1024 * 1024)))
    except (KeyError, ValueError, TypeError) as exc:
        raise CommandError(f"bad node config {path}: {exc!r}") from None


def load_cluster_access(path: Path) -> tuple[bytes, Path]:
    """The cluster secret and the ring file named by a node or a proxy config."""
    doc = _load(path)
    try:
        section = doc.get("proxy") or doc["node"]
        return _secret(doc["cluster"], path.parent), path.parent / section.get(
            "ring", "object.ring")
    except (KeyError, ValueError, TypeError, OSError) as exc:
        raise CommandError(f"bad config {path}: {exc!r}") from None


def admin_from_env(environ: dict[str, str]) -> User | None:
    """$OBJECTSTORE_ADMIN_USER (`account:user`) and $OBJECTSTORE_ADMIN_KEY: one admin
    that replaces the config's users (how a container is given its credentials)."""
    name, key = environ.get("OBJECTSTORE_ADMIN_USER"), environ.get("OBJECTSTORE_ADMIN_KEY")
    if not name and not key:
        return None
    account, _, user = (name or "").partition(":")
    if not account or not user or not key:
        raise CommandError("OBJECTSTORE_ADMIN_USER must be account:user and "
                           "OBJECTSTORE_ADMIN_KEY a key (both, or neither)")
    return User(account, user, key, True)


def load_proxy_config(path: Path, environ: dict[str, str] | None = None) -> ProxyConfig:
    """The proxy's config file; an admin named in `environ` replaces its users."""
    doc = _load(path)
    admin = admin_from_env(environ or {})
    try:
        proxy, cluster = doc["proxy"], doc["cluster"]
        users = (admin,) if admin else tuple(
            User.from_config(u) for u in doc.get("users", []))
        return ProxyConfig(
            host=proxy.get("host", "127.0.0.1"), port=int(proxy["port"]),
            ring=path.parent / proxy.get("ring", "object.ring"),
            secret=_secret(cluster, path.parent),
            hash_prefix=cluster.get("hash_prefix", ""),
            settings=ProxySettings(
                connect_timeout=float(proxy.get("node_connect_timeout", 2.0)),
                read_timeout=float(proxy.get("node_read_timeout", 10.0)),
                ring_check_interval=float(proxy.get("ring_check_interval", 10.0)),
                grace_max=float(proxy.get("post_quorum_grace", 0.5)),
                error_limit=int(proxy.get("error_limit", 3)),
                error_window=float(proxy.get("error_window", 60.0)),
                error_suppression=float(proxy.get("error_suppression", 30.0))),
            users=users or DEFAULT_USERS,
            s3_domains=tuple(doc.get("s3", {}).get("domains", ["localhost"])),
            token_life=token_life_of(doc), day_seconds=day_seconds_of(doc),
            keystone=keystone_of(doc), expiry=expirer_of(doc),
            log_timing=log_timing(doc), key_file=key_file_of(doc, path.parent),
            kms=kms_of(doc), hash_suffix=cluster.get("hash_suffix", ""),
            usage=usage_of(doc), metrics=MetricsSettings.from_config(doc.get("metrics")))
    except (KeyError, ValueError, TypeError) as exc:
        raise CommandError(f"bad proxy config {path}: {exc!r}") from None


def load_metrics(path: Path | None) -> MetricsSettings:
    """`[metrics]` of a config file (serve's or a node's): who may read /metrics."""
    if path is None:
        return MetricsSettings()
    try:
        return MetricsSettings.from_config(_load(path).get("metrics"))
    except ValueError as exc:
        raise CommandError(f"bad config {path}: {exc}") from None


METRICS_TOML = ('[metrics]\n# who may read /metrics without a token (address ranges); '
                'token = "..." for others\nallow = ["127.0.0.1/32", "::1/128"]\n')


def keystone_of(doc: dict[str, Any]) -> KeystoneSettings | None:
    """`[keystone]` of a config file, if it has one."""
    return KeystoneSettings.from_config(doc["keystone"]) if "keystone" in doc else None


def node_toml(host: str, port: int, devices: str, hash_prefix: str) -> str:
    # ([metrics] before the last table: what is appended to the file stays [cluster]'s)
    return (f'[node]\nhost = "{host}"\nport = {port}\ndevices = "{devices}"\n'
            'ring = "object.ring"\n\n' + METRICS_TOML + '\n'
            f'[cluster]\nsecret_file = "secret"\nhash_prefix = "{hash_prefix}"\n')


def proxy_toml(host: str, port: int, hash_prefix: str, admin_key: str = "") -> str:
    """`admin_key`: the key of the reseller admin `admin:admin` (none without one)."""
    operator = (f'[[users]]\naccount = "admin"\nuser = "admin"\nkey = "{admin_key}"\n'
                'reseller_admin = true\n\n' if admin_key else "")
    return (f'[proxy]\nhost = "{host}"\nport = {port}\nring = "object.ring"\n'
            'node_connect_timeout = 2.0\nnode_read_timeout = 10.0\n\n' + METRICS_TOML + '\n'
            f'[cluster]\nsecret_file = "secret"\nhash_prefix = "{hash_prefix}"\n\n'
            '[[users]]\naccount = "test"\nuser = "tester"\nkey = "testing"\nadmin = true\n\n'
            f'{operator}[bucket_logging]\nroll_seconds = 300\n')
