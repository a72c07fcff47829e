"""The request id of the client request being served, and the role of the code serving it.

One id per client request, made once by the outermost layer of the proxy port
(objectstore.serving.request_layer) and kept in a context variable: both APIs answer
with it (X-Trans-Id / x-amz-request-id), the node clients send it to every node
(header `x-trans-id`), the nodes' outer layer reads it back, and every log line carries
it. The role (proxy, a node, a daemon) is a context variable too, because `serve` runs
all of them in one process. Depends on nothing of ours, so every layer may import it.
"""

from __future__ import annotations

import random
import time
from contextvars import ContextVar
from dataclasses import dataclass

HEADER = "x-trans-id"       # the node wire's name for it


@dataclass
class RequestNote:
    """What the API layers learn about a request that the outer layer needs: whose it
    is (for its access-log line), and which response header names go out title-cased
    (uvicorn writes every name in lower case; Swift's clients compare an object's
    `X-Object-Meta-*` names as dict keys, in Swift's spelling)."""

    account: str = ""
    titled: bytes = b""         # a lower-case name prefix, e.g. b"x-object-meta-"
    api: str = ""               # "s3", "swift", "admin", ... (for metrics and usage)
    operation: str = ""         # REST.GET.OBJECT (S3), "GET object" (Swift), ...
    bucket: str = ""            # the bucket or container, when there is one


current_id: ContextVar[str] = ContextVar("request_id", default="")
current_role: ContextVar[str] = ContextVar("role", default="")
current_note: ContextVar[RequestNote | None] = ContextVar("request_note", default=None)


def new_id() -> str:
    """Swift's shape: `tx` + random hex + `-` + the time in hex (sortable by time). Unique,
    not secret: nothing is granted to whoever knows an id, so no need for `secrets`."""
    return f"tx{random.getrandbits(88):022x}-{int(time.time()):010x}"


def request_id() -> str:
    """The current request's id; a fresh one where no outer layer set one."""
    return current_id.get() or new_id()


def note_titled(prefix: bytes) -> None:
    """The API asks that response header names starting with `prefix` be title-cased."""
    note = current_note.get()
    if note is not None:
        note.titled = prefix


def note_account(account: str) -> None:
    """The API layers say whose request this is, once they know (for the access log)."""
    note = current_note.get()
    if note is not None:
        note.account = account


def note_operation(api: str, operation: str, bucket: str = "") -> None:
    """The API layers say which API and operation a request is, and its bucket or
    container (for the observers of finished requests: metrics, usage)."""
    note = current_note.get()
    if note is not None:
        note.api, note.operation, note.bucket = api, operation, bucket
