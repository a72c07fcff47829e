"""The web console in a real headless Chromium (Debian's, driven by Selenium through
/usr/bin/chromedriver) against a real `serve`: S3 and Swift logins, a bucket made, a
20 MB file uploaded in parts, listed, downloaded, shared and deleted, bucket settings,
a wrong key's error, the reseller's cluster page. Screenshots of every step go to
test-artifacts/console/."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.integration.conftest import USERS, serving
from tests.integration.console_browser import BIG, CHROMEDRIVER, Browser, swift, swift_token
from tests.integration.s3_clients import client

# usage sampled and flushed quickly, so the usage page has something to draw
USAGE = """
[usage]
sample_seconds = 1
flush_seconds = 0.5
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A `serve` of this module's: the session's users, quick usage metering."""
    with serving(tmp_path_factory.mktemp("console") / "data", USERS + USAGE) as served:
        yield served.url


@pytest.fixture(scope="module")
def browser(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if not Path(CHROMEDRIVER).exists() or not shutil.which("chromium"):
        pytest.fail("chromium and chromedriver are needed (scripts/test.sh installs "
                    "Debian's chromium and chromium-driver)")
    downloads = tmp_path_factory.mktemp("downloads")
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=1280,900", "--disable-gpu"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(downloads), "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=webdriver.ChromeService(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                           {"behavior": "allow", "downloadPath": str(downloads)})
    try:
        yield Browser(driver, server, downloads)
    finally:
        driver.quit()


@pytest.fixture
def big_file(tmp_path: Path) -> Path:
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(BIG))
    return path


def test_s3_bucket_upload_download_share_delete(browser: Browser, server: str,
                                                big_file: Path) -> None:
    browser.log_in_s3("test:tester", "testing")
    browser.find("#new-bucket")
    browser.shot("01-s3-logged-in")
    # the credential is in this tab's session storage, nowhere else
    run = browser.driver.execute_script
    assert run("return localStorage.length") == 0 and run("return document.cookie") == ""
    assert "testing" in run("return sessionStorage.getItem('objectstore-console')")
    bucket = f"console-{os.urandom(3).hex()}"
    browser.find("#bucket-name").send_keys(bucket)
    browser.find("#create-bucket").click()
    browser.follow(f"tr[data-bucket='{bucket}'] a.bucket")
    browser.find("#dropzone")
    browser.shot("02-bucket-made")

    browser.find("#file-input").send_keys(str(big_file))
    browser.find(".upload-done", timeout=60)
    row = browser.find("tr[data-key='big.bin']")
    assert "20.0 MiB" in row.text
    browser.shot("03-uploaded")
    s3 = client(server)
    try:       # it went up in parts: a multipart ETag ("-3": 8 + 8 + 4 MiB)
        head = s3.head_object(Bucket=bucket, Key="big.bin")
        assert head["ContentLength"] == BIG and head["ETag"].endswith('-3"'), head
    finally:
        s3.close()

    row.find_element(By.CSS_SELECTOR, "button.download").click()
    assert browser.downloaded("big.bin") == big_file.read_bytes()

    browser.follow("tr[data-key='big.bin'] a.object")
    metadata = browser.find("#metadata")
    assert str(BIG) in metadata.text
    assert browser.find("#retention").text == "no lock"
    browser.find("#versions")
    browser.find("#tags")
    browser.shot("04-details")
    browser.find("#details-share").click()
    Select(browser.find("#share .share-expiry")).select_by_visible_text("1 hour")
    browser.find("#share .make-link").click()
    url = browser.find("#share-url").get_attribute("value")
    assert "X-Amz-Expires=3600" in url and "X-Amz-Signature=" in url
    browser.shot("05-shared")
    with urllib.request.urlopen(url, timeout=30) as got:
        assert got.read() == big_file.read_bytes()

    browser.open(f"#/b/{bucket}")
    browser.find("tr[data-key='big.bin'] button.delete").click()
    browser.accept_confirm()
    browser.gone("tr[data-key='big.bin']")
    browser.find("#message .note.ok")
    browser.shot("06-deleted")
    assert browser.errors_logged() == []
    browser.log_out()


# the browser's second upload request fails as a dropped network connection would
FAIL_SECOND_SEND = """
const real = XMLHttpRequest.prototype.send;
window.realSend = real;
let sends = 0;
XMLHttpRequest.prototype.send = function (body) {
  if (++sends === 2) { setTimeout(() => this.onerror(new ProgressEvent("error")), 0); return; }
  return real.call(this, body);
};
"""


def test_a_failed_part_aborts_the_upload(browser: Browser, server: str,
                                         tmp_path: Path) -> None:
    bucket = f"abort-{os.urandom(3).hex()}"
    path = tmp_path / "parts.bin"
    path.write_bytes(os.urandom(9 * 1024 * 1024))       # two parts
    s3 = client(server)
    try:
        s3.create_bucket(Bucket=bucket)
        browser.log_in_s3("test:tester", "testing")
        browser.open(f"#/b/{bucket}")
        browser.find("#dropzone")
        browser.driver.execute_script(FAIL_SECOND_SEND)
        try:
            browser.find("#file-input").send_keys(str(path))
            error = browser.find("#uploads .note.error")
        finally:
            browser.driver.execute_script("XMLHttpRequest.prototype.send = window.realSend")
        assert "upload failed" in error.text
        browser.shot("07-upload-failed")
        deadline = time.monotonic() + 10      # the abort follows the error shown
        while s3.list_multipart_uploads(Bucket=bucket).get("Uploads"):
            assert time.monotonic() < deadline, "the multipart upload was not aborted"
            time.sleep(0.1)
        assert "Contents" not in s3.list_objects_v2(Bucket=bucket)
        browser.log_out()
    finally:
        s3.close()


# a File dropped on the drop zone, as a user's drag from the desktop delivers it
DROP = """
const [zone, name, text] = arguments;
const dt = new DataTransfer();
dt.items.add(new File([text], name, {type: "text/plain"}));
zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, bubbles: true, cancelable: true}));
zone.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
"""


def test_folders_pages_and_drag_and_drop(browser: Browser, server: str) -> None:
    bucket = f"pages-{os.urandom(3).hex()}"
    s3 = client(server)
    try:
        s3.create_bucket(Bucket=bucket)
        for i in range(25):
            s3.put_object(Bucket=bucket, Key=f"many/{i:02d}", Body=b"x")
        s3.put_object(Bucket=bucket, Key="top.txt", Body=b"top")
        browser.log_in_s3("test:tester", "testing")
        browser.open(f"#/b/{bucket}")
        assert browser.find("a.folder").text == "many/"
        browser.follow("a.folder")
        Select(browser.find("#page-size")).select_by_visible_text("20")
        WebDriverWait(browser.driver, 10).until(
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "tr.object")) == 20)
        browser.find("tr[data-key='many/19']")
        browser.shot("07-page-one")
        browser.find("#next-page").click()
        browser.find("tr[data-key='many/24']")
        assert len(browser.driver.find_elements(By.CSS_SELECTOR, "tr.object")) == 5
        assert not browser.driver.find_elements(By.CSS_SELECTOR, "#next-page")
        browser.find("#prev-page").click()
        browser.find("tr[data-key='many/00']")
        # a dropped file, with a name that needs encoding in the signed path
        name = "a b+ü&=%.txt"
        browser.driver.execute_script(DROP, browser.find("#dropzone"), name, "dropped")
        browser.find("#message .note.ok")
        browser.find("#next-page").click()              # it sorts after many/24
        browser.find(f"tr[data-key='many/{name}']")
        browser.shot("08-dropped")
        got = s3.get_object(Bucket=bucket, Key=f"many/{name}")
        assert got["Body"].read() == b"dropped" and got["ContentType"] == "text/plain"
        browser.follow("#crumbs a:nth-of-type(2)")      # the bucket's top
        browser.find("tr[data-key='top.txt']")
        browser.follow("#crumbs a:nth-of-type(1)")      # all buckets
        browser.find(f"tr[data-bucket='{bucket}'] button.danger").click()
        browser.accept_confirm()
        assert "409 BucketNotEmpty" in browser.find("#message .note.error").text
        assert browser.errors_logged() == []
        browser.log_out()
    finally:
        s3.close()


def test_bucket_settings(browser: Browser, server: str) -> None:
    bucket = f"settings-{os.urandom(3).hex()}"
    s3 = client(server)
    try:
        s3.create_bucket(Bucket=bucket)
        browser.log_in_s3("test:tester", "testing")
        browser.follow(f"tr[data-bucket='{bucket}'] a[href*='#/s/']")
        assert browser.find("#versioning-state").text == "Off"
        browser.find("#versioning-toggle").click()
        WebDriverWait(browser.driver, 10).until(
            lambda d: d.find_element(By.ID, "versioning-state").text == "Enabled")
        assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
        cors = browser.find("#doc-cors")
        assert cors.get_attribute("value") == ""
        cors.send_keys("<CORSConfiguration><CORSRule><AllowedOrigin>https://example.com"
                       "</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule>"
                       "</CORSConfiguration>")
        browser.find("#setting-cors button.save").click()
        browser.find("#setting-cors .note.ok")
        rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
        assert rules[0]["AllowedOrigins"] == ["https://example.com"]
        policy = browser.find("#doc-policy")
        policy.send_keys("{not json")
        browser.find("#setting-policy button.save").click()
        error = browser.find("#setting-policy .note.error")
        assert "400" in error.text and "MalformedPolicy" in error.text, error.text
        browser.shot("09-settings")
        # with versioning on, the details list every version, each one downloadable
        first = s3.put_object(Bucket=bucket, Key="versioned.txt", Body=b"one")["VersionId"]
        s3.put_object(Bucket=bucket, Key="versioned.txt", Body=b"two")
        browser.open(f"#/o/{bucket}/versioned.txt")
        versions = browser.find("#versions")
        assert len(versions.find_elements(By.CSS_SELECTOR, "button.version-download")) == 2
        assert "latest" in versions.text
        browser.find(f"button[data-version='{first}']").click()
        assert browser.downloaded("versioned.txt") == b"one"
        browser.shot("09-versions")
        assert browser.errors_logged() == []
        browser.log_out()
    finally:
        s3.close()


def test_swift_user_sees_the_buckets_as_containers(browser: Browser, server: str) -> None:
    bucket = f"both-{os.urandom(3).hex()}"
    s3 = client(server)
    try:
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="dir/hello.txt", Body=b"hello")
    finally:
        s3.close()
    browser.log_in_swift("test:tester", "testing")
    kept = browser.driver.execute_script("return sessionStorage.getItem('objectstore-console')")
    assert "AUTH_tk" in kept and "testing" not in kept      # the token, never the key
    browser.follow(f"tr[data-bucket='{bucket}'] a.bucket")
    browser.follow("a.folder")
    row = browser.find("tr[data-key='dir/hello.txt']")
    assert "5 B" in row.text
    assert "dir" in browser.find("#crumbs").text
    browser.shot("10-swift-container")
    row.find_element(By.CSS_SELECTOR, "button.download").click()
    assert browser.downloaded("hello.txt") == b"hello"
    browser.find("tr[data-key='dir/hello.txt'] button.share").click()
    browser.find(".share .make-link").click()
    assert "no Temp-URL key" in browser.find(".share-out .note.error").text
    browser.shot("11-swift-no-tempurl-key")
    assert browser.errors_logged() == []
    browser.log_out()


def test_swift_large_upload_tempurl_and_delete(browser: Browser, server: str,
                                               tmp_path: Path) -> None:
    """A file over one segment goes up as segments and an SLO manifest; with the
    account's Temp-URL key, share and download are TempURLs; delete takes the segments."""
    token, storage = swift_token(server)
    container = f"slo-{os.urandom(3).hex()}"
    swift("PUT", f"{storage}/{container}", token)
    path = tmp_path / "large.bin"
    path.write_bytes(os.urandom(10 * 1024 * 1024))
    key = os.urandom(8).hex()
    swift("POST", storage, token, {"X-Account-Meta-Temp-URL-Key": key})
    try:
        browser.log_in_swift("test:tester", "testing")
        browser.open(f"#/b/{container}")
        browser.find("#file-input").send_keys(str(path))
        browser.find(".upload-done", timeout=60)
        row = browser.find("tr[data-key='large.bin']")
        headers, _ = swift("HEAD", f"{storage}/{container}/large.bin", token)
        assert headers["x-static-large-object"] == "True", headers
        _, listed = swift("GET", f"{storage}/{container}_segments?format=json", token)
        assert len(json.loads(listed)) == 2                      # 8 MiB + 2 MiB
        row.find_element(By.CSS_SELECTOR, "button.download").click()
        assert browser.downloaded("large.bin") == path.read_bytes()
        row.find_element(By.CSS_SELECTOR, "button.share").click()
        browser.find(".share .make-link").click()
        url = browser.find("#share-url").get_attribute("value")
        assert "temp_url_sig=" in url
        with urllib.request.urlopen(url, timeout=30) as got:
            assert got.read() == path.read_bytes()
        browser.shot("12-swift-large-tempurl")
        browser.find("tr[data-key='large.bin'] button.delete").click()
        browser.accept_confirm()
        browser.gone("tr[data-key='large.bin']")
        _, listed = swift("GET", f"{storage}/{container}_segments?format=json", token)
        assert json.loads(listed) == []
        assert browser.errors_logged() == []
        browser.log_out()
    finally:
        swift("POST", storage, token, {"X-Remove-Account-Meta-Temp-URL-Key": "x"})


