"""The proxy's modules import one another without a circle: each can be read, tested and
replaced on its own (e.g. the object handles need a node client and an opener, not the
Proxy). Imports inside functions and under TYPE_CHECKING count too: they hide a circle,
they do not remove it."""

from __future__ import annotations

import ast
from pathlib import Path

import objectstore.proxy

PROXY = Path(objectstore.proxy.__file__).parent


def proxy_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["objectstore", "proxy"] and len(parts) > 2 \
                    and (PROXY / f"{parts[2]}.py").exists():
                found.add(parts[2])
    return found - {path.stem}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    done: set[str] = set()

    def visit(module: str, trail: list[str]) -> list[str] | None:
        if module in trail:
            return [*trail[trail.index(module):], module]
        if module in done:
            return None
        for dep in sorted(graph.get(module, set())):
            if (cycle := visit(dep, [*trail, module])) is not None:
                return cycle
        done.add(module)
        return None

    for module in sorted(graph):
        if (cycle := visit(module, [])) is not None:
            return cycle
    return None


def test_find_cycle_finds_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_proxy_modules_import_each_other_without_a_circle() -> None:
    graph = {p.stem: proxy_imports(p) for p in PROXY.glob("*.py")}
    assert graph["core"] >= {"manifests", "handles"}      # the walk sees real imports
    assert find_cycle(graph) is None, find_cycle(graph)
