"""Proof of the cluster secret on every node request, bound to what the request asks.

The sender signs, with HMAC-SHA256 under the cluster secret,

    METHOD \\n raw path[?query] \\n time \\n nonce \\n name:value \\n ...

where the name:value lines are every header of the request except the transport ones
in UNSIGNED (sorted, names lower-case, values stripped; Content-Length is always
there, "0" when absent), and sends `X-Node-Auth: <time> <nonce> <hex>`. So a captured
request cannot be sent with another timestamp, length, ETag, commit stamp, container
update target or any other header a node acts on: a node refuses a request carrying a
header that was not signed. The random nonce makes every request's signature unique,
even two identical HEADs in one millisecond, so a node can refuse one it has seen
before (replay.RecentSignatures) within the MAX_SKEW window it accepts at all.

The body itself is not signed (it streams; its length is): a replay is refused by its
signature, whatever body it carries. Node ports are never public, but a node must not
obey whoever reaches it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass

HEADER = "x-node-auth"
MAX_SKEW = 60.0       # seconds between the sender's clock and the node's
# Headers of the transport (set by HTTP clients on their own, or by nobody a node
# obeys) and the request id, which only names the request in logs.
UNSIGNED = frozenset({HEADER, "host", "accept", "accept-encoding", "user-agent",
                      "connection", "keep-alive", "transfer-encoding", "te", "expect",
                      "x-trans-id"})


@dataclass(frozen=True)
class Proof:
    """A verified signature: its time, and the MAC that names it for replay checks."""

    stamp: float
    mac: bytes


def _message(method: str, raw_path: str, stamp: str, nonce: str,
             headers: Iterable[tuple[str, str]]) -> bytes:
    signed: dict[str, str] = {}
    for name, value in headers:
        name = name.lower()
        if name in UNSIGNED:
            continue
        value = str(value).strip()
        signed[name] = f"{signed[name]},{value}" if name in signed else value
    signed.setdefault("content-length", "0")
    lines = "".join(f"{k}:{signed[k]}\n" for k in sorted(signed))
    return f"{method}\n{raw_path}\n{stamp}\n{nonce}\n{lines}".encode()


def sign(secret: bytes, method: str, raw_path: str,
         headers: Iterable[tuple[str, str]] = (), now: float | None = None,
         nonce: str | None = None) -> str:
    """The X-Node-Auth value for a request with exactly these headers (items)."""
    stamp = f"{time.time() if now is None else now:.3f}"
    nonce = nonce or os.urandom(12).hex()
    mac = hmac.new(secret, _message(method, raw_path, stamp, nonce, headers),
                   hashlib.sha256)
    return f"{stamp} {nonce} {mac.hexdigest()}"


def verify(secret: bytes, method: str, raw_path: str, headers: Iterable[tuple[str, str]],
           now: float | None = None) -> Proof | None:
    """The proof a request carries (in `headers`, items as received), None unless it
    is signed with the secret, over these very headers, within MAX_SKEW."""
    headers = list(headers)
    value = next((v for k, v in headers if k.lower() == HEADER), None)
    if not value:
        return None
    parts = value.strip().split(" ")
    if len(parts) != 3:
        return None
    stamp, nonce, given = parts
    try:
        when = float(stamp)
    except ValueError:
        return None
    current = time.time() if now is None else now
    if not abs(current - when) <= MAX_SKEW:         # also refuses nan
        return None
    mac = hmac.new(secret, _message(method, raw_path, stamp, nonce, headers),
                   hashlib.sha256).digest()
    try:
        if not hmac.compare_digest(mac, bytes.fromhex(given)):
            return None
    except ValueError:
        return None
    return Proof(when, mac[:16])
