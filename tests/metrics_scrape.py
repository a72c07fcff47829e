"""Scraping /metrics with a real HTTP client and reading it with prometheus_client's
own parser, for the integration and cluster tests."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(base: str, headers: dict[str, str] | None = None, method: str = "GET"
           ) -> tuple[int, str, dict[str, str]]:
    """(status, body, headers by lower-case name) of `method` /metrics at `base`."""
    request = urllib.request.Request(base + "/metrics", headers=headers or {},
                                     method=method)
    try:
        with urllib.request.urlopen(request, timeout=20) as resp:
            return resp.status, resp.read().decode(), _lower(resp.headers.items())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode(), _lower(exc.headers.items())


def _lower(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {k.lower(): v for k, v in items}


def samples(base: str) -> Samples:
    status, body, _ = scrape(base)
    assert status == 200, body
    out: Samples = {}
    for family in text_string_to_metric_families(body):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(found: Samples, name: str, **labels: str) -> float:
    """A sample's value; 0 when there is none (a counter not yet counted)."""
    return found.get((name, frozenset(labels.items())), 0.0)


def labelled(found: Samples, name: str) -> list[dict[str, str]]:
    return [dict(labels) for (n, labels) in found if n == name]


def eventually(check: Callable[[], bool], timeout: float = 20.0) -> None:
    """Poll `check` until true (device figures are kept a few seconds between walks)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("not true in time")
        time.sleep(0.5)


def data_files(device: Path) -> int:
    """The object files (.data) below a device, counted here independently."""
    return sum(1 for p in device.rglob("*.data") if p.parts[len(device.parts)]
               .startswith("objects"))
