"""The timestamp of a write, sent after its body (proxy -> object node).

A write's timestamp decides which of two writes to one name wins. The proxy fixes it
when the client's body has ended cleanly, not when the request arrived, so of two
overlapping uploads the one that finishes last wins (what S3 clients expect). The node
learns it from a fixed-size stamp at the end of the body, announced by a header (its
value: the stamp's size); the bytes before it are the object.

A stamp of DIGEST_SIZE also carries the body's MD5 (the ETag) and xxh3-64, computed once
by the proxy as the body went through: the node then skips MD5 (the dominant CPU cost
of storing large objects, paid three times over) and checks the xxh3 it computes anyway
against the proxy's, so a body changed on the way is still refused.

A stamp of FOOTED_SIZE adds a footer: system metadata the proxy learns only once the
body has ended (an encrypted object's plaintext ETag and checksum: crypto/writing.py),
as JSON padded to FOOTER_SIZE. The node stores it with the object and lists the object
with the footer's listing ETag, if it gives one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from objectstore.errors import BadRequest
from objectstore.timestamps import Timestamp

HEADER = "x-backend-commit-stamp"    # value: the stamp's size in bytes
SIZE = 40                            # the timestamp alone
DIGEST_SIZE = 96                     # the timestamp, the body's MD5 and xxh3-64
FOOTER_SIZE = 1024
FOOTED_SIZE = DIGEST_SIZE + FOOTER_SIZE     # ... and a footer
SIZES = (SIZE, DIGEST_SIZE, FOOTED_SIZE)


@dataclass(frozen=True)
class Stamp:
    timestamp: Timestamp
    md5: str = ""           # hex, with DIGEST_SIZE
    xxh3: str = ""
    footer: dict[str, str] = field(default_factory=dict)


def encode(timestamp: Timestamp, md5: str = "", xxh3: str = "",
           footer: dict[str, str] | None = None) -> bytes:
    if footer is not None:
        tail = json.dumps(footer, separators=(",", ":")).encode()
        if len(tail) > FOOTER_SIZE:
            raise ValueError("commit stamp footer too large")
        return encode(timestamp, md5, xxh3) + tail.ljust(FOOTER_SIZE)
    if md5:
        return f"{timestamp.internal} {md5} {xxh3}".encode().ljust(DIGEST_SIZE)
    return timestamp.internal.encode().ljust(SIZE)


def decode(stamp: bytes) -> Stamp:
    try:
        if len(stamp) == FOOTED_SIZE:
            footer = json.loads(stamp[DIGEST_SIZE:])
            if not isinstance(footer, dict) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in footer.items()):
                raise ValueError("footer")
            digests = decode(stamp[:DIGEST_SIZE])
            return Stamp(digests.timestamp, digests.md5, digests.xxh3, footer)
        fields = stamp.decode("ascii").split()
        if len(stamp) == DIGEST_SIZE:
            ts, md5, xxh3 = fields
            int(md5, 16), int(xxh3, 16)
            return Stamp(Timestamp.parse(ts), md5.lower(), xxh3.lower())
        (ts,) = fields
        return Stamp(Timestamp.parse(ts))
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("bad commit stamp at the end of the body") from None


class StampSplitter:
    """Splits a body stream into the object's bytes and the stamp after them."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        self.tail = b""

    def feed(self, chunk: bytes) -> bytes:
        """The object bytes now known not to belong to the stamp."""
        data = self.tail + chunk if self.tail else chunk
        if len(data) <= self.size:
            self.tail = data
            return b""
        self.tail = data[-self.size:]
        return data[:-self.size]

    def stamp(self) -> Stamp:
        if len(self.tail) != self.size:
            raise BadRequest("body ended before its commit stamp")
        return decode(self.tail)
