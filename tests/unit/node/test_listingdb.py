"""Container/account databases on real SQLite files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from objectstore.errors import BadRequest, ContainerNotEmpty
from objectstore.node.listing import ListingParams, Subdir
from objectstore.node.listingdb import Item, ListingDB
from objectstore.timestamps import Timestamp
from tests.listingmodel import model_listing


def db(tmp_path: Path) -> ListingDB:
    d = ListingDB(tmp_path / "c" / "c.db")
    assert d.initialize("/AUTH_test/c", Timestamp(1))
    return d


def names(entries: list[Item | Subdir]) -> list[str]:
    return [e.name for e in entries]


def test_counts_bytes_and_newest_wins(tmp_path: Path) -> None:
    d = db(tmp_path)
    d.put_item(Item("a", Timestamp(10), 5, "text/plain", "e1"))
    d.put_item(Item("b", Timestamp(10), 7))
    d.put_item(Item("a", Timestamp(5), 999))        # older: ignored
    info = d.info()
    assert (info.item_count, info.bytes_used) == (2, 12)
    d.put_item(Item("a", Timestamp(20), 1))
    d.delete_item("b", Timestamp(15))
    d.delete_item("b", Timestamp(15))               # twice: no double counting
    d.put_item(Item("b", Timestamp(12), 50))        # older than the delete
    info = d.info()
    assert (info.item_count, info.bytes_used) == (1, 1)
    listed = d.list_items(ListingParams())
    assert listed == [Item("a", Timestamp(20), 1)]
    assert sqlite3.connect(d.path).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_delete_only_when_empty(tmp_path: Path) -> None:
    d = db(tmp_path)
    d.put_item(Item("a", Timestamp(10), 5))
    with pytest.raises(ContainerNotEmpty):
        d.mark_deleted(Timestamp(20))
    assert not d.info().deleted
    d.delete_item("a", Timestamp(30))
    d.mark_deleted(Timestamp(40))
    assert d.info().deleted
    d.initialize("/AUTH_test/c", Timestamp(50))      # a newer PUT revives it
    assert not d.info().deleted


def test_metadata_merges_per_key(tmp_path: Path) -> None:
    d = db(tmp_path)
    d.update_metadata({"x-container-meta-a": "1", "x-container-meta-b": "2"}, Timestamp(10))
    d.update_metadata({"x-container-meta-a": "old"}, Timestamp(5))
    d.update_metadata({"x-container-meta-b": ""}, Timestamp(20))
    meta = d.info().metadata
    assert meta["x-container-meta-a"][0] == "1"
    assert meta["x-container-meta-b"][0] == ""


def test_listing_examples(tmp_path: Path) -> None:
    d = db(tmp_path)
    for n in ["a/1", "a/2", "a/b/3", "b", "c/x", "é", "z", "\U0001f600"]:
        d.put_item(Item(n, Timestamp(10), 1))
    assert names(d.list_items(ListingParams())) == ["a/1", "a/2", "a/b/3", "b", "c/x", "z",
                                                    "é", "\U0001f600"]
    assert names(d.list_items(ListingParams(delimiter="/"))) == ["a/", "b", "c/", "z", "é",
                                                                 "\U0001f600"]
    assert names(d.list_items(ListingParams(prefix="a/", delimiter="/"))) == ["a/1", "a/2",
                                                                              "a/b/"]
    assert names(d.list_items(ListingParams(delimiter="/", marker="a/"))) == ["b", "c/", "z",
                                                                              "é", "\U0001f600"]
    assert names(d.list_items(ListingParams(reverse=True, limit=3))) == ["\U0001f600", "é", "z"]
    assert names(d.list_items(ListingParams(delimiter="/", reverse=True, marker="c/"))) == [
        "b", "a/"]
    assert names(d.list_items(ListingParams(marker="a/2", end_marker="c/x"))) == ["a/b/3", "b"]
    assert all(isinstance(e, Subdir) for e in d.list_items(ListingParams(
        prefix="a/b", delimiter="/")))


def test_a_delimiter_of_several_characters(tmp_path: Path) -> None:
    d = db(tmp_path)
    for n in ["t", "t-&a", "t-&b/c", "t-a", "u-&"]:
        d.put_item(Item(n, Timestamp(10), 1))
    assert names(d.list_items(ListingParams(delimiter="-&"))) == ["t", "t-&", "t-a", "u-&"]
    assert names(d.list_items(ListingParams(delimiter="-&", reverse=True))) == [
        "u-&", "t-a", "t-&", "t"]
    assert names(d.list_items(ListingParams(delimiter="-&", prefix="t-&"))) == [
        "t-&a", "t-&b/c"]
    assert names(d.list_items(ListingParams(delimiter="-&", marker="t-&"))) == ["t-a", "u-&"]


def test_deleting_clears_the_metadata(tmp_path: Path) -> None:
    """As Swift's: a container made again under the name starts without the old one's."""
    d = db(tmp_path)
    d.update_metadata({"x-container-sysmeta-mark": "1"}, Timestamp(10))
    d.mark_deleted(Timestamp(20))
    assert d.info().metadata["x-container-sysmeta-mark"] == ("", Timestamp(20).internal)


@pytest.mark.parametrize("kwargs", [{"limit": 10_001}, {"limit": -1}, {"delimiter": "a" * 1025}])
def test_bad_listing_params(kwargs: dict[str, object]) -> None:
    with pytest.raises(BadRequest):
        ListingParams(**kwargs)  # type: ignore[arg-type]


def test_model_agrees_on_examples(tmp_path: Path) -> None:
    d = db(tmp_path)
    pool = {"a/1", "a/2", "a/b/3", "b", "c/x", "é", "z"}
    for n in pool:
        d.put_item(Item(n, Timestamp(10), 1))
    for params in (dict(delimiter="/"), dict(prefix="a", delimiter="/", reverse=True),
                   dict(marker="a/", delimiter="/"), dict(end_marker="c", reverse=True)):
        assert names(d.list_items(ListingParams(**params))) == model_listing(pool, **params)


def test_a_path_listing_names_what_is_directly_under_it(tmp_path: Path) -> None:
    """Swift's `path`: no subdir entries, directory markers ("dir/") listed."""
    d = db(tmp_path)
    for n in ["dir1/", "dir1/file2", "dir1/sub/", "dir1/sub/f", "dir1/sub2/x", "file1"]:
        d.put_item(Item(n, Timestamp(10), 1))
    assert names(d.list_items(ListingParams().under(""))) == ["dir1/", "file1"]
    assert names(d.list_items(ListingParams().under("dir1"))) == ["dir1/file2", "dir1/sub/"]
    assert names(d.list_items(ListingParams().under("dir1/"))) == ["dir1/file2", "dir1/sub/"]
    assert names(d.list_items(ListingParams().under("dir1/sub2"))) == ["dir1/sub2/x"]
    assert names(d.list_items(ListingParams().under("dir1/none"))) == []


