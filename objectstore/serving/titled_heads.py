"""Response heads whose header names an app asked to be title-cased.

uvicorn's httptools protocol lower-cases every response header name as it writes the
head. An app that must send some names in another spelling (the Swift API: an object's
`X-Object-Meta-*`, as OpenStack Swift spells them) notes their prefix on the request
(`request_id.RequestNote.titled`); this cycle then rewrites those names in the one
write that carries the head. Other requests pay one context-variable read per send.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any

from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

from objectstore.request_id import current_note


class TitledHeadCycle(RequestResponseCycle):
    """uvicorn's request/response cycle, title-casing the noted names in the head."""

    async def send(self, message: Any) -> None:
        note = current_note.get()
        if note is None or not note.titled or message["type"] != "http.response.start":
            await super().send(message)
            return
        transport = self.transport
        self.transport = _HeadWriter(transport, note.titled)   # type: ignore[assignment]
        try:
            await super().send(message)
        finally:
            self.transport = transport


class _HeadWriter:
    """Stands in for the transport while uvicorn writes the head (one write)."""

    def __init__(self, transport: asyncio.Transport, prefix: bytes) -> None:
        self._transport = transport
        self._names = re.compile(rb"\r\n(" + re.escape(prefix) + rb"[^:\r\n]*):")

    def write(self, data: bytes) -> None:
        self._transport.write(self._names.sub(lambda m: b"\r\n" + m[1].title() + b":",
                                              data))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
