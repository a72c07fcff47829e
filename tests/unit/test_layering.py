"""Imports go one way (STYLE.md rule 1); this walks every module's imports with ast."""

from __future__ import annotations

import ast
from pathlib import Path

import objectstore

ROOT = Path(objectstore.__file__).parent

# package -> the packages of ours it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "ring": set(),
    "request_id": set(),
    "logs": {"request_id"},
    "serving": {"request_id"},
    "errors": set(),
    "timestamps": set(),
    "checksums": set(),
    "node": {"request_id", "ring", "errors", "timestamps", "checksums"},
    "http": {"errors"},
    # encryption at rest: the proxy's (nodes only ever store what it sends)
    "crypto": {"errors", "checksums", "node", "ring"},
    "proxy": {"request_id", "ring", "node", "errors", "timestamps", "http", "crypto"},
    "api": {"request_id", "proxy", "errors", "timestamps", "http", "crypto"},
    "s3compat": {"request_id", "proxy", "errors", "timestamps", "checksums", "http",
                 "crypto"},
    # (the expirer works through the proxy core, as Swift's does through an internal
    # client: it deletes objects wherever their replicas are)
    "daemons": {"request_id", "node", "ring", "errors", "timestamps", "checksums",
                "proxy"},
    "endpoint": set(),
    # the admin API: over both APIs (it takes either's credentials) and the proxy
    "admin": {"request_id", "proxy", "api", "s3compat", "node", "ring", "errors",
              "timestamps", "crypto", "usage"},
    # usage metering: through the proxy core, told of requests by the serving layer
    "usage": {"request_id", "proxy", "errors", "serving"},
    # the web console: static files; the browser calls the public APIs itself
    "console": set(),
    # Prometheus figures of the proxy and the nodes (and the daemons last passes)
    "metrics": {"request_id", "serving", "node", "proxy", "ring"},
    "cli": {"ring", "node", "proxy", "api", "s3compat", "daemons", "errors", "cli",
            "endpoint", "timestamps", "checksums", "request_id", "logs", "serving",
            "crypto", "admin", "usage", "console", "metrics"},
}


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "objectstore" and len(parts) > 1:
                found.add(parts[1])
    return found


def test_imports_go_one_way() -> None:
    wrong = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        package = rel.parts[0].removesuffix(".py")
        if package not in ALLOWED:
            continue
        for target in imported_packages(path) - {package} - ALLOWED[package]:
            wrong.append(f"{rel} imports objectstore.{target}")
    assert not wrong, wrong


def test_ring_touches_files_in_one_module_only() -> None:
    for path in (ROOT / "ring").glob("*.py"):
        text = path.read_text()
        if path.name != "files.py":
            assert "open(" not in text and "import os" not in text, path.name
