"""The console's files as the proxy serves them at /console/ (the session's `serve`):
content types, strict headers, no way out of the static directory, GET/HEAD only; and
the files are in the wheel."""

from __future__ import annotations

import http.client
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from objectstore.console.app import STATIC
from tests.integration.s3_clients import client

REPO = Path(__file__).resolve().parents[2]


def request(server: str, method: str, path: str, headers: dict[str, str] | None = None
            ) -> tuple[int, dict[str, str], bytes]:
    """A raw request: the path is sent exactly as given (no client normalising it)."""
    parts = urlsplit(server)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            conn.putheader(name, value)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, \
            response.read()
    finally:
        conn.close()


def test_index_and_redirect(server: str) -> None:
    status, headers, body = request(server, "GET", "/console")
    assert status == 308 and headers["location"] == "/console/"
    status, headers, body = request(server, "GET", "/console/")
    assert status == 200, body
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert body == (STATIC / "index.html").read_bytes()
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "default-src 'none'" in csp and "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert b"<script>" not in body and b" onclick=" not in body    # no inline script


@pytest.mark.parametrize(("path", "kind"), [
    ("/console/console.css", "text/css; charset=utf-8"),
    ("/console/js/main.js", "text/javascript; charset=utf-8"),
    ("/console/js/sigv4.js", "text/javascript; charset=utf-8"),
])
def test_content_types(server: str, path: str, kind: str) -> None:
    status, headers, body = request(server, "GET", path)
    assert status == 200 and headers["content-type"] == kind
    assert body == (STATIC / path.removeprefix("/console/")).read_bytes()
    status, headers, head_body = request(server, "HEAD", path)
    assert status == 200 and head_body == b"" and headers["content-length"] == str(len(body))


@pytest.mark.parametrize("path", [
    "/console/../pyproject.toml", "/console/js/../../app.py", "/console/%2e%2e/app.py",
    "/console/%2E%2E/%2E%2E/cli/assemble.py", "/console/..%2fapp.py", "/console/app.py",
    "/console/__init__.py", "/console//etc/passwd", "/console/js", "/console/js/",
    "/console/no-such.js", "/console/%5c..%5capp.py",
])
def test_no_way_out(server: str, path: str) -> None:
    status, headers, body = request(server, "GET", path)
    assert status == 404, (path, body)
    assert headers["x-content-type-options"] == "nosniff"


def test_nul_is_refused(server: str) -> None:
    status, _, body = request(server, "GET", "/console/index.html%00.js")
    assert status == 400, body


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH", "OPTIONS"])
def test_only_get_and_head(server: str, method: str) -> None:
    status, headers, _ = request(server, method, "/console/index.html",
                                 {"Content-Length": "0"})
    assert status == 405 and headers["allow"] == "GET, HEAD"


def test_a_bucket_named_console_is_still_s3s(server: str) -> None:
    """A signed request to /console is S3's: a bucket may have that name."""
    s3 = client(server)
    try:
        s3.create_bucket(Bucket="console")
        s3.put_object(Bucket="console", Key="index.html", Body=b"mine")
        assert s3.get_object(Bucket="console", Key="index.html")["Body"].read() == b"mine"
        s3.delete_object(Bucket="console", Key="index.html")
        s3.delete_bucket(Bucket="console")
    finally:
        s3.close()


def test_the_wheel_has_the_static_files(tmp_path: Path) -> None:
    """`pip wheel .` (what `pip install .` builds) carries every file of static/."""
    source = tmp_path / "src"          # a copy: building writes build/ and *.egg-info
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", "data", "build", "*.egg-info", "__pycache__", ".*cache",
        "test-artifacts", ".keystone-venv*", ".hypothesis"))
    out = tmp_path / "wheel"
    # (build isolation: pip fetches the setuptools that pyproject.toml asks for)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(out), str(source)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    [wheel] = out.glob("objectstore-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    wanted = {"objectstore/console/static/" + p.relative_to(STATIC).as_posix()
              for p in STATIC.rglob("*") if p.is_file()}
    assert wanted and wanted <= names, sorted(wanted - names)
    assert "objectstore/console/static/index.html" in names
    assert "objectstore/console/static/js/main.js" in names
