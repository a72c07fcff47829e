"""The timestamp of a write, sent after its body (proxy -> object node).

A write's timestamp decides which of two writes to one name wins. The proxy fixes it
when the client's body has ended cleanly, not when the request arrived, so of two
overlapping uploads the one that finishes last wins (what S3 clients expect). The node
learns it from a fixed-size stamp at the end of the body, announced by a header; the
bytes before it are the object.
"""

from __future__ import annotations

from objectstore.errors import BadRequest
from objectstore.timestamps import Timestamp

HEADER = "x-backend-commit-stamp"    # value: the stamp's size in bytes
SIZE = 40


def encode(timestamp: Timestamp) -> bytes:
    return timestamp.internal.encode().ljust(SIZE)


def decode(stamp: bytes) -> Timestamp:
    try:
        return Timestamp.parse(stamp.decode("ascii").strip())
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("bad commit stamp at the end of the body") from None


class StampSplitter:
    """Splits a body stream into the object's bytes and the stamp after them."""

    def __init__(self) -> None:
        self.tail = b""

    def feed(self, chunk: bytes) -> bytes:
        """The object bytes now known not to belong to the stamp."""
        data = self.tail + chunk if self.tail else chunk
        if len(data) <= SIZE:
            self.tail = data
            return b""
        self.tail = data[-SIZE:]
        return data[:-SIZE]

    def timestamp(self) -> Timestamp:
        if len(self.tail) != SIZE:
            raise BadRequest("body ended before its commit stamp")
        return decode(self.tail)
