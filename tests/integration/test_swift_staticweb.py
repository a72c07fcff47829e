"""Static web sites from containers, fetched as a visitor would: requests without a
token (and with X-Web-Mode: true), and Debian's chromium in headless mode for the pages
a browser renders. Index pages, listings (with and without a stylesheet), directory
redirects, error pages, directory markers, and what a site does not open up."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest
import requests

from tests.integration.test_swift_edge import ADMIN, login, swift, unique

ME = "/v1/AUTH_test"


@pytest.fixture()
def site(server: str) -> Iterator[str]:
    conn, name = swift(server), unique("web")
    conn.put_container(name, {"X-Container-Read": ".r:*,.rlistings"})
    conn.put_object(name, "index.html", b"<h1>home page</h1>", content_type="text/html")
    conn.put_object(name, "style.css", b"body {}", content_type="text/css")
    conn.put_object(name, "404error.html", b"<p>no such page</p>", content_type="text/html")
    conn.put_object(name, "docs/", b"", content_type="application/directory")
    conn.put_object(name, "docs/guide.txt", b"the guide")
    conn.put_object(name, "docs/more/deep.txt", b"deep")
    yield name
    for obj in conn.get_container(name)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def web(conn_server: str, path: str, **kw: object) -> requests.Response:
    return requests.get(conn_server + path, allow_redirects=False, timeout=10, **kw)


def test_the_index_is_served_for_the_container_and_directories_redirect(
        server: str, site: str) -> None:
    swift(server).post_container(site, {"X-Container-Meta-Web-Index": "index.html"})
    got = web(server, f"{ME}/{site}/")
    assert got.status_code == 200 and got.content == b"<h1>home page</h1>"
    moved = web(server, f"{ME}/{site}")
    assert moved.status_code == 301 and moved.headers["location"] == \
        f"{server}{ME}/{site}/"
    # a directory with no index of its own and listings off: 404
    assert web(server, f"{ME}/{site}/docs/").status_code == 404


def test_listings_link_each_entry_and_the_stylesheet(server: str, site: str) -> None:
    swift(server).post_container(site, {"X-Container-Meta-Web-Listings": "true",
                                        "X-Container-Meta-Web-Listings-Css": "style.css"})
    top = web(server, f"{ME}/{site}/")
    assert top.status_code == 200 and top.headers["content-type"].startswith("text/html")
    assert f"Listing of {ME}/{site}/" in top.text
    assert '<a href="./index%2Ehtml">index.html</a>' in top.text
    assert '<a href="./docs/">docs/</a>' in top.text and "guide.txt" not in top.text
    assert 'href="style%2Ecss"' in top.text or 'href="style.css"' in top.text
    sub = web(server, f"{ME}/{site}/docs/")
    assert '<a href="./guide%2Etxt">guide.txt</a>' in sub.text
    assert '<a href="./more/">more/</a>' in sub.text
    assert 'href="../style.css"' in sub.text and "index.html" not in sub.text
    # a directory marker (or a prefix with objects) without its slash redirects
    for path in (f"{ME}/{site}/docs", f"{ME}/{site}/docs/more"):
        assert web(server, path).status_code == 301
    assert web(server, f"{ME}/{site}/docs/guide.txt").content == b"the guide"


def test_error_pages_and_disabled_listings(server: str, site: str) -> None:
    conn = swift(server)
    conn.post_container(site, {"X-Container-Meta-Web-Index": "index.html",
                               "X-Container-Meta-Web-Error": "error.html"})
    missing = web(server, f"{ME}/{site}/nothing-here")
    assert missing.status_code == 404 and missing.content == b"<p>no such page</p>"
    conn.post_container(site, {"X-Remove-Container-Meta-Web-Error": "x"})
    assert web(server, f"{ME}/{site}/nothing-here").status_code == 404
    disabled = web(server, f"{ME}/{site}/docs/")
    assert disabled.status_code == 404 and "Web Listing Disabled" in disabled.text


def test_a_token_sees_the_container_unless_it_asks_for_web_mode(server: str,
                                                                site: str) -> None:
    swift(server).post_container(site, {"X-Container-Meta-Web-Index": "index.html"})
    tok = {"X-Auth-Token": login(server, ADMIN)}
    plain = web(server, f"{ME}/{site}/", headers=tok)
    assert plain.status_code == 200 and "index.html" in plain.text.splitlines()
    as_web = web(server, f"{ME}/{site}/", headers={**tok, "X-Web-Mode": "true"})
    assert as_web.content == b"<h1>home page</h1>"


def test_a_site_opens_nothing_its_acl_does_not(server: str) -> None:
    conn, name = swift(server), unique("web-private")
    conn.put_container(name, {"X-Container-Meta-Web-Index": "index.html",
                              "X-Container-Meta-Web-Listings": "true"})
    conn.put_object(name, "index.html", b"private home")
    try:
        for path in (f"{ME}/{name}/", f"{ME}/{name}/index.html", f"{ME}/{name}"):
            got = web(server, path)
            assert got.status_code == 401 and b"private" not in got.content
    finally:
        conn.delete_object(name, "index.html")
        conn.delete_container(name)


def test_a_browser_renders_the_site(server: str, site: str) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.fail("chromium is needed (scripts/test.sh installs Debian's chromium)")
    swift(server).post_container(site, {"X-Container-Meta-Web-Listings": "true"})
    dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                          "--dump-dom", f"{server}{ME}/{site}/docs/"],
                         capture_output=True, text=True, timeout=120).stdout
    assert "Listing of" in dom and 'href="./guide%2Etxt"' in dom
    page = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                           "--dump-dom", f"{server}{ME}/{site}/index.html"],
                          capture_output=True, text=True, timeout=120).stdout
    assert "<h1>home page</h1>" in page


def test_web_mode_on_a_container_that_is_no_site(server: str) -> None:
    conn, name = swift(server), unique("web-none")
    conn.put_container(name)
    conn.put_object(name, "o", b"plain")
    tok = {"X-Auth-Token": login(server, ADMIN), "X-Web-Mode": "true"}
    try:
        assert web(server, f"{ME}/{name}/o", headers=tok).content == b"plain"
        assert web(server, f"{ME}/{name}/", headers=tok).status_code == 404
    finally:
        conn.delete_object(name, "o")
        conn.delete_container(name)
