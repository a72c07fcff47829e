"""The user documentation holds together: every relative link of README.md and docs/*.md
reaches a file (and its #anchor a heading there), every table and key a config file may
have is described in docs/configuration.md, and the README's quick start stays the two
commands DESIGN promises (one that serves, one that tests, the latter what CI runs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from objectstore.cli.config_keys import TABLES

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Pages being written beside a change, which links may go ahead of (empty when
# every page has landed).
LANDING_LATER: set[str] = set()

FENCE = re.compile(r"^(```|~~~)")
LINK = re.compile(r"(?<!!)\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"`[^`]*`")


def prose_lines(text: str) -> list[str]:
    """The lines outside fenced code blocks, inline code blanked out."""
    out, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        out.append("" if fenced else CODE_SPAN.sub("", line))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, links reduced to their text,
    punctuation but `-` and `_` dropped, spaces as `-`."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    """The anchors of a page's headings (a repeated one gets -1, -2, ... as on GitHub)."""
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in page.read_text().splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        match = None if fenced else re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if match:
            base = slug(match.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def links(page: Path) -> list[str]:
    return [m.group(1) for line in prose_lines(page.read_text())
            for m in LINK.finditer(line)]


def broken(page: Path) -> list[str]:
    """This page's relative links that lead nowhere, each with the reason."""
    out = []
    for target in links(page):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):     # http:, mailto:, ...
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        name = dest.relative_to(ROOT).as_posix() if dest.is_relative_to(ROOT) else str(dest)
        if name in LANDING_LATER and not dest.exists():
            continue
        if not dest.is_file():
            out.append(f"{target}: no file {name}")
        elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
            out.append(f"{target}: no heading #{anchor} in {name}")
    return out


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves(page: Path) -> None:
    assert broken(page) == []


def test_the_checker_finds_what_is_broken(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "other.md").write_text("# Other\n\n## S3: CORS (`?cors`)\n")
    page.write_text("# Page\n\nSee [a](other.md#s3-cors-cors), [b](other.md#nope), "
                    "[c](missing.md), [d](#page), [e](#gone), [f](https://example.com/x).\n"
                    "```sh\n[not a link](nowhere.md)\n# not a heading\n```\n"
                    "`[nor this](nowhere.md)`\n")
    assert [line.split(":")[0] for line in broken(page)] == [
        "other.md#nope", "missing.md", "#gone"]
    assert anchors(page) == {"page"}


def test_slugs_are_githubs() -> None:
    assert slug("S3: server-side encryption (SSE-S3, SSE-KMS, SSE-C)") == \
        "s3-server-side-encryption-sse-s3-sse-kms-sse-c"
    assert slug("One process: `objectstore serve`") == "one-process-objectstore-serve"
    assert slug("Logs, request ids and limits") == "logs-request-ids-and-limits"


def configuration_sections() -> dict[str, str]:
    """docs/configuration.md's `## <table>` sections, by table name."""
    text = (ROOT / "docs" / "configuration.md").read_text()
    parts = re.split(r"^## +(.+)$", text, flags=re.M)
    return {name.strip(): body for name, body in zip(parts[1::2], parts[2::2])}


def test_every_config_table_and_key_is_documented() -> None:
    sections = configuration_sections()
    missing = [f"[{table}]" for table in TABLES if table not in sections]
    missing += [f"[{table}] {key}" for table, keys in TABLES.items() if table in sections
                for key in sorted(keys) if f"`{key}`" not in sections[table]]
    assert missing == [], "add them to docs/configuration.md"


def test_the_quick_start_is_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text()
    quick = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quick, flags=re.S)
    commands = [line.split("#")[0].strip() for block in blocks
                for line in block.splitlines() if line.split("#")[0].strip()]
    assert commands == ["./scripts/serve.sh", "./scripts/test.sh"]
    assert "exec ./scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    assert len(readme.splitlines()) <= 120, "the README is the front door: details go to docs/"
