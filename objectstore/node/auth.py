"""Proof of the cluster secret on every node request, bound to what the request asks.

The sender signs, with keyed BLAKE2b (a MAC by construction; less than half the
cost of an HMAC-SHA256 here, on every node request) under the cluster secret,

    METHOD \\n raw path[?query] \\n time \\n nonce \\n name:value \\n ...

where the name:value lines are every header of the request except the transport ones
in UNSIGNED (names lower-case, values stripped, one line per header, the lines sorted;
Content-Length is always there, "0" when absent), and sends `X-Node-Auth: <time>
<nonce> <hex>`. So a captured request cannot be sent with another timestamp, length,
ETag, commit stamp, container update target or any other header a node acts on: a node
refuses a request carrying a header that was not signed (a header sent twice is two
lines, so a second value is refused too). The random nonce makes every request's signature unique,
even two identical HEADs in one millisecond, so a node can refuse one it has seen
before (replay.RecentSignatures) within the MAX_SKEW window it accepts at all.

The body itself is not signed (it streams; its length is): a replay is refused by its
signature, whatever body it carries. Node ports are never public, but a node must not
obey whoever reaches it.
"""

from __future__ import annotations

import functools
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


_UNSIGNED_RAW = frozenset(name.encode() for name in UNSIGNED)
_HEADER_RAW = HEADER.encode()
_OWS = " \t"
_ZERO_LENGTH = b"content-length:0\n"


def _message(method: str, raw_path: str, stamp: str, nonce: str, lines: list[bytes]) -> bytes:
    """What is signed: the request line, the time, the nonce and the header lines
    (sorted here), all bytes as they travel."""
    if not any(line.startswith(b"content-length:") for line in lines):
        lines.append(_ZERO_LENGTH)
    lines.sort()
    return b"".join([f"{method}\n{raw_path}\n{stamp}\n{nonce}\n".encode(), *lines])


@functools.lru_cache(maxsize=8)
def _key(secret: bytes) -> bytes:
    """BLAKE2b takes a key of at most 64 bytes: a longer secret is hashed to one."""
    return secret if len(secret) <= 64 else hashlib.sha256(secret).digest()


def _mac(secret: bytes, message: bytes) -> bytes:
    return hashlib.blake2b(message, key=_key(secret), digest_size=32).digest()


def sign(secret: bytes, method: str, raw_path: str,
         headers: Iterable[tuple[str, str]] = (), now: float | None = None,
         nonce: str | None = None, encoding: str = "utf-8") -> str:
    """The X-Node-Auth value for a request with exactly these headers (items; names in
    lower case, as the node's HTTP server gives them; values travel `encoding`-encoded:
    UTF-8 is how aiohttp sends them)."""
    stamp = f"{time.time() if now is None else now:.3f}"
    nonce = nonce or os.urandom(12).hex()
    # (only HTTP's own whitespace is stripped, as a parser does: a value's Latin-1
    # view may end in a character str.strip() would take, such as \x85)
    lines = [f"{name}:{str(value).strip(_OWS)}\n".encode(encoding)
             for name, value in headers if name not in UNSIGNED]
    mac = _mac(secret, _message(method, raw_path, stamp, nonce, lines))
    return f"{stamp} {nonce} {mac.hex()}"


def verify(secret: bytes, method: str, raw_path: str, headers: Iterable[tuple[bytes, bytes]],
           now: float | None = None) -> Proof | None:
    """The proof a request carries (`headers`: its raw ASGI header pairs, names in
    lower case and values stripped by the HTTP parser), None unless it is signed with
    the secret, over these very headers, within MAX_SKEW."""
    value = b""
    lines = []
    for name, raw in headers:
        if name not in _UNSIGNED_RAW:
            lines.append(b"%s:%s\n" % (name, raw.strip(b" \t")))
        elif name == _HEADER_RAW:
            value = raw
    parts = value.split(b" ")
    if len(parts) != 3:
        return None
    try:
        stamp, nonce, given = (part.decode("ascii") for part in parts)
        when = float(stamp)
    except (UnicodeDecodeError, ValueError):
        return None
    current = time.time() if now is None else now
    if not abs(current - when) <= MAX_SKEW:         # also refuses nan
        return None
    mac = _mac(secret, _message(method, raw_path, stamp, nonce, lines))
    try:
        if not hmac.compare_digest(mac, bytes.fromhex(given)):
            return None
    except ValueError:
        return None
    return Proof(when, mac[:16])
