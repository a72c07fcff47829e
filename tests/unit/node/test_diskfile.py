"""Object files on a real filesystem: durable writes, newest wins, damage detection."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
import xxhash

from objectstore.errors import DiskFileError, ObjectNotFound
from objectstore.node import paths
from objectstore.node.diskfile import CHUNK, DiskFile, DiskFileWriter, NewerExists, scan
from objectstore.ring import PathHasher
from objectstore.timestamps import Timestamp

HASHER = PathHasher("pre", "suf")


def diskfile(root: Path, obj: str = "o") -> DiskFile:
    name_hash = paths.object_hash(HASHER, "AUTH_test", "c", obj)
    return DiskFile(root, "sdb1", 7, f"/AUTH_test/c/{obj}", name_hash)


def put(df: DiskFile, body: bytes, ts: Timestamp, **meta: str) -> None:
    w = df.writer()
    for i in range(0, len(body), 1000):
        w.write(body[i:i + 1000])
    w.commit(ts, "text/plain", user_meta=meta, headers={"content-encoding": "gzip"})


def read_all(df: DiskFile) -> bytes:
    with df.open() as r:
        return b"".join(r.chunks())


def test_write_then_read_back(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    body = os.urandom(3 * CHUNK + 17)
    put(df, body, Timestamp(100), color="blue")
    assert read_all(df) == body
    meta = df.read_metadata()
    assert meta.size == len(body)
    assert meta.etag == hashlib.md5(body).hexdigest()
    assert meta.checksum == xxhash.xxh3_64_hexdigest(body)
    assert meta.user_meta == {"color": "blue"}
    assert meta.headers == {"content-encoding": "gzip"}
    assert meta.name == "/AUTH_test/c/o" and meta.content_type == "text/plain"
    # the layout is the documented one, and the temp dir is left empty
    files = list(df.directory.iterdir())
    assert [f.name for f in files] == ["0000000000.00100.data"]
    assert df.directory.parent.name == df.name_hash[-3:]
    assert df.directory.parent.parent.name == "7"
    assert list((tmp_path / "sdb1" / "tmp").iterdir()) == []


def test_ranges(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    body = bytes(range(256)) * 1000
    put(df, body, Timestamp(1))
    with df.open() as r:
        assert b"".join(r.chunks(10, 20)) == body[10:20]
        assert b"".join(r.chunks(len(body) - 5)) == body[-5:]
        assert b"".join(r.chunks(0, 10**9)) == body


def test_newest_timestamp_wins_and_old_files_go(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    put(df, b"new", Timestamp(200))
    put(df, b"old", Timestamp(100))          # arrives late: must not win
    assert read_all(df) == b"new"
    put(df, b"newer", Timestamp(300))
    assert read_all(df) == b"newer"
    assert sorted(f.name for f in df.directory.iterdir()) == ["0000000000.00300.data"]


def test_tombstone_and_resurrection(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    put(df, b"x", Timestamp(100))
    df.write_tombstone(Timestamp(200))
    with pytest.raises(ObjectNotFound):
        df.open()
    assert df.newest_timestamp() == Timestamp(200)
    put(df, b"late", Timestamp(150))         # older than the delete: stays deleted
    with pytest.raises(ObjectNotFound):
        df.open()
    put(df, b"again", Timestamp(300))
    assert read_all(df) == b"again"


def test_post_replaces_user_metadata_only_when_newer(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    put(df, b"x", Timestamp(100), a="1", b="2")
    df.write_meta(Timestamp(200), {"c": "3"})
    meta = df.read_metadata()
    assert meta.user_meta == {"c": "3"} and meta.meta_timestamp == Timestamp(200)
    df.write_meta(Timestamp(150), {"old": "1"})
    assert df.read_metadata().user_meta == {"c": "3"}
    put(df, b"y", Timestamp(300), d="4")     # a newer PUT drops the older .meta
    assert df.read_metadata().user_meta == {"d": "4"}
    assert sorted(f.name for f in df.directory.iterdir()) == ["0000000000.00300.data"]


def test_an_expiry_lives_with_the_data_and_each_post_replaces_it(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    w = df.writer()
    w.write(b"x")
    w.commit(Timestamp(100), "text/plain", headers={"x-delete-at": "2000000000"})
    assert df.read_metadata().headers["x-delete-at"] == "2000000000"
    df.write_meta(Timestamp(200), {}, "2100000000")
    assert df.read_metadata().headers["x-delete-at"] == "2100000000"
    df.write_meta(Timestamp(300), {"a": "1"})            # a POST without one removes it
    assert "x-delete-at" not in df.read_metadata().headers
    # a .meta of before expiries existed says nothing about them: the .data's holds
    (df.directory / "0000000000.00300.meta").unlink()
    (df.directory / "0000000000.00400.meta").write_text('{"user_meta": {}}')
    assert df.read_metadata().headers["x-delete-at"] == "2000000000"


def test_aborted_write_leaves_nothing(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    put(df, b"keep", Timestamp(100))
    w = df.writer()
    w.write(b"partial")
    w.abort()
    assert read_all(df) == b"keep"
    assert list((tmp_path / "sdb1" / "tmp").iterdir()) == []


@pytest.mark.parametrize("where", ["content", "footer", "truncate"])
def test_damage_is_detected_and_quarantined(tmp_path: Path, where: str) -> None:
    df = diskfile(tmp_path)
    body = os.urandom(2 * CHUNK)
    put(df, body, Timestamp(100))
    data = next(df.directory.iterdir())
    raw = bytearray(data.read_bytes())
    if where == "content":
        raw[CHUNK + 5] ^= 1
    elif where == "footer":
        raw[-12] ^= 0xFF
    else:
        raw = raw[: len(raw) // 2]
    data.write_bytes(bytes(raw))
    with pytest.raises(DiskFileError):
        if where == "content":
            with df.open() as r:
                got = b""
                for chunk in r.chunks():
                    got += chunk
            # never reached: the last chunk is withheld when the checksum fails
        else:
            df.open()
    if where == "content":
        assert not data.exists(), "the damaged file is quarantined"
        quarantined = tmp_path / "sdb1" / "quarantined" / "objects" / df.name_hash
        assert (quarantined / data.name).exists()
        assert "checksum" in (quarantined / f"{data.name}.reason").read_text()
        with pytest.raises(ObjectNotFound):
            df.open()


def test_damaged_file_never_yields_its_last_chunk(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    body = os.urandom(3 * CHUNK)
    put(df, body, Timestamp(100))
    data = next(df.directory.iterdir())
    raw = bytearray(data.read_bytes())
    raw[10] ^= 1
    data.write_bytes(bytes(raw))
    received = []
    with pytest.raises(DiskFileError), df.open() as r:
        for chunk in r.chunks():
            received.append(chunk)
    assert sum(map(len, received)) < len(body)


def test_scan_ignores_strangers(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    put(df, b"x", Timestamp(100))
    (df.directory / "junk.txt").write_text("hi")
    (df.directory / "notatimestamp.data").write_text("hi")
    assert scan(df.directory).data is not None
    assert read_all(df) == b"x"


def test_small_write_touches_the_disk_only_at_commit(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    w = df.writer()
    w.write(b"x" * 1000)
    assert not (tmp_path / "sdb1" / "tmp").exists()      # still in memory
    w.commit(Timestamp(100), "text/plain")
    assert read_all(df) == b"x" * 1000


def test_large_write_spills_to_a_temporary_file(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    body = os.urandom(DiskFileWriter.BUFFERED + 10)
    w = df.writer()
    w.write(body[:100])
    w.write(body[100:])
    assert len(list((tmp_path / "sdb1" / "tmp").iterdir())) == 1
    w.commit(Timestamp(100), "text/plain")
    assert read_all(df) == body
    assert list((tmp_path / "sdb1" / "tmp").iterdir()) == []


def test_commit_only_if_newer_keeps_the_newer_version(tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    put(df, b"new", Timestamp(200))
    w = df.writer()
    w.write(b"old" * 30_000)
    with pytest.raises(NewerExists) as raised:
        w.commit(Timestamp(100), "text/plain", only_if_newer=True)
    assert raised.value.held == Timestamp(200)
    assert read_all(df) == b"new"
    assert list((tmp_path / "sdb1" / "tmp").iterdir()) == []
    w = df.writer()
    w.write(b"newer")
    w.commit(Timestamp(300), "text/plain", only_if_newer=True)
    assert read_all(df) == b"newer"


def test_posted_system_metadata_stands_over_the_datas_until_the_next_post(
        tmp_path: Path) -> None:
    df = diskfile(tmp_path)
    w = df.writer()
    w.write(b"x")
    w.commit(Timestamp(100), "text/plain", headers={"x-object-sysmeta-t": "a=1",
                                                    "x-object-sysmeta-kept": "k"})
    df.write_meta(Timestamp(200), {"m": "1"}, None, {"x-object-sysmeta-t": ""})
    meta = df.read_metadata()
    assert meta.headers["x-object-sysmeta-t"] == "" and meta.user_meta == {"m": "1"}
    assert meta.headers["x-object-sysmeta-kept"] == "k"
    assert meta.etag == hashlib.md5(b"x").hexdigest()
    df.write_meta(Timestamp(300), {"m": "2"})   # a POST that carries none: the .data's
    assert df.read_metadata().headers["x-object-sysmeta-t"] == "a=1"
