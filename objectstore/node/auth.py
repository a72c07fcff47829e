"""Proof of the cluster secret on every node request.

The sender signs `METHOD\\nraw path[?query]\\ntime` with HMAC-SHA256 under the cluster
secret and sends `X-Node-Auth: <time> <hex>`; a node accepts it within MAX_SKEW seconds
of its own clock. Node ports are never public, but a node must not obey whoever reaches it.
"""

from __future__ import annotations

import hashlib
import hmac
import time

HEADER = "x-node-auth"
MAX_SKEW = 300


def sign(secret: bytes, method: str, raw_path: str, now: float | None = None) -> str:
    stamp = str(int(time.time() if now is None else now))
    mac = hmac.new(secret, f"{method}\n{raw_path}\n{stamp}".encode(), hashlib.sha256)
    return f"{stamp} {mac.hexdigest()}"


def verify(secret: bytes, method: str, raw_path: str, value: str | None,
           now: float | None = None) -> bool:
    if not value:
        return False
    stamp, _, given = value.partition(" ")
    if not stamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > MAX_SKEW:
        return False
    mac = hmac.new(secret, f"{method}\n{raw_path}\n{stamp}".encode(), hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), given)
