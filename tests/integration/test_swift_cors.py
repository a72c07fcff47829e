"""CORS on Swift containers: preflights and actual requests as raw HTTP, and Debian's
chromium fetching an object (with a token, so with a preflight) from a page of another
origin -- allowed when the container names that origin, blocked when it does not."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
import swiftclient

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


def test_errors_carry_them_too_but_only_for_allowed_origins(server: str, box: str) -> None:
    """As Swift's: a page on an allowed origin may read a 404 or a 401 (to know it must
    log in); an origin the container does not name gets nothing, errors or not."""
    tok = login(server, ADMIN)
    for headers, expected in [({"X-Auth-Token": tok}, 404), ({}, 401)]:
        status, got, _ = raw(server, "GET", f"{ME}/{box}/missing",
                             {"Origin": "http://m.com", **headers})
        assert status == expected and got["access-control-allow-origin"] == "*"
        assert got["vary"] == "Origin" and "x-trans-id" in got["access-control-expose-headers"]
    swift(server).post_container(box, {
        "X-Container-Meta-Access-Control-Allow-Origin": "http://secret.com"})
    for headers, expected in [({"X-Auth-Token": tok}, 404), ({}, 401)]:
        status, got, _ = raw(server, "GET", f"{ME}/{box}/missing",
                             {"Origin": "http://m.com", **headers})
        assert status == expected and not [k for k in got if k.startswith("access-control")]
    status, got, _ = raw(server, "GET", f"{ME}/{box}/missing", {"X-Auth-Token": tok})
    assert status == 404 and "access-control-allow-origin" not in got   # no Origin


def test_what_a_preflight_is_and_what_it_lets_in(server: str, box: str) -> None:
    path = f"{ME}/{box}/cat"
    status, headers, _ = raw(server, "OPTIONS", path, {"Access-Control-Request-Method": "GET"})
    assert status == 200 and "COPY" in headers["allow"]     # no Origin: no preflight
    assert "access-control-allow-origin" not in headers
    status, headers, _ = raw(server, "OPTIONS", f"{ME}/{box}", {
        "Origin": "http://m.com", "Access-Control-Request-Method": "DELETE"})
    assert status == 200 and "COPY" not in headers["access-control-allow-methods"]
    assert headers["vary"] == ("Origin, Access-Control-Request-Headers, "
                               "Access-Control-Request-Method")
    for method in ("PATCH", "UPDATE", ""):                 # none of Swift's methods
        assert raw(server, "OPTIONS", path, {
            "Origin": "http://m.com", "Access-Control-Request-Method": method})[0] == 401
    # whole origins: a `*` inside one is no wildcard (S3's rules would let this in)
    swift(server).post_container(box, {
        "X-Container-Meta-Access-Control-Allow-Origin": "http://*.example.com"})
    assert raw(server, "OPTIONS", path, {"Origin": "http://a.example.com",
                                         "Access-Control-Request-Method": "GET"})[0] == 401


def test_a_max_age_that_is_no_number_of_seconds_is_refused(server: str, box: str) -> None:
    conn = swift(server)
    with pytest.raises(swiftclient.ClientException) as info:
        conn.post_container(box, {"X-Container-Meta-Access-Control-Max-Age": "soon"})
    assert info.value.http_status == 400
    assert "x-container-meta-access-control-max-age" not in conn.head_container(box)
    conn.post_container(box, {"X-Container-Meta-Access-Control-Max-Age": "90"})
    _, headers, _ = raw(server, "OPTIONS", f"{ME}/{box}/cat", {
        "Origin": "http://m.com", "Access-Control-Request-Method": "GET"})
    assert headers["access-control-max-age"] == "90"


def test_a_symlinks_answer_is_its_targets_containers(server: str, box: str) -> None:
    """Swift hands a link's request on to its target: the target's container decides."""
    conn, closed = swift(server), unique("no-cors")
    conn.put_container(closed)
    conn.put_object(closed, "obj", b"shut")
    conn.put_object(box, "to-closed", b"", headers={"X-Symlink-Target": f"{closed}/obj"})
    conn.put_object(box, "to-cat", b"", headers={"X-Symlink-Target": f"{box}/cat"})
    tok = login(server, ADMIN)
    try:
        status, headers, body = raw(server, "GET", f"{ME}/{box}/to-cat",
                                    {"Origin": "http://m.com", "X-Auth-Token": tok})
        assert (status, body, headers["access-control-allow-origin"]) == (200, b"meow", "*")
        status, headers, body = raw(server, "GET", f"{ME}/{box}/to-closed",
                                    {"Origin": "http://m.com", "X-Auth-Token": tok})
        assert (status, body) == (200, b"shut") and "access-control-allow-origin" \
            not in headers
        # the preflight is the link's container's (it knows no target yet)
        assert raw(server, "OPTIONS", f"{ME}/{box}/to-closed", {
            "Origin": "http://m.com", "Access-Control-Request-Method": "GET"})[0] == 200
    finally:
        conn.delete_object(closed, "obj")
        conn.delete_container(closed)


def test_info_is_for_any_page(server: str) -> None:
    status, headers, _ = raw(server, "GET", "/info", {"Origin": "http://m.com"})
    assert status == 200 and headers["access-control-allow-origin"] == "*"
    assert headers["access-control-expose-headers"] == "x-trans-id"
    assert headers["content-type"] == "application/json; charset=UTF-8"
    status, headers, _ = raw(server, "OPTIONS", "/info", {
        "Origin": "http://m.com", "Access-Control-Request-Method": "GET"})
    assert (status, headers["allow"]) == (200, "HEAD, GET, OPTIONS")
    assert "access-control-allow-origin" not in headers        # no preflight to pass
    status, headers, _ = raw(server, "POST", "/info", {"Origin": "http://m.com"})
    assert status == 405 and "access-control-allow-origin" not in headers
    assert "access-control-allow-origin" not in raw(server, "GET", "/info")[1]


def browse(server: str, script: str) -> str:
    """What chromium's page at http://127.0.0.1:PORT shows once `script` ran: its
    fetch()es to http://localhost:PORT are to another origin."""
    browser = shutil.which("chromium")
    if browser is None:
        pytest.fail("chromium is needed (scripts/test.sh installs Debian's chromium)")
    conn, site = swift(server), unique("cors-site")
    conn.put_container(site, {"X-Container-Read": ".r:*"})
    page = f"<html><body><p id='out'>waiting</p><script>{script}</script></body></html>"
    conn.put_object(site, "page.html", page.encode(), content_type="text/html")
    port = server.rsplit(":", 1)[1]
    try:
        return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                               "--virtual-time-budget=10000", "--dump-dom",
                               f"http://127.0.0.1:{port}{ME}/{site}/page.html"],
                              capture_output=True, text=True, timeout=120).stdout
    finally:
        conn.delete_object(site, "page.html")
        conn.delete_container(site)


