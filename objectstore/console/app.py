"""Serve the console's static files at /console/ with strict headers.

Every file under static/ is read once, at start, into a table of relative path ->
(content type, bytes); a request only looks its path up in that table, so no request
path ever reaches the file system (no traversal, whatever the encoding). `/console`
redirects to `/console/`, which is index.html. GET and HEAD only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.types import Receive, Scope, Send

STATIC = Path(__file__).parent / "static"
PREFIX = "/console"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain; charset=utf-8",
}

# No inline script or style, nothing from elsewhere; the APIs are the same origin.
# (img blob:/data: for previews; a download is a navigation, not a connect.)
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),        # never leak a presigned link's query
    (b"cache-control", b"no-cache"),
]


@dataclass(frozen=True)
class StaticFile:
    content_type: str
    body: bytes


def load_files(root: Path = STATIC) -> dict[str, StaticFile]:
    """Relative path (with '/') -> file, for every file of a known type under `root`."""
    files = {}
    for path in sorted(root.rglob("*")):
        kind = CONTENT_TYPES.get(path.suffix)
        if path.is_file() and kind is not None:
            files[path.relative_to(root).as_posix()] = StaticFile(kind, path.read_bytes())
    return files


class Console:
    """The ASGI app for `Endpoint(unsigned={"/console": Console()})`."""

    def __init__(self, root: Path = STATIC) -> None:
        self.files = load_files(root)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope["method"]
        path: str = scope["path"]
        if method not in ("GET", "HEAD"):
            await _plain(send, method, 405, "Only GET and HEAD are allowed here.\n",
                         [(b"allow", b"GET, HEAD")])
            return
        if path == PREFIX:
            query = scope.get("query_string", b"")
            location = PREFIX.encode() + b"/" + (b"?" + query if query else b"")
            await _plain(send, method, 308, "Moved to /console/\n", [(b"location", location)])
            return
        relative = path[len(PREFIX) + 1:] or "index.html"
        if "\x00" in relative or "\x00" in scope.get("raw_path", b"").decode("latin-1"):
            await _plain(send, method, 400, "A path may not contain NUL.\n")
            return
        found = self.files.get(relative)
        if found is None:
            await _plain(send, method, 404, "No such file in the console.\n")
            return
        await send({"type": "http.response.start", "status": 200, "headers": [
            (b"content-type", found.content_type.encode()),
            (b"content-length", str(len(found.body)).encode()), *SECURITY_HEADERS]})
        await send({"type": "http.response.body",
                    "body": b"" if method == "HEAD" else found.body})


async def _plain(send: Send, method: str, status: int, text: str,
                 extra: list[tuple[bytes, bytes]] | None = None) -> None:
    body = text.encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS, *(extra or [])]})
    await send({"type": "http.response.body", "body": b"" if method == "HEAD" else body})
