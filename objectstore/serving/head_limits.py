"""uvicorn's httptools protocol with limits on a request's head.

Stock uvicorn hands any head to the app: a 1 MiB header line, 10,000 headers, a head that
never ends (httptools buffers it all: memory grows with every byte) or one sent a byte a
second (the connection is held forever). Here a request line or header line longer than
`max_line`, a head larger than `max_head` in all or with more than `max_headers` headers
is answered 414/431 and the connection closed; a head not complete within `head_timeout`
seconds of its first byte (or of the connection's opening) is answered 408 and closed.

The limits are checked once the head is parsed (exact sizes of what the parser found)
and, for a head that is still incomplete, against the bytes fed to the parser since the
head began -- which is what bounds the memory a client can make us hold: at most
`max_head` plus one read.

A request line with raw (unencoded) UTF-8 in its target -- Swift clients send one when
told not to quote paths, and OpenStack Swift takes it -- is percent-encoded before the
parser sees it (httptools refuses any byte over 0x7f in a URL): the same request as
its encoded form. Only the first request of a read is looked at (one pipelined behind
it with such a line is refused, as before); an ASCII line costs one `isascii`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

import httptools
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.server import ServerState

from objectstore.serving.titled_heads import TitledHeadCycle

log = logging.getLogger("objectstore.http")
_NON_ASCII = re.compile(rb"[\x80-\xff]")


@dataclass(frozen=True)
class HeadLimits:
    """What one request's head may be. Swift's metadata limits (90 headers of 256 bytes)
    and S3's (2 KB of user metadata, presigned URLs of a few KiB) fit well inside."""

    max_line: int = 16 * 1024
    max_head: int = 64 * 1024
    max_headers: int = 200
    head_timeout: float = 20.0


class HeadRefused(Exception):
    """Raised in a parser callback: the head broke a limit (status, reason)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol whose request heads are bounded in size, count and time."""

    limits = HeadLimits()

    def __init__(self, config: Config, server_state: ServerState,
                 app_state: dict[str, Any], _loop: asyncio.AbstractEventLoop | None = None
                 ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._in_head = True        # between two requests, or inside a request's head
        self._head_fed = 0          # bytes fed while the head stayed incomplete
        self._heads_done = 0        # heads completed on this connection
        self._head_timer: asyncio.TimerHandle | None = None
        self._head_began = 0.0      # when the head under way began (its first byte)
        self._head_pending = True   # a head is under way (or the first is awaited)
        self._refused = False
        self._line_pending = True   # the next bytes begin (or continue) a request line
        self._feeding_small = False     # the read being parsed is within max_line
        self._head_small = False        # the head under way began in that read

    @classmethod
    def with_limits(cls, limits: HeadLimits) -> type[LimitedHttpToolsProtocol]:
        """A protocol class for uvicorn's `http=` with these limits."""
        return type(cls.__name__, (cls,), {"limits": limits})

    # -- connection ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_began = self.loop.time()     # one that never sends a head is closed too
        self._arm_head_timer(self.limits.head_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        self._unset_keepalive_if_required()
        if self._line_pending:
            data = self._quoted_request_line(data)
        was_in_head, heads_before = self._in_head, self._heads_done
        self._feeding_small = len(data) <= self.limits.max_line
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as exc:
            refused = exc.__context__
            if isinstance(refused, HeadRefused):
                self._refuse(refused.status, refused.reason)
            elif self.cycle is not None and not self.cycle.response_complete:
                # bytes that are no request after one that is (a body sent without a
                # length): that request is answered first (a PUT's 411), then we close
                self.cycle.keep_alive = False
                self._refused = True
            elif isinstance(exc, httptools.HttpParserInvalidMethodError):
                # a method the parser does not know (LICK): 405 as Swift answers
                self._refuse(405, "Method not allowed")
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        finally:
            self._head_small = False    # a head still under way continues in another read
        if was_in_head and self._in_head and self._heads_done == heads_before:
            # the read began outside a body and no head ended in it: all head bytes
            self._head_fed += len(data)
            if self._head_fed > self.limits.max_head:
                self._refuse(431, "Request header fields too large")

    def _quoted_request_line(self, data: bytes) -> bytes:
        end = data.find(b"\n")
        if end >= 0 or len(data) > self.limits.max_line:
            self._line_pending = False          # (a line too long is refused anyway)
        line = data if end < 0 else data[:end]
        if line.isascii():
            return data
        return _NON_ASCII.sub(lambda m: b"%%%02X" % m.group()[0], line) + data[len(line):]

    # -- parser callbacks --------------------------------------------------------------------
    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._in_head = True
        self._head_small = self._feeding_small
        if not self._head_pending:
            self._head_pending = True
            self._head_began = self.loop.time()

    def on_headers_complete(self) -> None:
        self._check_head()
        self._in_head = False
        self._head_fed = 0
        self._heads_done += 1
        self._head_pending = False
        super().on_headers_complete()
        if self.cycle is not None:      # uvicorn makes its own; ours titles noted names
            self.cycle.__class__ = TitledHeadCycle

    def _check_head(self) -> None:
        """The head's sizes and count, once it is parsed (uvicorn's callbacks collected
        it): a check per header callback cost ~1 us a header. What a head can make us
        hold before it ends is bounded by `_head_fed` (data_received).
        A head that began and ended within one read of at most `max_line` bytes (most
        of them) fits every size limit: only its count is checked."""
        limits = self.limits
        if self._head_small and limits.max_line <= limits.max_head:
            if len(self.headers) > limits.max_headers:
                raise HeadRefused(431, "Too many request header fields")
            return
        if len(self.url) > limits.max_line:
            raise HeadRefused(414, "Request-URI too long")
        if len(self.headers) > limits.max_headers:
            raise HeadRefused(431, "Too many request header fields")
        size = len(self.url)
        for name, value in self.headers:
            line = len(name) + len(value) + 4
            if line > limits.max_line:
                raise HeadRefused(431, "Request header field too large")
            size += line
        if size > limits.max_head:
            raise HeadRefused(431, "Request header fields too large")

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head = True
        self._line_pending = True

    # -- refusals ----------------------------------------------------------------------------
    # One timer per connection, not one per request: it wakes at most once a
    # head_timeout, and a request only notes when its head began (a timer armed and
    # cancelled per request cost ~10 us of each).
    def _arm_head_timer(self, delay: float) -> None:
        self._head_timer = self.loop.call_later(delay, self._check_head_time)

    def _check_head_time(self) -> None:
        self._head_timer = None
        if self._refused or self.transport.is_closing():
            return
        timeout = self.limits.head_timeout
        left = self._head_began + timeout - self.loop.time()
        if not self._head_pending or left > 0:
            self._arm_head_timer(left if self._head_pending else timeout)
            return
        self._head_timed_out()

    def _disarm_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.keep_alive = False   # an answer in progress ends, then we close
            return
        self._refuse(408, "Request head not received in time")

    def _refuse(self, status: int, reason: str) -> None:
        """Answer `status` with `reason` and close, as stock uvicorn does for a bad head."""
        self._refused = True
        self._disarm_head_timer()
        if self.transport.is_closing():
            return
        log.info("refused a request head from %s: %s",
                 f"{self.client[0]}:{self.client[1]}" if self.client else "?", reason)
        body = reason.encode("ascii")
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head.extend([name, b": ", value, b"\r\n"])
        head.append(b"content-type: text/plain; charset=utf-8\r\n"
                    b"content-length: %d\r\nconnection: close\r\n\r\n" % len(body))
        self.transport.write(b"".join(head) + body)
        self.transport.close()
