"""The `objectstore ring` contract, run as the real console command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from objectstore.ring.files import load_ring

EXE = shutil.which("objectstore") or ""
COMMAND = [EXE] if EXE else [sys.executable, "-m", "objectstore"]


def run(*args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*COMMAND, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    if ok:
        assert proc.returncode == 0, proc.stderr
    else:
        assert proc.returncode != 0
        assert proc.stderr.strip(), "an error must say what is wrong"
    return proc


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A builder of six devices in three zones, made once through the CLI (each command
    is a process start: made per test, it cost two minutes of the suite)."""
    where = tmp_path_factory.mktemp("built")
    run("ring", "create", "object.builder", "--part-power", "8", "--replicas", "3",
        "--min-part-hours", "0", cwd=where)
    for z in range(1, 4):
        for d in ("sdb", "sdc"):
            proc = run("ring", "add", "object.builder", "--region", "1", "--zone", str(z),
                       "--host", f"10.0.0.{z}", "--port", "6200", "--device", d,
                       "--weight", "100", cwd=where)
            assert proc.stdout.strip().isdigit()
    return where / "object.builder"


@pytest.fixture
def ring_dir(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of that builder for each test to change."""
    shutil.copyfile(built, tmp_path / "object.builder")
    return tmp_path


def test_build_show_and_inspect(ring_dir: Path) -> None:
    out = run("ring", "rebalance", "object.builder", "--seed", "4", cwd=ring_dir).stdout
    assert "moved 768 of 768" in out and "balance 0.00%" in out and "dispersion 0.00%" in out
    assert (ring_dir / "object.ring").exists()

    show = json.loads(run("ring", "show", "object.builder", "--json", cwd=ring_dir).stdout)
    assert {"part_power", "replicas", "devices", "balance", "dispersion"} <= set(show)
    assert show["part_power"] == 8 and show["replicas"] == 3 and show["balance"] == 0
    for dev in show["devices"]:
        assert {"id", "region", "zone", "host", "port", "device", "weight", "parts"} <= set(dev)
        assert dev["parts"] == dev["parts_target"] == 128
    text = run("ring", "show", "object.builder", cwd=ring_dir).stdout
    assert "balance" in text and "10.0.0.3" in text

    doc = json.loads(run("ring", "assignments", "object.ring", "--json", cwd=ring_dir).stdout)
    assert doc["part_power"] == 8 and doc["replicas"] == 3
    assert len(doc["assignments"]) == 256
    assert all(len(set(ids)) == 3 for ids in doc["assignments"])

    found = json.loads(run("ring", "lookup", "object.ring", "AUTH_test", "c", "o", "--json",
                           "--hash-prefix", "x", cwd=ring_dir).stdout)
    assert [d["id"] for d in found["primaries"]] == doc["assignments"][found["partition"]]
    assert len(found["handoffs"]) == 3
    assert not {d["id"] for d in found["handoffs"]} & {d["id"] for d in found["primaries"]}
    assert "partition" in run("ring", "lookup", "object.ring", "AUTH_test", cwd=ring_dir).stdout


def test_change_devices_then_rebalance(ring_dir: Path) -> None:
    run("ring", "rebalance", "object.builder", "--ring", "custom.ring", cwd=ring_dir)
    run("ring", "set-weight", "object.builder", "0", "0", cwd=ring_dir)
    run("ring", "remove", "object.builder", "1", cwd=ring_dir)
    out = run("ring", "rebalance", "object.builder", "--ring", "custom.ring",
              cwd=ring_dir).stdout
    assert "moved 256 of 768" in out, out
    show = json.loads(run("ring", "show", "object.builder", "--json", cwd=ring_dir).stdout)
    assert [d["id"] for d in show["devices"]] == [0, 2, 3, 4, 5]
    assert show["devices"][0]["parts"] == 0


@pytest.mark.parametrize("args", [
    ["ring", "remove", "object.builder", "99"],
    ["ring", "set-weight", "object.builder", "99", "1"],
    ["ring", "set-weight", "object.builder", "0", "-5"],
    ["ring", "set-weight", "object.builder", "0", "heavy"],
    ["ring", "add", "object.builder", "--zone", "x", "--host", "h", "--port", "1",
     "--device", "d", "--weight", "1"],
    ["ring", "add", "object.builder", "--zone", "1", "--host", "h", "--port", "99999",
     "--device", "d", "--weight", "1"],
    ["ring", "show", "missing.builder"],
    ["ring", "lookup", "missing.ring", "a"],
    ["ring", "create", "object.builder", "--part-power", "8", "--replicas", "3"],
    ["ring", "create", "new.builder", "--part-power", "40", "--replicas", "3"],
    ["ring", "nonsense"],
])
def test_errors_are_messages_not_tracebacks(ring_dir: Path, args: list[str]) -> None:
    run(*args, cwd=ring_dir, ok=False)


def test_too_few_devices_and_corrupt_files(tmp_path: Path) -> None:
    run("ring", "create", "b.builder", "--part-power", "4", "--replicas", "3", cwd=tmp_path)
    run("ring", "add", "b.builder", "--zone", "1", "--host", "h", "--port", "6200",
        "--device", "d", "--weight", "1", cwd=tmp_path)
    err = run("ring", "rebalance", "b.builder", cwd=tmp_path, ok=False).stderr
    assert "too few devices" in err
    (tmp_path / "bad.ring").write_bytes(b"OSRING\x00\x01garbage")
    assert "ring" in run("ring", "lookup", "bad.ring", "a", cwd=tmp_path, ok=False).stderr
    (tmp_path / "bad.builder").write_text("{not json")
    assert "corrupt" in run("ring", "show", "bad.builder", cwd=tmp_path, ok=False).stderr


def test_help_on_every_command(tmp_path: Path) -> None:
    for cmd in ("create", "add", "remove", "set-weight", "rebalance", "show", "assignments",
                "lookup"):
        assert "usage" in run("ring", cmd, "--help", cwd=tmp_path).stdout


def test_add_policy_writes_it_into_the_ring(ring_dir: Path) -> None:
    run("ring", "rebalance", "object.builder", "--seed", "4", cwd=ring_dir)
    out = run("ring", "add-policy", "object.builder", "scratch", "--replicas", "1",
              cwd=ring_dir).stdout
    assert "policy 1 'scratch': 1 replicas" in out and "wrote" in out
    show = json.loads(run("ring", "show", "object.builder", "--json", cwd=ring_dir).stdout)
    assert show["policies"] == [{"index": 0, "name": "default", "replicas": 3},
                                {"index": 1, "name": "scratch", "replicas": 1}]
    assert [p.name for p in load_ring(ring_dir / "object.ring").policies] == \
        ["default", "scratch"]
    for bad in (["scratch", "--replicas", "1"], ["four", "--replicas", "4"],
                ["no spaces", "--replicas", "1"]):
        err = run("ring", "add-policy", "object.builder", *bad, cwd=ring_dir, ok=False)
        assert "policy" in err.stderr
