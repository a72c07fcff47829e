"""Answering with an object's body, for both APIs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

from starlette.responses import Response, StreamingResponse


class Body(Protocol):
    """What a read answers with (the proxy's ObjectStream is one)."""

    @property
    def body(self) -> AsyncIterator[bytes]: ...

    @property
    def whole(self) -> bytes | None: ...


def body_response(stream: Body, status: int, headers: dict[str, str]) -> Response:
    """A small body the proxy already holds goes out as one plain response (a streaming
    one costs a task group per request); anything larger streams."""
    if stream.whole is not None:
        return Response(stream.whole, status_code=status, headers=headers)
    return StreamingResponse(stream.body, status_code=status, headers=headers)