def test_names_are_text_never_markup(browser: Browser, server: str) -> None:
    """A key that is HTML shows as its text: nothing of it runs or renders."""
    bucket = f"xss-{os.urandom(3).hex()}"
    evil = '<img src=x onerror="document.title=`pwned`">.txt'
    s3 = client(server)
    try:
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key=evil, Body=b"x")
        browser.log_in_s3("test:tester", "testing")
        browser.open(f"#/b/{bucket}")
        link = browser.find("tr.object a.object")
        assert link.text == evil
        assert not browser.driver.find_elements(By.CSS_SELECTOR, "main img")
        browser.follow("tr.object a.object")
        assert browser.find("#object-name").text == evil
        assert browser.driver.title != "pwned"
        browser.log_out()
    finally:
        s3.close()


CHARTS = """
const done = arguments[arguments.length - 1];
import("/console/js/charts.js").then((charts) => {
  const line = charts.lineChart([{time: "2026-12-06T20:00:00Z", value: 10},
                                 {time: "2026-12-06T21:00:00Z", value: 40}], "bytes");
  const bars = charts.stackedBars([{hour: "2026-12-06T20:00:00Z", class: "read", value: 3},
                                   {hour: "2026-12-06T20:00:00Z", class: "write", value: 1},
                                   {hour: "2026-12-06T21:00:00Z", class: "read", value: 4}],
                                  ["read", "write"], "requests");
  document.getElementById("main").append(line, bars);
  done({points: line.querySelector("polyline").getAttribute("points"),
        legend: [...bars.querySelectorAll("text")].map((t) => t.textContent),
        bars: [...bars.querySelectorAll("rect[class^=class-]")]
          .filter((r) => r.querySelector("title"))       // (not the legend's)
          .map((r) => [r.getAttribute("class"), Math.round(Number(r.getAttribute("height")))])});
}, (e) => done({error: String(e)}));
"""


