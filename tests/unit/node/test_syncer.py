"""The syncer: fsyncs on its own threads, every waiter told how its fsync went."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from objectstore.node.syncer import Syncer


def test_many_waiters_are_all_answered(tmp_path: Path) -> None:
    syncer = Syncer(threads=2)

    async def main() -> None:
        fds = [os.open(tmp_path / f"f{i}", os.O_CREAT | os.O_WRONLY) for i in range(50)]
        try:
            await asyncio.wait_for(asyncio.gather(*(syncer.fsync(fd) for fd in fds)), 30)
        finally:
            for fd in fds:
                os.close(fd)

    asyncio.run(main())
    asyncio.run(main())      # a second event loop is served as well


def test_a_failed_fsync_raises_in_its_waiter(tmp_path: Path) -> None:
    syncer = Syncer(threads=1)

    async def main() -> None:
        fd = os.open(tmp_path / "f", os.O_CREAT | os.O_WRONLY)
        os.close(fd)                                  # now a bad descriptor
        with pytest.raises(OSError):
            await asyncio.wait_for(syncer.fsync(fd), 30)

    asyncio.run(main())


def test_fsync_all_syncs_each_and_raises_the_first_error_after_trying_all(
        tmp_path: Path) -> None:
    syncer = Syncer(threads=1)

    async def main() -> None:
        good = os.open(tmp_path / "good", os.O_CREAT | os.O_WRONLY)
        bad = os.open(tmp_path / "bad", os.O_CREAT | os.O_WRONLY)
        os.close(bad)                                 # a bad descriptor
        try:
            await asyncio.wait_for(syncer.fsync_all((good, tmp_dir := os.open(
                tmp_path, os.O_RDONLY))), 30)
            os.close(tmp_dir)
            with pytest.raises(OSError):
                await asyncio.wait_for(syncer.fsync_all((bad, good)), 30)
        finally:
            os.close(good)

    asyncio.run(main())
