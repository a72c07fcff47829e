"""Parse a node API request path into a small frozen value, once.

    /<kind>/<device>/<partition>/<account>[/<container>[/<object>]]

`kind` is objects (objects-<i> for storage policy i), containers or accounts. Names
are percent-encoded UTF-8 and are decoded here from the raw path (a decoded path would
mangle `%2F` in object names).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote

from objectstore.errors import BadRequest
from objectstore.node import paths

KINDS = (paths.OBJECTS, paths.CONTAINERS, paths.ACCOUNTS)


@dataclass(frozen=True)
class NodeTarget:
    kind: str
    device: str
    partition: int
    account: str
    container: str | None = None
    obj: str | None = None
    policy: int = 0          # of an object (kind OBJECTS): its storage policy

    @property
    def name(self) -> str:
        """`/account[/container[/object]]`, as the ring hashes it."""
        return "/" + "/".join(p for p in (self.account, self.container, self.obj)
                              if p is not None)


def _decode(part: str) -> str:
    """One name. A NUL is allowed: the APIs refuse it in every name a client gives,
    so the proxy uses it for the names of its own (versions containers and the
    versions in them, objectstore.proxy.version_names) -- and only the proxy, holding
    the cluster secret, reaches a node."""
    try:
        text = unquote(part, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("names must be UTF-8") from None
    if not text:
        raise BadRequest("empty name")
    return text


def parse_target(raw_path: bytes) -> NodeTarget:
    try:
        path = raw_path.decode("ascii")
    except UnicodeDecodeError:
        raise BadRequest("path must be percent-encoded") from None
    parts = path.lstrip("/").split("/", 5)
    if len(parts) < 4:
        raise BadRequest("path must be /<kind>/<device>/<partition>/<account>[/...]")
    kind, policy = parts[0], paths.policy_of_kind(parts[0])
    if policy is not None:
        kind = paths.OBJECTS
    elif kind not in KINDS:
        raise BadRequest("path must be /<kind>/<device>/<partition>/<account>[/...]")
    device, partition = paths.checked_device(_decode(parts[1])), parts[2]
    if not partition.isdigit():
        raise BadRequest("partition must be a number")
    names = [_decode(p) for p in parts[3:]]
    if kind == paths.OBJECTS and len(names) != 3:
        raise BadRequest("an object path needs account, container and object")
    if kind == paths.CONTAINERS and len(names) not in (2, 3):
        raise BadRequest("a container path needs account and container [and object]")
    if kind == paths.ACCOUNTS and len(names) not in (1, 2):
        raise BadRequest("an account path needs account [and container]")
    container = names[1] if len(names) > 1 else None
    obj = names[2] if len(names) > 2 else None
    return NodeTarget(kind, device, int(partition), names[0], container, obj, policy or 0)
