"""TempURL through real clients: links made by python-swiftclient's generate_temp_url
and the `swift tempurl` command, used by `requests` with no token. Each refusal is the
same 401, and a link grants exactly its method, object (or prefix), time and address."""

from __future__ import annotations

import base64
import hashlib
import hmac
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import swiftclient
from swiftclient.utils import generate_temp_url

from tests.integration.test_swift_edge import ADMIN, OTHER, swift, unique

ACCOUNT = "AUTH_test"
KEY, KEY2, CKEY = "account-key-1", "account-key-2", "container-key"


@pytest.fixture(scope="module")
def keyed(server: str) -> Iterator[swiftclient.Connection]:
    """The test account with two TempURL keys (removed afterwards)."""
    conn = swift(server)
    conn.post_account({"X-Account-Meta-Temp-URL-Key": KEY,
                       "X-Account-Meta-Temp-URL-Key-2": KEY2})
    yield conn
    conn.post_account({"X-Remove-Account-Meta-Temp-URL-Key": "x",
                       "X-Remove-Account-Meta-Temp-URL-Key-2": "x"})


def put(conn: swiftclient.Connection, body: bytes = b"hello link",
        headers: dict[str, str] | None = None) -> tuple[str, str]:
    container, name = unique("tu"), "dir/" + unique("obj") + " ü"
    conn.put_container(container)
    conn.put_object(container, name, body, headers=headers or {})
    return container, name


def path_of(container: str, name: str) -> str:
    return f"/v1/{ACCOUNT}/{quote(container)}/{quote(name)}"


def link(server: str, container: str, name: str, method: str = "GET", key: str = KEY,
         seconds: int = 60, **kw: object) -> str:
    return server + generate_temp_url(f"/v1/{ACCOUNT}/{container}/{name}", seconds, key,
                                      method, **kw)


def test_a_get_link_reads_the_object_without_a_token_and_also_allows_head(
        server: str, keyed: swiftclient.Connection) -> None:
    container, name = put(keyed, headers={"X-Object-Meta-Secret": "s",
                                          "X-Object-Meta-Public-Colour": "blue"})
    url = link(server, container, name)
    got = requests.get(url, timeout=10)
    assert got.status_code == 200 and got.content == b"hello link"
    # a download named after the object, until the link's expiry
    assert got.headers["content-disposition"].startswith('attachment; filename="')
    assert "filename*=UTF-8''" + quote(name.rsplit("/", 1)[-1]) in \
        got.headers["content-disposition"]
    assert "expires" in got.headers
    # private metadata is not shown to the link's holder; public metadata is
    assert "x-object-meta-secret" not in got.headers
    assert got.headers["x-object-meta-public-colour"] == "blue"
    head = requests.head(url, timeout=10)
    assert head.status_code == 200 and head.headers["content-length"] == "10"
    # the second account key signs too (key rotation)
    assert requests.get(link(server, container, name, key=KEY2), timeout=10).content == \
        b"hello link"


@pytest.mark.parametrize("digest", ["sha1", "sha256", "sha512"])
def test_every_allowed_digest_signs(server: str, keyed: swiftclient.Connection,
                                    digest: str) -> None:
    container, name = put(keyed)
    assert requests.get(link(server, container, name, digest=digest),
                        timeout=10).status_code == 200


def test_a_base64_sha512_signature_and_an_iso8601_expiry(
        server: str, keyed: swiftclient.Connection) -> None:
    container, name = put(keyed)
    expires = int(time.time()) + 60
    body = f"GET\n{expires}\n/v1/{ACCOUNT}/{container}/{name}".encode()
    sig = "sha512:" + base64.urlsafe_b64encode(
        hmac.new(KEY.encode(), body, hashlib.sha512).digest()).decode().rstrip("=")
    iso = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(expires))
    got = requests.get(server + path_of(container, name),
                       params={"temp_url_sig": sig, "temp_url_expires": iso}, timeout=10)
    assert got.status_code == 200 and got.content == b"hello link"


def test_a_utf8_key_signs(server: str) -> None:
    conn = swift(server)
    key = "clé-\u0903\u940a"
    container, name = put(conn)
    conn.post_container(container, {"X-Container-Meta-Temp-URL-Key": key.encode()})
    assert requests.get(link(server, container, name, key=key), timeout=10).content == \
        b"hello link"


def test_the_swift_command_makes_links_that_work(server: str,
                                                 keyed: swiftclient.Connection) -> None:
    cli = shutil.which("swift", path=str(Path(sys.executable).parent))
    assert cli
    container, name = put(keyed)
    made = subprocess.run([cli, "tempurl", "GET", "60",
                           f"/v1/{ACCOUNT}/{container}/{name}", KEY],
                          capture_output=True, text=True, timeout=30, check=True)
    assert requests.get(server + made.stdout.strip(), timeout=10).content == b"hello link"


