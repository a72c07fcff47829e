"""Chromium driven by Selenium for the console's test (test_console.py): the steps a
user takes, waited on until the page shows their result, and screenshots."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path
from typing import Any

from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "console"
CHROMEDRIVER = "/usr/bin/chromedriver"
BIG = 20 * 1024 * 1024


class Browser:
    """A Chromium with a download directory, and the steps a user takes."""

    def __init__(self, driver: Any, server: str, downloads: Path) -> None:
        self.driver = driver
        self.server = server
        self.downloads = downloads

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))

    def find(self, css: str, timeout: float = 15) -> Any:
        try:
            return WebDriverWait(self.driver, timeout).until(
                expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css)))
        except TimeoutException:
            self.shot(f"timeout-{css.replace(' ', '_').replace('#', '')[:40]}")
            raise AssertionError(f"no {css!r} on the page:\n"
                                 f"{self.driver.find_element(By.TAG_NAME, 'main').text}"
                                 ) from None

    def gone(self, css: str, timeout: float = 15) -> None:
        WebDriverWait(self.driver, timeout).until(
            lambda d: not d.find_elements(By.CSS_SELECTOR, css))

    def settled(self) -> None:
        """Wait until the page has finished rendering what it was asked to."""
        WebDriverWait(self.driver, 15).until(lambda d: d.execute_script(
            "return document.readyState === 'complete' && !document.body.dataset.busy"))

    def open(self, hash_route: str = "") -> None:
        self.driver.get(f"{self.server}/console/{hash_route}")
        self.settled()

    def follow(self, css: str) -> None:
        """Click a link of the console and wait until its page is shown."""
        link = self.find(css)
        target = link.get_attribute("href").split("#", 1)[1]
        self.driver.execute_script("delete document.body.dataset.ready")
        link.click()
        WebDriverWait(self.driver, 15).until(lambda d: d.execute_script(
            "return document.body.dataset.ready === arguments[0] && "
            "!document.body.dataset.busy", "#" + target))

    def logged_out(self) -> None:
        """The login page, whatever an earlier test left behind."""
        self.open()
        self.driver.execute_script("sessionStorage.clear()")
        self.driver.refresh()
        self.settled()

    def log_in_s3(self, key: str, secret: str, works: bool = True) -> None:
        self.logged_out()
        self.find("#access-key").send_keys(key)
        self.find("#secret-key").send_keys(secret)
        self.find("#s3-login-button").click()
        if works:
            self.find("#logout")
            self.settled()

    def log_in_swift(self, user: str, key: str, works: bool = True) -> None:
        self.logged_out()
        self.find("#swift-user").send_keys(user)
        self.find("#swift-key").send_keys(key)
        self.find("#swift-login-button").click()
        if works:
            self.find("#logout")
            self.settled()

    def log_out(self) -> None:
        self.find("#logout").click()
        self.find("#s3-login")

    def accept_confirm(self) -> None:
        WebDriverWait(self.driver, 10).until(expected_conditions.alert_is_present())
        self.driver.switch_to.alert.accept()

    def downloaded(self, name: str, timeout: float = 30) -> bytes:
        path = self.downloads / name
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            partial = list(self.downloads.glob("*.crdownload"))
            if path.exists() and not partial:
                return path.read_bytes()
            time.sleep(0.1)
        raise AssertionError(f"no download {name}: {list(self.downloads.iterdir())}")

    def errors_logged(self) -> list[str]:
        """Console errors other than an HTTP error status (which the page shows):
        a CSP violation or a script error fails the test."""
        return [e["message"] for e in self.driver.get_log("browser")
                if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]


def swift_token(server: str, user: str = "test:tester", key: str = "testing"
                ) -> tuple[str, str]:
    """A TempAuth token and the storage URL, for checking what the console did."""
    asked = urllib.request.Request(f"{server}/auth/v1.0",
                                   headers={"X-Auth-User": user, "X-Auth-Key": key})
    with urllib.request.urlopen(asked, timeout=10) as got:
        return got.headers["x-auth-token"], got.headers["x-storage-url"]


def swift(method: str, url: str, token: str, headers: dict[str, str] | None = None
          ) -> tuple[dict[str, str], bytes]:
    asked = urllib.request.Request(url, method=method,
                                   headers={"X-Auth-Token": token, **(headers or {})})
    with urllib.request.urlopen(asked, timeout=30) as got:
        return {k.lower(): v for k, v in got.headers.items()}, got.read()
