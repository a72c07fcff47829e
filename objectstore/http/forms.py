"""A multipart/form-data body read as it streams in: each part's headers, then its data
as an async iterator, never more than one chunk of the request held at a time. The
parsing is python-multipart's (the parser Starlette uses); this module only turns its
callbacks into parts to pull."""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass

from python_multipart.multipart import MultipartParser, parse_options_header

from objectstore import errors

MAX_HEADERS = 16


@dataclass
class Part:
    headers: dict[str, str]
    name: str                   # the form field's name
    filename: str | None        # set for a file field
    data: AsyncIterator[bytes]


def boundary_of(content_type: str) -> bytes | None:
    """The boundary of a multipart/form-data Content-Type, None if it is not one."""
    kind, options = parse_options_header(content_type)
    if kind != b"multipart/form-data" or b"boundary" not in options:
        return None
    return options[b"boundary"]


class FormReader:
    def __init__(self, body: AsyncIterator[bytes], boundary: bytes) -> None:
        self._body = body
        self._events: deque[tuple[str, bytes]] = deque()
        self._field = b""
        self._value = b""
        self._ended = False
        self._parser = MultipartParser(boundary, {
            "on_part_begin": lambda: self._events.append(("begin", b"")),
            "on_header_field": self._on_field,
            "on_header_value": self._on_value,
            "on_header_end": self._on_header_end,
            "on_headers_finished": lambda: self._events.append(("headers", b"")),
            "on_part_data": lambda d, s, e: self._events.append(("data", bytes(d[s:e]))),
            "on_part_end": lambda: self._events.append(("end", b"")),
        }, max_header_count=MAX_HEADERS)

    def _on_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _on_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _on_header_end(self) -> None:
        self._events.append(("header", self._field.lower() + b"\0" + self._value))
        self._field = self._value = b""

    async def _event(self) -> tuple[str, bytes] | None:
        while not self._events:
            if self._ended:
                return None
            try:
                chunk = await anext(self._body)
            except StopAsyncIteration:
                self._ended = True
                self._finalize()
                continue
            try:
                self._parser.write(chunk)
            except Exception as exc:    # python-multipart's parse errors
                raise errors.BadRequest(f"invalid form body ({exc})") from None
        return self._events.popleft()

    def _finalize(self) -> None:
        try:
            self._parser.finalize()
        except Exception as exc:
            raise errors.BadRequest(f"invalid form body ({exc})") from None

    async def parts(self) -> AsyncIterator[Part]:
        """The parts in order; a part's data must be read (or not) before the next."""
        while True:
            event = await self._event()
            if event is None:
                return
            if event[0] != "begin":
                continue
            headers: dict[str, str] = {}
            while (event := await self._event()) is not None and event[0] == "header":
                name, _, value = event[1].partition(b"\0")
                headers[name.decode("latin-1")] = value.decode("utf-8", "replace")
            _, options = parse_options_header(headers.get("content-disposition", ""))
            filename = options.get(b"filename")
            yield Part(headers, options.get(b"name", b"").decode("utf-8", "replace"),
                       None if filename is None else filename.decode("utf-8", "replace"),
                       self._data())

    async def _data(self) -> AsyncIterator[bytes]:
        while (event := await self._event()) is not None and event[0] == "data":
            yield event[1]
