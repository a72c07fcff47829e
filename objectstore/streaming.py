"""Answering with an object's body, for both APIs."""

from __future__ import annotations

from starlette.responses import Response, StreamingResponse

from objectstore.proxy.handles import ObjectStream


def body_response(stream: ObjectStream, status: int, headers: dict[str, str]) -> Response:
    """A small body the proxy already holds goes out as one plain response (a streaming
    one costs a task group per request); anything larger streams."""
    if stream.whole is not None:
        return Response(stream.whole, status_code=status, headers=headers)
    return StreamingResponse(stream.body, status_code=status, headers=headers)
