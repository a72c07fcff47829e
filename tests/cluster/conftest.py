"""A fresh cluster of separate processes per test (`cluster init`: 3 nodes, 3 replicas,
one proxy), stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.launch import ProcessCluster, launch


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[ProcessCluster]:
    c = launch(tmp_path / "cluster")
    try:
        yield c
    finally:
        c.stop_all()
