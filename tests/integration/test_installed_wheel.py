"""`pip install .` (not editable) gives a working `objectstore`: the checkout is built into
a wheel, the wheel installed into a virtualenv of its own, and that virtualenv's
`objectstore` script answers `--version` and runs a `serve` that stores and returns an
object -- with nothing of the checkout on its path.

Offline: the build uses the setuptools of the test virtualenv (`--no-build-isolation`,
the test extra requires a new enough one) and the new virtualenv borrows the installed
dependencies (starlette, uvicorn, ...) through a `.pth` line naming the test
virtualenv's site-packages, which does not run that directory's own `.pth` files (so an
editable install of the checkout there stays out of it)."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import free_port, stop_gracefully, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
BUILT_FROM = ("objectstore", "pyproject.toml", "README.md")


def _copy_checkout(to: Path) -> Path:
    """The files a wheel is built from, without caches (and without writing `build/`
    into the checkout)."""
    for name in BUILT_FROM:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, to / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, to / name)
    return to


def _run(*command: str | Path, cwd: Path) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"{command} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """(the wheel, the virtualenv it is installed in)."""
    root = tmp_path_factory.mktemp("wheel")
    source = _copy_checkout(root / "source")
    _run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", root / "dist", source, cwd=root)
    [wheel] = (root / "dist").glob("objectstore-*.whl")
    venv = root / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    python = venv / "bin" / "python"
    purelib = Path(_run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                        cwd=root).strip())
    (purelib / "borrowed-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    _run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps",
         "--no-index", wheel, cwd=root)
    yield wheel, venv


def test_the_wheel_holds_every_file_of_the_package(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    files = {p.relative_to(ROOT).as_posix() for p in (ROOT / "objectstore").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}
    assert files - names == set(), "files of the package the wheel leaves out " \
        "(static files need [tool.setuptools.package-data])"
    assert "objectstore/cli/__init__.py" in names


def test_the_installed_command_is_the_wheels(installed: tuple[Path, Path],
                                            tmp_path: Path) -> None:
    _, venv = installed
    out = _run(venv / "bin" / "objectstore", "--version", cwd=tmp_path)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert out.strip() == f"objectstore {project['version']}"
    where = _run(venv / "bin" / "python", "-c", "import objectstore, sys; "
                 "print(objectstore.__file__); print('\\n'.join(sys.path))", cwd=tmp_path)
    module, *path = where.splitlines()
    assert Path(module).is_relative_to(venv), module
    for entry in filter(None, path):
        assert Path(entry).resolve() != ROOT
        if not Path(entry).is_relative_to(venv):
            assert not (Path(entry) / "objectstore" / "__init__.py").exists(), entry


def test_the_installed_serve_serves(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, venv = installed
    port = free_port()
    with open(tmp_path / "serve.log", "w") as log:
        proc = subprocess.Popen([venv / "bin" / "objectstore", "serve", "--data-dir", "data",
                                 "--port", str(port), "--nodes", "1", "--replicas", "1"],
                                cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_healthy(port, proc)
            token = _swift_token(port)
            assert _request(port, "PUT", "/v1/AUTH_test/box", token)[0] == 201
            assert _request(port, "PUT", "/v1/AUTH_test/box/a.txt", token, b"hi")[0] == 201
            assert _request(port, "GET", "/v1/AUTH_test/box/a.txt", token) == (200, b"hi")
        finally:
            stop_gracefully(proc)
    assert proc.returncode == 0, (tmp_path / "serve.log").read_text()
    assert (tmp_path / "data" / "object.ring").exists()


def _swift_token(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/auth/v1.0", headers={"X-Auth-User": "test:tester",
                                                   "X-Auth-Key": "testing"})
        response = conn.getresponse()
        response.read()
        assert response.status == 200
        return response.headers["X-Auth-Token"]
    finally:
        conn.close()


def _request(port: int, method: str, path: str, token: str,
             body: bytes = b"") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers={"X-Auth-Token": token})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()