def shown(*fetches: str) -> str:
    """A script that shows what each fetch() expression gave ('blocked': CORS kept it
    from the page), in order."""
    calls = ", ".join(f"{f}.catch(e => 'blocked')" for f in fetches)
    return (f"Promise.all([{calls}]).then(a => "
            "{document.getElementById('out').textContent = 'answer: ' + a.join(' | ');});")


def test_a_browser_reads_across_origins_only_where_allowed(server: str, box: str) -> None:
    port = server.rsplit(":", 1)[1]
    target = f"http://localhost:{port}{ME}/{box}/cat"      # another origin than the page
    script = shown(f"fetch('{target}', {{headers: {{'X-Auth-Token': "
                   f"'{login(server, ADMIN)}'}}}}).then(r => r.text().then(t => t + ' ' + "
                   "r.headers.get('x-object-meta-color')))")
    conn = swift(server)
    conn.post_container(box, {"X-Container-Meta-Access-Control-Allow-Origin":
                              f"http://127.0.0.1:{port}"})
    assert "answer: meow red" in browse(server, script)
    conn.post_container(box, {"X-Container-Meta-Access-Control-Allow-Origin":
                              "http://elsewhere.example"})
    assert "answer: blocked" in browse(server, script)


def test_a_browser_reads_errors_info_and_links_as_swift_lets_it(server: str,
                                                                box: str) -> None:
    """A page on an allowed origin reads a 404 and a 401 (no token), and /info; a link
    to an object whose container names no origin is kept from it."""
    port, conn, closed = server.rsplit(":", 1)[1], swift(server), unique("no-cors")
    conn.put_container(closed, {"X-Container-Read": ".r:*"})
    conn.put_object(closed, "obj", b"shut")
    conn.put_container(box, {"X-Container-Read": ".r:*"})
    conn.put_object(box, "to-closed", b"", headers={"X-Symlink-Target": f"{closed}/obj"})
    conn.put_object(box, "to-cat", b"", headers={"X-Symlink-Target": f"{box}/cat"})
    there = f"http://localhost:{port}"
    status = ".then(r => r.status)"
    try:
        dom = browse(server, shown(
            f"fetch('{there}{ME}/{box}/missing', {{headers: {{'X-Auth-Token': "
            f"'{login(server, ADMIN)}'}}}}){status}",
            f"fetch('{there}{ME}/{closed}/obj?no=token'){status}",
            f"fetch('{there}/info').then(r => r.json()).then(i => 'info ' + "
            "('swift' in i))",
            f"fetch('{there}{ME}/{box}/to-cat').then(r => r.text())",
            f"fetch('{there}{ME}/{box}/to-closed').then(r => r.text())"))
        assert "answer: 404 | blocked | info true | meow | blocked" in dom, dom
        conn.post_container(closed, {"X-Container-Read": "",
                                     "X-Container-Meta-Access-Control-Allow-Origin": "*"})
        dom = browse(server, shown(f"fetch('{there}{ME}/{closed}/obj'){status}"))
        assert "answer: 401" in dom, dom            # not logged in: it may say so
    finally:
        conn.delete_object(closed, "obj")
        conn.delete_container(closed)
