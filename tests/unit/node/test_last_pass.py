"""Each daemon's last pass in <devices>/<daemon>.pass.json: written by every pass of a
daemon given a pass_dir, read back by whoever reports on the node."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path

from objectstore.daemons.base import Daemon, PassStats
from objectstore.node import last_pass
from tests.clock import FakeClock


@dataclass
class CountingStats(PassStats):
    done: int = 0
    read: int = 0

    def pass_items(self) -> int:
        return self.done

    def pass_bytes(self) -> int:
        return self.read


class Counting(Daemon[int, CountingStats]):
    name = "counting"

    def new_stats(self) -> CountingStats:
        return CountingStats()

    async def list_jobs(self) -> list[int]:
        return [1, 2, 3, 0]

    async def process(self, job: int, stats: CountingStats) -> None:
        if job == 0:
            raise ValueError("a bad item")
        stats.done += 1
        stats.read += 100 * job


def test_every_pass_is_recorded_where_asked(tmp_path: Path) -> None:
    clock = FakeClock(1000.0)
    daemon = Counting(clock=clock)
    asyncio.run(daemon.run_once())
    assert last_pass.read_all(tmp_path) == [], "no pass_dir: nothing recorded"
    daemon.pass_dir = tmp_path
    asyncio.run(daemon.run_once())
    (found,) = last_pass.read_all(tmp_path)
    assert found == last_pass.LastPass("counting", 1000.0, 1000.0, 0.0, items=3, errors=1,
                                       bytes=600)
    doc = json.loads((tmp_path / "counting.pass.json").read_text())
    assert doc["stats"] == {"failures": 1, "started": 1000.0, "finished": 1000.0,
                            "done": 3, "read": 600}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["counting.pass.json"]


def test_torn_or_foreign_files_are_no_figure(tmp_path: Path) -> None:
    (tmp_path / "auditor.pass.json").write_text('{"daemon": "auditor", "start')
    (tmp_path / "updater.pass.json").write_text('{"daemon": "updater"}')
    (tmp_path / "replicator.json").write_text("{}")
    assert last_pass.read_all(tmp_path) == []
    assert last_pass.read_all(tmp_path / "missing") == []
    last_pass.record(tmp_path / "missing", "x", CountingStats())   # a gone device: no error