def test_usage_charts_are_drawn(browser: Browser) -> None:
    """The charts of the usage page: points in time order, bars stacked in proportion."""
    browser.open()
    browser.find("#s3-login")
    got = browser.driver.execute_async_script(CHARTS)
    assert "error" not in got, got
    (x1, y1), (x2, y2) = (tuple(map(float, p.split(","))) for p in got["points"].split())
    assert x1 < x2 and y1 > y2          # later and higher (SVG's y grows downwards)
    heights = dict((f"{c}{i}", h) for i, (c, h) in enumerate(got["bars"]))
    # 4 is the tallest bar (full height, 156 px); 3 + 1 stack to the same
    assert heights == {"class-read0": 117, "class-write1": 39, "class-read2": 156}, got
    assert {"read", "write", "requests"} <= set(got["legend"]), got["legend"]
    browser.shot("18-charts")


def test_a_wrong_key_shows_the_apis_error(browser: Browser) -> None:
    browser.log_in_s3("test:tester", "not-the-key", works=False)
    error = browser.find("#login-message .note.error")
    assert "SignatureDoesNotMatch" in error.text and "403" in error.text
    browser.shot("13-wrong-key")
    browser.driver.refresh()
    browser.find("#s3-login")           # nothing was kept: still logged out
    browser.log_in_swift("test:tester", "wrong", works=False)
    assert "401" in browser.find("#login-message .note.error").text
    browser.shot("14-wrong-swift-key")


