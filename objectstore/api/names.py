"""Swift request paths and name rules, parsed once from the raw path.

    /v1/<account>[/<container>[/<object>]]

Names are percent-encoded UTF-8; an object name keeps every byte after the container's
slash (including `%2F`, a trailing `/`, `//`). Limits as Swift's defaults: account and
container names up to 256 bytes, no `/` in a container name, none named `.` or
`..`; object names up to 1024.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from objectstore.api.swift_errors import BadPath
from objectstore.errors import BadRequest

MAX_ACCOUNT = 256
MAX_CONTAINER = 256
MAX_OBJECT = 1024


@dataclass(frozen=True)
class SwiftPath:
    version: str
    account: str
    container: str | None = None
    obj: str | None = None

    @property
    def level(self) -> str:
        """What the path names: "account", "container" or "object"."""
        return ("object" if self.obj is not None else
                "container" if self.container is not None else "account")


INVALID_NAME = "Invalid UTF8 or contains NULL"     # Swift's words, which clients compare


def _decode(raw: str) -> str:
    try:
        text = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise BadPath(INVALID_NAME) from None
    if "\0" in text:
        raise BadPath(INVALID_NAME)
    return text


def header_text(value: str) -> str:
    """A header naming a path (X-Copy-From, X-Object-Manifest) as the client meant it:
    sent as raw UTF-8, it arrives read as Latin-1."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def parse_swift_path(raw_path: bytes) -> SwiftPath:
    try:
        path = raw_path.decode("ascii")
    except UnicodeDecodeError:
        path = raw_path.decode("utf-8", errors="surrogateescape")
        if any(0xDC80 <= ord(c) <= 0xDCFF for c in path):
            raise BadPath(INVALID_NAME) from None
    parts = path.split("/", 4)          # '', v1, account, container, object
    if len(parts) < 3 or not parts[2]:
        raise BadPath("Bad URL")        # /v1 alone, as Swift answers it
    version = parts[1]
    account = _decode(parts[2])
    container = _decode(parts[3]) if len(parts) > 3 and parts[3] else None
    obj = _decode(parts[4]) if len(parts) > 4 and parts[4] else None
    if len(parts) > 4 and parts[4] and container is None:
        raise BadRequest("an object needs a container")
    if container in (".", ".."):
        # clients and proxies normalise dot segments away (RFC 3986 5.2.4): such a
        # container could not be addressed reliably, and is no S3 bucket name either
        raise BadRequest(f"Container name {container!r} is not allowed")
    if len(account.encode()) > MAX_ACCOUNT:
        raise BadRequest("account name too long")
    if container is not None and len(container.encode()) > MAX_CONTAINER:
        raise BadRequest(f"Container name length of {len(container.encode())} longer "
                         f"than {MAX_CONTAINER}")
    if obj is not None and len(obj.encode()) > MAX_OBJECT:
        raise BadRequest(f"Object name length of {len(obj.encode())} longer than "
                         f"{MAX_OBJECT}")
    return SwiftPath(version, account, container, obj)
