"""Looking at a cluster's disks from a test: where the ring puts an object, and what
each of those devices holds for it (checked whole, as the auditor would)."""

from __future__ import annotations

import hashlib
import os
import random
import subprocess
from pathlib import Path

from objectstore.cli.configs import load_node_config
from objectstore.errors import DiskFileError, ObjectNotFound
from objectstore.node.diskfile import DiskFile
from objectstore.ring.files import load_ring
from tests.launch import COMMAND


def primary_copies(root: Path, account: str, container: str, obj: str
                   ) -> list[str | None]:
    """The MD5 of the object's bytes on each primary device (None: missing or bad)."""
    config = load_node_config(root / "node0.toml")
    hasher = config.hasher()
    ring = load_ring(root / "object.ring", hasher)
    part, primaries = ring.get_nodes(account, container, obj)
    name_hash = hasher.digest(account, container, obj).hex()
    found: list[str | None] = []
    for dev in primaries:
        index = dev.device[1:]                       # cluster init: node<i>/d<i>
        df = DiskFile(root / f"node{index}", dev.device, part, f"/{account}/{container}/{obj}",
                      name_hash)
        try:
            with df.open() as reader:
                md5 = hashlib.md5()
                for chunk in reader.chunks():
                    md5.update(chunk)
                found.append(md5.hexdigest())
        except (ObjectNotFound, DiskFileError):
            found.append(None)
    return found


def run_pass(root: Path, kind: str, nodes: int = 3) -> list[str]:
    """One `objectstore <kind> --once` per node (an audit at full speed); their
    summaries."""
    out = []
    unlimited = ["--files-per-second", "0", "--bytes-per-second", "0"] if kind == "audit" \
        else []
    for i in range(nodes):
        done = subprocess.run([*COMMAND, kind, "--config", str(root / f"node{i}.toml"),
                               "--once", *unlimited], capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, done.stderr
        out.append(done.stdout.strip())
    return out


def damage_some(directory: Path, share: float, rng: random.Random) -> list[Path]:
    """Flip one byte within the first 1,000 of `share` of the object files below
    `directory` (at least one); the files damaged."""
    files = sorted(directory.rglob("*.data"))
    damaged = rng.sample(files, max(1, int(len(files) * share)))
    for path in damaged:
        with open(path, "r+b") as f:
            f.seek(rng.randrange(0, 1000))
            byte = f.read(1)
            f.seek(-1, os.SEEK_CUR)
            f.write(bytes([byte[0] ^ 0xFF]))
    return damaged


def holders(root: Path, nodes: int) -> dict[str, set[str]]:
    """Object name hash -> the devices holding a .data of it (found on disk, one scan)."""
    out: dict[str, set[str]] = {}
    for i in range(nodes):
        for path in (root / f"node{i}").glob("*/objects/*/*/*/*.data"):
            out.setdefault(path.parent.name, set()).add(path.parts[len(root.parts) + 1])
    return out


def placement(root: Path, nodes: int, account: str, container: str, keys: list[str]
              ) -> dict[str, set[str]]:
    """Each key's holders; asserts they are exactly its primaries in the ring now."""
    hasher = load_node_config(root / "node0.toml").hasher()
    ring = load_ring(root / "object.ring", hasher)
    found = holders(root, nodes)
    held, wrong = {}, []
    for key in keys:
        _, primaries = ring.get_nodes(account, container, key)
        held[key] = found.get(hasher.digest(account, container, key).hex(), set())
        if held[key] != {d.device for d in primaries}:
            wrong.append((key, sorted(held[key]), sorted(d.device for d in primaries)))
    assert not wrong, f"{len(wrong)} objects misplaced, e.g. {wrong[:3]}"
    return held


def container_db(root: Path, node: int, account: str, container: str) -> Path:
    """Where node `node` of a test cluster keeps its replica of a container's database."""
    config = load_node_config(root / f"node{node}.toml")
    hasher = config.hasher()
    part, _ = load_ring(root / "object.ring", hasher).get_nodes(account, container)
    name_hash = hasher.digest(account, container).hex()
    return (root / f"node{node}" / f"d{node}" / "containers" / str(part) / name_hash[-3:]
            / name_hash / f"{name_hash}.db")
