"""The listing rules written the plain way, as the model the databases are checked against."""

from __future__ import annotations


def model_listing(names: set[str], prefix: str = "", delimiter: str = "", marker: str = "",
                  end_marker: str = "", limit: int = 10_000,
                  reverse: bool = False) -> list[str]:
    """Entries (names, and subdirs ending in the delimiter) in UTF-8 byte order."""
    ordered = sorted(names, key=lambda n: n.encode(), reverse=reverse)
    out: list[str] = []
    for name in ordered:
        if not name.startswith(prefix):
            continue
        key = name.encode()
        if reverse:
            if marker and key >= marker.encode():
                continue
            if end_marker and key <= end_marker.encode():
                continue
        else:
            if marker and key <= marker.encode():
                continue
            if end_marker and key >= end_marker.encode():
                continue
        entry = name
        if delimiter:
            cut = name.find(delimiter, len(prefix))
            if cut >= 0:
                entry = name[:cut + 1]
                if entry == marker:
                    continue
        if out and out[-1] == entry:
            continue
        out.append(entry)
    return out[:limit]