def test_a_reseller_sees_the_cluster_page(browser: Browser, server: str) -> None:
    s3 = client(server)
    try:                    # something for the usage page to count
        bucket = f"usage-{os.urandom(3).hex()}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="counted", Body=b"x" * 1000)
    finally:
        s3.close()
    browser.log_in_s3("reseller:root", "rootkey")
    browser.follow("#nav-cluster")
    nodes = browser.find("#nodes")
    assert len(nodes.find_elements(By.CSS_SELECTOR, "tr.node.up")) == 3, nodes.text
    assert browser.find("#devices").find_elements(By.CSS_SELECTOR, "svg.bar")
    assert "0 down" in browser.find("#health").text
    # replication and audit health: every node's auditor and replicator last passes
    deadline = time.monotonic() + 30
    while len(browser.driver.find_elements(By.CSS_SELECTOR, "#passes tr.pass")) < 3:
        assert time.monotonic() < deadline, browser.find("main").text
        time.sleep(1)
        browser.driver.refresh()
        browser.settled()
    for daemon in ("auditor", "replicator", "updater"):
        row = browser.find(f"#passes tr.pass[data-daemon='{daemon}']")
        assert row.find_elements(By.CSS_SELECTOR, "td")[1].text == "3", row.text
    browser.shot("15-cluster")
    browser.follow("#nav-usage")
    browser.find("main h1")
    # each account's bytes stored and requests (this module's, sampled every second)
    assert "Usage metering is not available" not in browser.find("main").text
    account = "section.account[data-account='test']"
    deadline = time.monotonic() + 15
    while not browser.driver.find_elements(
            By.CSS_SELECTOR, f"{account} svg.line-chart + svg.bar-chart rect.class-write"):
        assert time.monotonic() < deadline, browser.find("main").text
        time.sleep(0.5)
        browser.driver.refresh()
        browser.settled()
    assert bucket in browser.find(account).text          # its buckets' table
    browser.driver.execute_script("arguments[0].scrollIntoView()", browser.find(account))
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "main .note.error")
    browser.shot("16-usage")
    assert browser.errors_logged() == []
    browser.log_out()


def test_a_user_who_is_no_reseller_has_no_cluster_page(browser: Browser) -> None:
    browser.log_in_s3("other:someone", "secret2")
    browser.find("#nav-buckets")
    assert not browser.driver.find_elements(By.CSS_SELECTOR, "#nav-cluster")
    browser.open("#/cluster")
    assert "403" in browser.find("main .note.error").text
    browser.shot("17-not-a-reseller")
    browser.log_out()