def test_a_deleted_database_put_again_is_created_again(tmp_path: Path) -> None:
    """So the proxy puts its account row anew (a re-made container was missing from
    its account's listing)."""
    d = db(tmp_path)
    assert not d.initialize("/AUTH_test/c", Timestamp(2))       # an update
    d.mark_deleted(Timestamp(3))
    assert d.initialize("/AUTH_test/c", Timestamp(4))           # made again
    assert not d.info().deleted


def test_a_database_never_appears_without_its_tables(tmp_path: Path) -> None:
    """The replicator lists database files while requests create them: every file it
    finds must be a whole database (it once read one mid-creation: 'no such table')."""
    import threading

    from objectstore.node.listingdb import Replica
    done = threading.Event()
    seen: list[Exception] = []

    def watch() -> None:
        while not done.is_set():
            for path in tmp_path.glob("*/*.db"):
                try:
                    Replica(ListingDB(path)).state()
                except Exception as exc:     # any error is the finding
                    seen.append(exc)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for i in range(150):
            assert ListingDB(tmp_path / f"d{i}" / "x.db").initialize(f"/a/c{i}", Timestamp(1))
    finally:
        done.set()
        watcher.join()
    assert seen == []
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["x.db"] * 150


def test_reading_a_removed_database_leaves_no_file_behind(tmp_path: Path) -> None:
    from objectstore.node.listingdb import Replica
    path = tmp_path / "gone" / "g.db"
    path.parent.mkdir()
    with pytest.raises(FileNotFoundError):
        Replica(ListingDB(path)).state()
    assert not path.exists()


def test_creating_twice_at_once_makes_one_database(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor
    path = tmp_path / "c" / "same.db"
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(lambda _: ListingDB(path).initialize("/a/c", Timestamp(1)),
                                range(8)))
    assert created.count(True) == 1
    assert ListingDB(path).info().name == "/a/c"
    assert [p.name for p in path.parent.iterdir()] == ["same.db"]


def test_an_account_counts_its_containers_by_storage_policy(tmp_path: Path) -> None:
    """An account row's content type keeps its container's policy index ("" for 0)."""
    d = db(tmp_path)
    d.put_item(Item("plain", Timestamp(10), 100, "", count=4))
    d.put_item(Item("old", Timestamp(10), 1, "0", count=1))     # "0" is the default too
    d.put_item(Item("scratch", Timestamp(10), 30, "1", count=2))
    d.put_item(Item("gone", Timestamp(10), 9, "1", count=9))
    d.delete_item("gone", Timestamp(11))
    assert d.policy_totals() == {0: (2, 5, 101), 1: (1, 2, 30)}