def test_inline_and_filename_set_the_disposition(server: str,
                                                 keyed: swiftclient.Connection) -> None:
    container, name = put(keyed)
    url = link(server, container, name)
    assert requests.get(url + "&inline", timeout=10).headers["content-disposition"] == \
        "inline"
    named = requests.get(url + "&filename=report%20v2.txt", timeout=10)
    assert named.headers["content-disposition"] == \
        "attachment; filename=\"report v2.txt\"; filename*=UTF-8''report%20v2.txt"


def test_a_put_link_uploads_and_a_delete_link_deletes(server: str,
                                                      keyed: swiftclient.Connection) -> None:
    container, _ = put(keyed)
    name = "uploaded via link"
    put_url = link(server, container, name, "PUT")
    assert requests.put(put_url, data=b"from the link", timeout=10).status_code == 201
    assert keyed.get_object(container, name)[1] == b"from the link"
    assert requests.head(put_url, timeout=10).status_code == 200   # PUT allows HEAD
    assert requests.get(put_url, timeout=10).status_code == 401    # but not GET
    assert requests.delete(link(server, container, name, "GET"),
                           timeout=10).status_code == 401
    assert requests.delete(link(server, container, name, "DELETE"),
                           timeout=10).status_code == 204
    with pytest.raises(swiftclient.ClientException) as info:
        keyed.head_object(container, name)
    assert info.value.http_status == 404


def test_a_link_grants_nothing_else(server: str, keyed: swiftclient.Connection) -> None:
    container, name = put(keyed)
    _, other = put(keyed)
    url = link(server, container, name)
    sig_qs = url.split("?", 1)[1]
    refused = [
        requests.get(server + path_of(container, other) + "?" + sig_qs, timeout=10),
        requests.put(url, data=b"overwrite", timeout=10),
        requests.get(link(server, container, name, key="not-the-key"), timeout=10),
        requests.get(url.replace("temp_url_sig=", "temp_url_sig=0"), timeout=10),
        requests.get(url.replace("temp_url_expires=", "temp_url_expires=1"), timeout=10),
        requests.get(server + path_of(container, name) + "?temp_url_sig=abc", timeout=10),
        requests.get(server + path_of(container, name) + "?temp_url_expires=99999999999",
                     timeout=10),
        requests.get(link(server, container, name, seconds=int(time.time()) - 5,
                          absolute=True), timeout=10),
        requests.get(link(server, container, name, ip_range="10.9.8.0/24"), timeout=10),
        # a HEAD link allows HEAD only
        requests.get(link(server, container, name, "HEAD"), timeout=10),
    ]
    assert [r.status_code for r in refused] == [401] * len(refused)
    assert all(b"hello link" not in r.content for r in refused)
    assert refused[0].content == b"401 Unauthorized: Temp URL invalid\n"
    assert keyed.get_object(container, name)[1] == b"hello link"      # not overwritten
    assert requests.head(link(server, container, name, "HEAD"), timeout=10).status_code \
        == 200


def test_an_ip_range_link_works_from_inside_the_range(server: str,
                                                      keyed: swiftclient.Connection) -> None:
    container, name = put(keyed)
    for ip_range in ("127.0.0.1", "127.0.0.0/8"):
        assert requests.get(link(server, container, name, ip_range=ip_range),
                            timeout=10).status_code == 200


def test_a_prefix_link_reaches_every_object_under_the_prefix(
        server: str, keyed: swiftclient.Connection) -> None:
    container = unique("tup")
    keyed.put_container(container)
    for name in ("pics/a.jpg", "pics/b/c.jpg", "docs/x.txt"):
        keyed.put_object(container, name, name.encode())
    base = generate_temp_url(f"/v1/{ACCOUNT}/{container}/pics/", 60, KEY, "GET",
                             prefix=True)
    query = base.split("?", 1)[1]
    for name in ("pics/a.jpg", "pics/b/c.jpg"):
        got = requests.get(f"{server}{path_of(container, name)}?{query}", timeout=10)
        assert got.status_code == 200 and got.content == name.encode()
    outside = requests.get(f"{server}{path_of(container, 'docs/x.txt')}?{query}", timeout=10)
    assert outside.status_code == 401
    without_prefix = query.replace("&temp_url_prefix=pics/", "").replace(
        "temp_url_prefix=pics%2F", "")
    assert requests.get(f"{server}{path_of(container, 'pics/a.jpg')}?{without_prefix}",
                        timeout=10).status_code == 401


