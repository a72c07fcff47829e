"""One way to run a server's main coroutine: on uvloop when it is installed (it comes
with uvicorn[standard] on Linux and macOS), which makes every socket operation of the
proxy and the embedded mode markedly cheaper than the stdlib loop."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)
