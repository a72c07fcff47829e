"""FormPost: browser form uploads into a container, signed with TempURL keys -- through
`requests` (multipart bodies as a browser builds them) and Debian's chromium (a page,
itself served by the container's static web site, that posts a form). Signatures,
expiry, size and count limits, redirects, expiry fields, nothing stored on refusal."""

from __future__ import annotations

import hashlib
import hmac
import shutil
import subprocess
import time
from collections.abc import Iterator

import pytest
import requests
import swiftclient

from tests.integration.test_swift_edge import swift, unique

KEY = "form-key"


@pytest.fixture()
def box(server: str) -> Iterator[str]:
    conn, name = swift(server), unique("form")
    conn.put_container(name, {"X-Container-Meta-Temp-URL-Key": KEY})
    yield name
    for obj in conn.get_container(name)[1]:
        conn.delete_object(name, obj["name"])
    conn.delete_container(name)


def signed(path: str, redirect: str = "", max_size: int = 1024, max_count: int = 5,
           expires: int | None = None, key: str = KEY) -> dict[str, str]:
    expires = expires or int(time.time()) + 600
    body = f"{path}\n{redirect}\n{max_size}\n{max_count}\n{expires}"
    return {"redirect": redirect, "max_file_size": str(max_size),
            "max_file_count": str(max_count), "expires": str(expires),
            "signature": hmac.new(key.encode(), body.encode(), hashlib.sha256).hexdigest()}


def names(server: str, box: str) -> list[str]:
    return [o["name"] for o in swift(server).get_container(box)[1]]


def test_a_form_uploads_its_files_under_the_prefix(server: str, box: str) -> None:
    path = f"/v1/AUTH_test/{box}/uploads/"
    got = requests.post(server + path, data=signed(path), timeout=10, files=[
        ("file1", ("a.txt", b"first file", "text/plain")),
        ("file2", ("b.bin", b"\x00\x01second", "application/octet-stream"))])
    assert got.status_code == 201 and got.text == "201 Created"
    assert sorted(names(server, box)) == ["uploads/a.txt", "uploads/b.bin"]
    headers, body = swift(server).get_object(box, "uploads/a.txt")
    assert body == b"first file" and headers["content-type"] == "text/plain"


def test_a_redirect_carries_the_outcome(server: str, box: str) -> None:
    path = f"/v1/AUTH_test/{box}"
    fields = signed(path, redirect="https://example.com/done?x=1")
    got = requests.post(server + path, data=fields, allow_redirects=False, timeout=10,
                        files=[("f", ("r.txt", b"redirected", "text/plain"))])
    assert got.status_code == 303
    assert got.headers["location"] == "https://example.com/done?x=1&status=201&message="
    assert names(server, box) == ["r.txt"]


@pytest.mark.parametrize("change, status, text", [
    ({"expires": "1000000000"}, 401, "Form Expired"),
    ({"signature": "0" * 64}, 401, "Invalid Signature"),
    ({"max_file_size": "2048"}, 401, "Invalid Signature"),      # a field not as signed
])
def test_a_form_not_as_signed_is_refused(server: str, box: str, change: dict[str, str],
                                        status: int, text: str) -> None:
    path = f"/v1/AUTH_test/{box}"
    fields = {**signed(path), **change}
    got = requests.post(server + path, data=fields, timeout=10,
                        files=[("f", ("x.txt", b"nope", "text/plain"))])
    assert got.status_code == status and text in got.text
    assert names(server, box) == []


def test_size_and_count_limits(server: str, box: str) -> None:
    path = f"/v1/AUTH_test/{box}"
    got = requests.post(server + path, data=signed(path, max_size=10), timeout=10,
                        files=[("f", ("big.txt", b"x" * 100_000, "text/plain"))])
    assert got.status_code == 400 and "Max_File_Size Exceeded" in got.text
    assert names(server, box) == []                 # nothing of it was stored
    got = requests.post(server + path, data=signed(path, max_count=1), timeout=10,
                        files=[("f1", ("one.txt", b"1", "text/plain")),
                               ("f2", ("two.txt", b"2", "text/plain"))])
    assert got.status_code == 400 and "Max File Count Exceeded" in got.text
    assert names(server, box) == ["one.txt"]


def test_expiry_fields_apply_to_the_files(server: str, box: str) -> None:
    path = f"/v1/AUTH_test/{box}"
    got = requests.post(server + path, data={**signed(path), "x_delete_after": "600",
                                             "content-encoding": "gzip"},
                        timeout=10, files=[("f", ("tmp.txt", b"temporary", "text/plain"))])
    assert got.status_code == 201
    head = swift(server).head_object(box, "tmp.txt")
    assert head["content-encoding"] == "gzip"           # a field before the file applies
    delete_at = int(head["x-delete-at"])
    assert 0 < delete_at - time.time() <= 601
    with pytest.raises(swiftclient.ClientException):
        swift(server).head_object(box, "nothing")


def test_a_browser_posts_the_form(server: str, box: str) -> None:
    browser = shutil.which("chromium")
    if browser is None:
        pytest.fail("chromium is needed (scripts/test.sh installs Debian's chromium)")
    conn = swift(server)
    site = unique("form-site")
    conn.put_container(site, {"X-Container-Read": ".r:*"})
    path = f"/v1/AUTH_test/{box}/"
    fields = signed(path)
    appends = "".join(f"fd.append('{k}', '{v}');" for k, v in fields.items())
    page = (f"<html><body><p id='out'>waiting</p><script>const fd = new FormData();"
            f"{appends}fd.append('file', new Blob(['hello from chromium']), 'browser.txt');"
            f"fetch('{path}', {{method: 'POST', body: fd}}).then(r => r.text())"
            ".then(t => {document.getElementById('out').textContent = 'answer: ' + t;});"
            "</script></body></html>")
    conn.put_object(site, "upload.html", page.encode(), content_type="text/html")
    try:
        dom = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu",
                              "--virtual-time-budget=10000", "--dump-dom",
                              f"{server}/v1/AUTH_test/{site}/upload.html"],
                             capture_output=True, text=True, timeout=120).stdout
        assert "answer: 201 Created" in dom
        assert conn.get_object(box, "browser.txt")[1] == b"hello from chromium"
    finally:
        conn.delete_object(site, "upload.html")
        conn.delete_container(site)