def test_a_container_key_reaches_that_container_only(server: str) -> None:
    conn = swift(server)
    mine, name = put(conn)
    conn.post_container(mine, {"X-Container-Meta-Temp-URL-Key": CKEY})
    other, other_name = put(conn)
    assert requests.get(link(server, mine, name, key=CKEY), timeout=10).content == \
        b"hello link"
    assert requests.get(link(server, other, other_name, key=CKEY),
                        timeout=10).status_code == 401


def test_a_link_may_not_create_manifests_nor_set_timestamps(
        server: str, keyed: swiftclient.Connection) -> None:
    container, _ = put(keyed)
    url = link(server, container, "m", "PUT")
    refused = requests.put(url, data=b"", headers={"X-Object-Manifest": f"{container}/"},
                           timeout=10)
    assert refused.status_code == 400 and b"X-Object-Manifest" in refused.content
    assert requests.put(url, data=b"x", headers={"X-Timestamp": "1000000000.00000"},
                        timeout=10).status_code == 201
    ts = float(keyed.head_object(container, "m")["x-timestamp"])
    assert ts > time.time() - 600       # the link's X-Timestamp was dropped


def test_another_accounts_keys_do_not_sign_for_this_account(server: str) -> None:
    other = swift(server, OTHER)
    other.post_account({"X-Account-Meta-Temp-URL-Key": "others-key"})
    conn = swift(server, ADMIN)
    container, name = put(conn)
    assert requests.get(link(server, container, name, key="others-key"),
                        timeout=10).status_code == 401


def test_info_advertises_tempurl(server: str) -> None:
    info = requests.get(f"{server}/info", timeout=10).json()
    assert set(info["tempurl"]["allowed_digests"]) == {"sha1", "sha256", "sha512"}
    assert "PUT" in info["tempurl"]["methods"]


def test_a_prefix_link_opens_a_web_sites_listings_under_its_prefix(server: str) -> None:
    """A container with web listings, read through a prefix link: each directory's
    listing, whose links carry the link's query (so a browser can follow them), and no
    way above the prefix. Without listings, or outside the prefix, the link opens none."""
    conn, container = swift(server), unique("tweb")
    conn.put_container(container, {"X-Container-Meta-Web-Listings": "true",
                                   "X-Container-Meta-Temp-URL-Key": CKEY})
    for name in ("top.txt", "pics/a.jpg", "pics/b/c.jpg"):
        conn.put_object(container, name, name.encode())
    whole = generate_temp_url(f"/v1/{ACCOUNT}/{container}/", 60, CKEY, "GET", prefix=True)
    query = whole.split("?", 1)[1]
    root = requests.get(f"{server}/v1/{ACCOUNT}/{container}?{query}", timeout=10,
                        allow_redirects=False)
    assert root.status_code == 301
    page = requests.get(f"{server}/v1/{ACCOUNT}/{container}/?{query}", timeout=10)
    assert page.status_code == 200 and "Listing of /v1/" in page.text
    assert 'href="..' not in page.text
    assert 'href="./pics/?temp_url_prefix=&amp;temp_url_expires=' in page.text
    sub = requests.get(f"{server}/v1/{ACCOUNT}/{container}/pics/?{query}", timeout=10)
    assert sub.status_code == 200 and 'href="..' in sub.text and "a.jpg" in sub.text
    follow = sub.text.split('href="./a%2Ejpg', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    got = requests.get(f"{server}/v1/{ACCOUNT}/{container}/pics/a.jpg{follow}", timeout=10)
    assert got.status_code == 200 and got.content == b"pics/a.jpg"
    # a link for pics/ lists pics/ (its root: no way up) but not the container
    pics = generate_temp_url(f"/v1/{ACCOUNT}/{container}/pics/", 60, CKEY, "GET",
                             prefix=True).split("?", 1)[1]
    inside = requests.get(f"{server}/v1/{ACCOUNT}/{container}/pics/?{pics}", timeout=10)
    assert inside.status_code == 200 and 'href="..' not in inside.text
    assert requests.get(f"{server}/v1/{ACCOUNT}/{container}/?{pics}",
                        timeout=10).status_code == 401
    # no listings: the link opens no directory
    conn.post_container(container, {"X-Remove-Container-Meta-Web-Listings": "x"})
    assert requests.get(f"{server}/v1/{ACCOUNT}/{container}/?{query}",
                        timeout=10).status_code == 401
    assert requests.get(f"{server}/v1/{ACCOUNT}/{container}/pics/?{query}",
                        timeout=10).status_code == 404
    for name in ("top.txt", "pics/a.jpg", "pics/b/c.jpg"):
        conn.delete_object(container, name)
    conn.delete_container(container)
