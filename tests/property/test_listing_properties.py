"""Listings (prefix/delimiter/marker/end_marker/limit/reverse) against a plain model,
on real SQLite databases; and pagination that never skips or repeats an entry."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from objectstore.node.listing import ListingParams
from objectstore.node.listingdb import Item, ListingDB
from objectstore.timestamps import Timestamp
from tests.listingmodel import model_listing

ALPHABET = st.sampled_from(["a", "b", "/", "-", "é", "\U0001f600", "\x7f", "z", "~"])
NAMES = st.sets(st.text(ALPHABET, min_size=1, max_size=6), max_size=40)
PIECE = st.text(ALPHABET, max_size=3)
SETTINGS = settings(max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
                    deadline=None, suppress_health_check=[HealthCheck.too_slow])


def filled(directory: str, names: set[str], deleted: set[str]) -> ListingDB:
    db = ListingDB(Path(directory) / "c.db")
    db.initialize("/a/c", Timestamp(1))
    db.merge_items([(Item(n, Timestamp(10), len(n)), False) for n in names | deleted])
    db.merge_items([(Item(n, Timestamp(20), 0), True) for n in deleted])
    return db


def entries(db: ListingDB, **kwargs: object) -> list[str]:
    return [e.name for e in db.list_items(ListingParams(**kwargs))]  # type: ignore[arg-type]


@SETTINGS
@given(NAMES, NAMES, PIECE, st.sampled_from(["", "/", "-"]), PIECE, PIECE,
       st.integers(0, 50), st.booleans())
def test_listing_matches_model(names: set[str], gone: set[str], prefix: str, delimiter: str,
                               marker: str, end_marker: str, limit: int,
                               reverse: bool) -> None:
    gone = gone - names
    with tempfile.TemporaryDirectory() as tmp:
        db = filled(tmp, names, gone)
        params = dict(prefix=prefix, delimiter=delimiter, marker=marker,
                      end_marker=end_marker, limit=limit, reverse=reverse)
        assert entries(db, **params) == model_listing(names, **params)
        info = db.info()
        assert info.item_count == len(names)
        assert info.bytes_used == sum(len(n) for n in names)


@SETTINGS
@given(NAMES, PIECE, st.sampled_from(["", "/"]), st.integers(1, 7), st.booleans())
def test_pagination_sees_every_entry_once(names: set[str], prefix: str, delimiter: str,
                                          page: int, reverse: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = filled(tmp, names, set())
        seen: list[str] = []
        marker = ""
        while True:
            got = entries(db, prefix=prefix, delimiter=delimiter, marker=marker, limit=page,
                          reverse=reverse)
            seen += got
            if len(got) < page:
                break
            marker = got[-1]
        assert seen == model_listing(names, prefix=prefix, delimiter=delimiter,
                                     reverse=reverse)
