"""A rebalance that min_part_hours keeps from moving what it would says so, and how to go
on: right after `cluster init` every partition has just moved, and a device added then
got nothing without a word (balance 100%, "moved 0")."""

from __future__ import annotations

from pathlib import Path

import pytest

from objectstore.cli import main
from objectstore.ring import RingBuilder
from objectstore.ring.files import load_builder


def ring(tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["ring", *args]) == 0
    return capsys.readouterr().out


def three_zones(tmp_path: Path, capsys: pytest.CaptureFixture[str], hours: str) -> str:
    builder = str(tmp_path / "object.builder")
    ring(tmp_path, capsys, "create", builder, "--part-power", "6", "--replicas", "3",
         "--min-part-hours", hours)
    for zone in (1, 2, 3):
        ring(tmp_path, capsys, "add", builder, "--region", "1", "--zone", str(zone),
             "--host", "127.0.0.1", "--port", str(6200 + zone), "--device", "d", "--weight",
             "100")
    first = ring(tmp_path, capsys, "rebalance", builder)
    assert "min_part_hours" not in first
    ring(tmp_path, capsys, "add", builder, "--region", "1", "--zone", "4", "--host",
         "127.0.0.1", "--port", "6204", "--device", "d", "--weight", "100")
    return builder


def test_a_rebalance_held_back_says_so(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    builder = three_zones(tmp_path, capsys, "1")
    out = ring(tmp_path, capsys, "rebalance", builder)
    assert "moved 0 of 192 partition replicas" in out
    assert "48 more partition replicas would move but moved within the last " \
           "min_part_hours (1 h): rebalance again after that, or run " \
           "`ring pretend-min-part-hours-passed` first" in out
    ring(tmp_path, capsys, "pretend-min-part-hours-passed", builder)
    out = ring(tmp_path, capsys, "rebalance", builder)
    assert "moved 48 of 192" in out and "would move" not in out
    assert load_builder(Path(builder)).balance() < 1


def test_nothing_is_said_when_nothing_is_held_back(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    builder = three_zones(tmp_path, capsys, "0")
    out = ring(tmp_path, capsys, "rebalance", builder)
    assert "moved 48 of 192" in out and "would move" not in out


def test_held_back_counts_the_partitions_moved_lately() -> None:
    builder = RingBuilder(4, 1, 1)
    builder.add_device(1, 1, "h", 1, "d", 1)
    builder.rebalance(now=1_000_000)
    assert builder.held_back(now=1_000_000 + 3599) == 16
    assert builder.held_back(now=1_000_000 + 3600) == 0
