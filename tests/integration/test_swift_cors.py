"""CORS on Swift containers: preflights and actual requests as raw HTTP, and Debian's
chromium fetching an object (with a token, so with a preflight) from a page of another
origin -- allowed when the container names that origin, blocked when it does not."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, login, swift, unique

ME = "/v1/AUTH_test"


@pytest.fixture()
def box(server: str) -> Iterator[str]:
    conn, name = swift(server), unique("cors")
    conn.put_container(name, {"X-Container-Meta-Access-Control-Allow-Origin": "*"})
    conn.put_object(name, "cat", b"meow", headers={"X-Object-Meta-Color": "red"})
    yield name
    for obj in conn.get_container(name)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def test_preflights_and_actual_requests(server: str, box: str) -> None:
    path = f"{ME}/{box}/cat"
    assert raw(server, "OPTIONS", path, {"Origin": "http://m.com"})[0] == 401
    status, headers, _ = raw(server, "OPTIONS", path, {
        "Origin": "http://m.com", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "x-auth-token"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    assert "x-auth-token" in headers["access-control-allow-headers"]
    assert "access-control-expose-headers" not in headers
    tok = login(server, ADMIN)
    status, headers, body = raw(server, "GET", path, {"Origin": "http://m.com",
                                                      "X-Auth-Token": tok})
    assert status == 200 and body == b"meow"
    assert headers["access-control-allow-origin"] == "*"
    assert "x-object-meta-color" in headers["access-control-expose-headers"].split(", ")
    swift(server).post_container(box, {
        "X-Container-Meta-Access-Control-Allow-Origin": "http://secret.com",
        "X-Container-Meta-Access-Control-Max-Age": "60"})
    assert raw(server, "OPTIONS", path, {"Origin": "http://m.com",
                                         "Access-Control-Request-Method": "GET"})[0] == 401
    status, headers, _ = raw(server, "OPTIONS", path, {
        "Origin": "http://secret.com", "Access-Control-Request-Method": "PUT"})
    assert headers["access-control-allow-origin"] == "http://secret.com"
    assert headers["access-control-max-age"] == "60"
    _, headers, _ = raw(server, "GET", path, {"Origin": "http://m.com", "X-Auth-Token": tok})
    assert "access-control-allow-origin" not in headers        # strict: another origin
    assert raw(server, "OPTIONS", f"{ME}/{unique('nowhere')}/o", {
        "Origin": "http://m.com", "Access-Control-Request-Method": "GET"})[0] == 401


def fetch_from_other_origin(server: str, box: str, allow: str) -> str:
    browser = shutil.which("chromium")
    if browser is None:
        pytest.fail("chromium is needed (scripts/test.sh installs Debian's chromium)")
    conn = swift(server)
    conn.post_container(box, {"X-Container-Meta-Access-Control-Allow-Origin": allow})
    site = unique("cors-site")
    conn.put_container(site, {"X-Container-Read": ".r:*"})
    port = server.rsplit(":", 1)[1]
    target = f"http://localhost:{port}{ME}/{box}/cat"      # another origin than the page
    page = ("<html><body><p id='out'>waiting</p><script>"
            f"fetch('{target}', {{headers: {{'X-Auth-Token': '{login(server, ADMIN)}'}}}})"
            ".then(r => r.text().then(t => t + ' ' + r.headers.get('x-object-meta-color')))"
            ".catch(e => 'blocked').then(t => {document.getElementById('out').textContent ="
            " 'answer: ' + t;});</script></body></html>")
    conn.put_object(site, "page.html", page.encode(), content_type="text/html")
    try:
        return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                               "--virtual-time-budget=10000", "--dump-dom",
                               f"http://127.0.0.1:{port}{ME}/{site}/page.html"],
                              capture_output=True, text=True, timeout=120).stdout
    finally:
        conn.delete_object(site, "page.html")
        conn.delete_container(site)


def test_a_browser_reads_across_origins_only_where_allowed(server: str, box: str) -> None:
    port = server.rsplit(":", 1)[1]
    allowed = fetch_from_other_origin(server, box, f"http://127.0.0.1:{port}")
    assert "answer: meow red" in allowed
    refused = fetch_from_other_origin(server, box, "http://elsewhere.example")
    assert "answer: blocked" in refused
