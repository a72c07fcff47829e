"""Marks every test with its layer, from the directory it lives in, so a developer can
run the fast layers alone (`pytest -m unit`, `pytest -m "not cluster and not compose"`).
The markers are declared in pyproject.toml (`--strict-markers` refuses any other)."""

from __future__ import annotations

from pathlib import Path

import pytest

LAYERS = ("unit", "property", "integration", "cluster", "compose")
# tests that need more than their layer's directory says: root, namespaces, iptables
EXTRA = {"test_netns.py": "netns"}


def layer_of(path: Path) -> str | None:
    """The layer of a test file: the directory under tests/ it sits in."""
    parts = path.parts
    for i in range(len(parts) - 1, -1, -1):
        if parts[i] == "tests" and i + 1 < len(parts) and parts[i + 1] in LAYERS:
            return parts[i + 1]
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.path))
        layer = layer_of(path)
        if layer is not None:
            item.add_marker(layer)
        extra = EXTRA.get(path.name)
        if extra is not None:
            item.add_marker(extra)
