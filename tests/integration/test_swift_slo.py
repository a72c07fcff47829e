"""Swift static large objects against a real `objectstore serve`, with
python-swiftclient and raw HTTP: the manifest PUT and its checks, the whole object's
GET/HEAD (ETag, ranges, conditions), the manifest itself, deleting with the segments,
copies, nested and data segments, and who may read the segments."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import pytest
import swiftclient

from tests.integration.test_swift_api import raw
from tests.integration.test_swift_edge import ADMIN, READER, login, s3, swift

MIB = 1024 * 1024
LETTERS = {"a": MIB, "b": MIB, "c": MIB, "e": 1}


def md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def segments(conn: swiftclient.Connection, container: str) -> dict[str, dict[str, object]]:
    """seg_a, seg_b, seg_c (1 MiB each) and seg_e (1 byte), as PUT manifest entries."""
    conn.put_container(container)
    out = {}
    for letter, size in LETTERS.items():
        data = letter.encode() * size
        conn.put_object(container, f"seg_{letter}", data)
        out[letter] = {"path": f"/{container}/seg_{letter}", "etag": md5(data),
                       "size_bytes": size}
    return out


def put_manifest(server: str, container: str, name: str, entries: list[object],
                 headers: dict[str, str] | None = None, query: str = "multipart-manifest=put"
                 ) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps(entries).encode()
    return raw(server, "PUT", f"/v1/AUTH_test/{container}/{name}?{query}",
               {"X-Auth-Token": login(server, ADMIN), "Content-Length": str(len(body)),
                **(headers or {})}, body)


@pytest.fixture(scope="module")
def slo(server: str) -> tuple[str, dict[str, dict[str, object]]]:
    """A container with the segments, `empty` (0 bytes) and `abce`, their manifest."""
    container = f"slo-{os.urandom(3).hex()}"
    segs = segments(swift(server), container)
    swift(server).put_object(container, "empty", b"")
    status, _, body = put_manifest(server, container, "abce",
                                   [segs["a"], segs["b"], segs["c"], segs["e"]])
    assert status == 201, body
    return container, segs


WHOLE = b"a" * MIB + b"b" * MIB + b"c" * MIB + b"e"
SLO_ETAG = md5("".join(md5(c.encode() * n) for c, n in LETTERS.items()).encode())


def test_the_whole_object_reads_back_with_swifts_etag(server: str, slo: tuple) -> None:
    container, _ = slo
    conn = swift(server)
    headers, body = conn.get_object(container, "abce")
    assert body == WHOLE
    assert headers["etag"] == f'"{SLO_ETAG}"'
    assert headers["x-static-large-object"] == "True"
    assert int(headers["content-length"]) == len(WHOLE)
    head = conn.head_object(container, "abce")
    assert head["etag"] == f'"{SLO_ETAG}"' and head["content-length"] == str(len(WHOLE))


def test_ranges_span_segments_and_several_come_as_multipart(server: str, slo: tuple) -> None:
    container, _ = slo
    tok = login(server, ADMIN)
    path = f"/v1/AUTH_test/{container}/abce"
    status, headers, body = raw(server, "GET", path, {"X-Auth-Token": tok,
                                                      "Range": f"bytes={MIB - 2}-{MIB + 1}"})
    assert (status, body) == (206, b"aabb")
    assert headers["content-range"] == f"bytes {MIB - 2}-{MIB + 1}/{len(WHOLE)}"
    status, _, body = raw(server, "GET", path, {"X-Auth-Token": tok, "Range": "bytes=-2"})
    assert (status, body) == (206, b"ce")
    status, headers, body = raw(server, "GET", path, {
        "X-Auth-Token": tok, "Range": f"bytes=0-0,{2 * MIB}-{2 * MIB}"})
    assert status == 206 and headers["content-type"].startswith("multipart/byteranges")
    assert b"\r\n\r\na\r\n" in body and b"\r\n\r\nc\r\n" in body


def test_conditional_reads_use_the_whole_objects_etag(server: str, slo: tuple) -> None:
    container, _ = slo
    tok = login(server, ADMIN)
    path = f"/v1/AUTH_test/{container}/abce"
    assert raw(server, "HEAD", path, {"X-Auth-Token": tok,
                                      "If-None-Match": f'"{SLO_ETAG}"'})[0] == 304
    assert raw(server, "GET", path, {"X-Auth-Token": tok, "If-Match": '"other"'})[0] == 412
    status, _, body = raw(server, "GET", path, {"X-Auth-Token": tok, "If-Match": SLO_ETAG,
                                                "Range": "bytes=0-1"})
    assert (status, body) == (206, b"aa")


def test_listings_show_the_manifest_and_the_whole_objects_etags(server: str,
                                                               slo: tuple) -> None:
    """As Swift's: `hash` is the manifest's MD5, `slo_etag` the whole object's; S3's
    listing shows the multipart ETag; a POST of a new content type keeps both."""
    container, segs = slo
    conn, tok = swift(server), login(server, ADMIN)
    assert put_manifest(server, container, "listed", [segs["a"], segs["e"]])[0] == 201
    manifest = raw(server, "GET", f"/v1/AUTH_test/{container}/listed?multipart-manifest=get",
                   {"X-Auth-Token": tok})[2]
    whole = md5((str(segs["a"]["etag"]) + str(segs["e"]["etag"])).encode())

    def row() -> dict[str, object]:
        return next(o for o in conn.get_container(container, prefix="listed")[1])

    assert (row()["hash"], row()["slo_etag"], row()["bytes"]) == \
        (md5(manifest), f'"{whole}"', MIB + 1)
    listed = s3(server).list_objects_v2(Bucket=container, Prefix="listed")["Contents"][0]
    digests = bytes.fromhex(str(segs["a"]["etag"])) + bytes.fromhex(str(segs["e"]["etag"]))
    assert listed["ETag"] == f'"{md5(digests)}-2"'
    conn.post_object(container, "listed", headers={"Content-Type": "image/jpeg",
                                                   "X-Object-Meta-Color": "red"})
    head = conn.head_object(container, "listed")
    assert (head["content-type"], head["x-object-meta-color"], head["etag"]) == \
        ("image/jpeg", "red", f'"{whole}"')
    assert (row()["hash"], row()["slo_etag"], row()["content_type"]) == \
        (md5(manifest), f'"{whole}"', "image/jpeg")
    assert conn.get_object(container, "listed")[1] == b"a" * MIB + b"e"


def test_one_part_by_its_number(server: str, slo: tuple) -> None:
    container, _ = slo
    tok = login(server, ADMIN)
    path = f"/v1/AUTH_test/{container}/abce"
    status, headers, body = raw(server, "GET", path + "?part-number=2", {"X-Auth-Token": tok})
    assert (status, body) == (206, b"b" * MIB)
    assert headers["content-range"] == f"bytes {MIB}-{2 * MIB - 1}/{len(WHOLE)}"
    assert headers["x-parts-count"] == "4" and headers["etag"] == f'"{SLO_ETAG}"'
    status, headers, _ = raw(server, "HEAD", path + "?part-number=4", {"X-Auth-Token": tok})
    assert (status, headers["content-length"]) == (206, "1")
    status, _, body = raw(server, "GET", path + "?part-number=0", {"X-Auth-Token": tok})
    assert status == 400 and b"greater than 0" in body
    status, headers, body = raw(server, "GET", path + "?part-number=5", {"X-Auth-Token": tok})
    assert status == 416 and headers["content-range"] == f"bytes */{len(WHOLE)}"
    # a copy with a part number copies that part
    status, _, _ = raw(server, "COPY", path + "?part-number=3",
                       {"X-Auth-Token": tok, "Destination": f"{container}/part3"})
    assert status == 201
    assert swift(server).get_object(container, "part3")[1] == b"c" * MIB


def test_the_manifest_itself_and_its_raw_form(server: str, slo: tuple) -> None:
    container, segs = slo
    tok = login(server, ADMIN)
    path = f"/v1/AUTH_test/{container}/abce?multipart-manifest=get"
    status, headers, body = raw(server, "GET", path, {"X-Auth-Token": tok})
    assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
    stored = json.loads(body)
    assert [e["name"] for e in stored] == [s["path"] for k, s in segs.items()]
    assert [e["bytes"] for e in stored] == list(LETTERS.values())
    assert headers["etag"] == md5(body)
    status, headers, body = raw(server, "GET", path + "&format=raw", {"X-Auth-Token": tok})
    assert status == 200 and headers["etag"] == md5(body)
    assert json.loads(body) == [segs[k] for k in LETTERS]
    # the raw form is PUTtable as it is
    status, _, _ = raw(server, "PUT", f"/v1/AUTH_test/{container}/again?"
                       "multipart-manifest=put", {"X-Auth-Token": tok,
                                                  "Content-Length": str(len(body))}, body)
    assert status == 201
    assert swift(server).get_object(container, "again")[1] == WHOLE


@pytest.mark.parametrize("entries, why", [
    ("not json", b"valid JSON"),
    ({"path": "/c/o"}, b"list"),
    ([{"path": "/{c}/missing"}], b"404 Not Found"),
    ([{"path": "/{c}/seg_a", "etag": "0" * 32}], b"Etag Mismatch"),
    ([{"path": "/{c}/seg_a", "size_bytes": 5}], b"Size Mismatch"),
    ([{"path": "/{c}/seg_a", "range": "9999999-"}], b"Unsatisfiable Range"),
    ([{"path": "/{c}/empty"}, {"path": "/{c}/seg_a"}], b"Too small"),
    ([{"path": "/{c}/seg_a", "colour": "red"}], b"extraneous keys"),
    ([{"path": "nocontainer"}], b"path must be"),
    ([{"path": "/{c}/bad-self"}], b"may not name itself"),
    ([{"path": "/{c}/seg_a"}] * 1001, b"Too many segments"),
    ([{"data": "***"}], b"base64"),
])
def test_bad_manifests_are_refused_and_nothing_is_stored(
        server: str, slo: tuple, entries: object, why: bytes) -> None:
    container, _ = slo
    text = entries if isinstance(entries, str) else \
        json.dumps(entries).replace("{c}", container)
    status, _, body = raw(server, "PUT", f"/v1/AUTH_test/{container}/bad-self?"
                          "multipart-manifest=put",
                          {"X-Auth-Token": login(server, ADMIN),
                           "Content-Length": str(len(text))}, text.encode())
    assert status == 400 and why in body, body
    with pytest.raises(swiftclient.ClientException):
        swift(server).head_object(container, "bad-self")


def test_a_manifest_over_the_size_cap_and_a_wrong_client_etag(server: str,
                                                              slo: tuple) -> None:
    container, segs = slo
    # refused on its Content-Length, before any of it is read (tests/unit/api/test_slo.py:
    # a body that runs over the cap without one)
    status, _, body = raw(server, "PUT", f"/v1/AUTH_test/{container}/huge?"
                          "multipart-manifest=put", {"X-Auth-Token": login(server, ADMIN),
                                                     "Content-Length": str(8 * MIB + 1)})
    assert status == 400 and b"Manifest File" in body
    status, _, _ = put_manifest(server, container, "etagged", [segs["e"]],
                                {"ETag": "0" * 32})
    assert status == 422
    status, headers, _ = put_manifest(server, container, "etagged", [segs["e"]],
                                      {"ETag": md5(md5(b"e").encode())})
    assert status == 201 and headers["etag"] == f'"{md5(md5(b"e").encode())}"'


def test_nested_ranged_and_data_segments(server: str, slo: tuple) -> None:
    container, segs = slo
    assert put_manifest(server, container, "inner", [segs["b"], segs["e"]])[0] == 201
    # (a segment under 1 MiB may only be the last object segment; data may follow it)
    entries = [{"data": base64.b64encode(b"<<").decode()},
               {"path": f"/{container}/inner", "size_bytes": MIB + 1},
               {**segs["a"], "range": f"{MIB - 3}-"},
               {"data": base64.b64encode(b">>").decode()}]
    status, _, body = put_manifest(server, container, "outer", entries)
    assert status == 201, body
    assert swift(server).get_object(container, "outer")[1] == \
        b"<<" + b"b" * MIB + b"eaaa>>"
    status, _, body = raw(server, "GET", f"/v1/AUTH_test/{container}/outer",
                          {"X-Auth-Token": login(server, ADMIN),
                           "Range": f"bytes=3-{MIB + 6}"})
    assert (status, body) == (206, b"b" * (MIB - 1) + b"eaaa>")


def test_a_loop_of_manifests_is_a_conflict_not_a_hang(server: str, slo: tuple) -> None:
    container, segs = slo
    assert put_manifest(server, container, "loop-a", [segs["e"]])[0] == 201
    assert put_manifest(server, container, "loop-b",
                        [{"path": f"/{container}/loop-a"}])[0] == 201
    # loop-a now names loop-b, which names loop-a
    assert put_manifest(server, container, "loop-a",
                        [{"path": f"/{container}/loop-b"}])[0] == 201
    status, _, _ = raw(server, "GET", f"/v1/AUTH_test/{container}/loop-a",
                       {"X-Auth-Token": login(server, ADMIN)})
    assert status == 409


def test_delete_with_the_segments_answers_as_bulk_delete(server: str) -> None:
    conn, container = swift(server), f"slodel-{os.urandom(3).hex()}"
    segs = segments(conn, container)
    assert put_manifest(server, container, "m", [segs["a"], segs["e"]])[0] == 201
    status, _, body = raw(server, "DELETE", f"/v1/AUTH_test/{container}/m?"
                          "multipart-manifest=delete",
                          {"X-Auth-Token": login(server, ADMIN), "Accept": "application/json"})
    assert status == 200
    answer = json.loads(body)
    assert (answer["Number Deleted"], answer["Response Status"], answer["Errors"]) == \
        (3, "200 OK", [])
    left = sorted(o["name"] for o in conn.get_container(container)[1])
    assert left == ["seg_b", "seg_c"]
    # a segment whose name ends in a slash is deleted as itself
    conn.put_object(container, "dir/", b"d" * MIB)
    conn.put_object(container, "dir", b"keep me")
    conn.put_object(container, "tail", b"t")
    made = put_manifest(server, container, "m3", [{"path": f"/{container}/dir/"},
                                                  {"path": f"/{container}/tail"}])
    assert made[0] == 201, made[2]
    status, _, _ = raw(server, "DELETE", f"/v1/AUTH_test/{container}/m3?"
                       "multipart-manifest=delete", {"X-Auth-Token": login(server, ADMIN)})
    assert status == 200
    assert sorted(o["name"] for o in conn.get_container(container)[1]) == \
        ["dir", "seg_b", "seg_c"]
    # a plain DELETE of a manifest keeps its segments, as Swift's does
    assert put_manifest(server, container, "m2", [segs["b"], segs["c"]])[0] == 201
    conn.delete_object(container, "m2")
    assert sorted(o["name"] for o in conn.get_container(container)[1]) == \
        ["dir", "seg_b", "seg_c"]


def test_copies_of_the_whole_object_and_of_the_manifest(server: str, slo: tuple) -> None:
    container, _ = slo
    conn = swift(server)
    conn.copy_object(container, "abce", f"/{container}/flat")
    flat = conn.head_object(container, "flat")
    assert "x-static-large-object" not in flat and flat["etag"] == md5(WHOLE)
    status, _, _ = raw(server, "COPY", f"/v1/AUTH_test/{container}/abce?"
                       "multipart-manifest=get", {"X-Auth-Token": login(server, ADMIN),
                                                  "Destination": f"{container}/linked"})
    assert status == 201
    linked = conn.head_object(container, "linked")
    assert linked["x-static-large-object"] == "True" and linked["etag"] == f'"{SLO_ETAG}"'
    assert conn.get_object(container, "linked")[1] == WHOLE


def test_segments_are_read_with_the_readers_own_rights(server: str, slo: tuple) -> None:
    """A manifest in a container the reader may read, segments in one it may not: the
    manifest is no way around the ACL (409, as Swift), and its PUT may not name them."""
    container, segs = slo
    conn = swift(server)
    public = f"slopub-{os.urandom(3).hex()}"
    conn.put_container(public, headers={"X-Container-Read": "test:reader",
                                        "X-Container-Write": "test:reader"})
    assert put_manifest(server, public, "m", [segs["a"], segs["e"]])[0] == 201
    reader = login(server, READER)
    status, _, _ = raw(server, "GET", f"/v1/AUTH_test/{public}/m", {"X-Auth-Token": reader})
    assert status == 409
    body = json.dumps([segs["e"]]).encode()
    status, _, text = raw(server, "PUT", f"/v1/AUTH_test/{public}/mine?"
                          "multipart-manifest=put", {"X-Auth-Token": reader,
                                                     "Content-Length": str(len(body))}, body)
    assert status == 400 and b"403 Forbidden" in text
    # with read access to the segments' container too, it reads
    conn.post_container(container, headers={"X-Container-Read": "test:reader"})
    try:
        status, _, data = raw(server, "GET", f"/v1/AUTH_test/{public}/m",
                              {"X-Auth-Token": reader})
        assert (status, data) == (200, b"a" * MIB + b"e")
        # deleting the segments needs write access to their container: refused, kept
        status, _, text = raw(server, "DELETE", f"/v1/AUTH_test/{public}/m?"
                              "multipart-manifest=delete", {"X-Auth-Token": reader})
        assert status == 200 and b"403 Forbidden" in text
        assert conn.head_object(container, "seg_a") and conn.head_object(public, "m")
    finally:
        conn.post_container(container, headers={"X-Container-Read": ""})


def test_heartbeat_answers_at_once_and_reports_at_the_end(server: str, slo: tuple) -> None:
    container, segs = slo
    status, _, body = put_manifest(server, container, "beat", [segs["a"], segs["e"]],
                                   query="multipart-manifest=put&heartbeat=on")
    assert status == 202 and b"Response Status: 201 Created" in body
    assert f'"{md5((segs["a"]["etag"] + segs["e"]["etag"]).encode())}"'.encode() in body
    status, _, body = put_manifest(server, container, "beat-bad",
                                   [{"path": f"/{container}/nope"}],
                                   {"Accept": "application/json"},
                                   query="multipart-manifest=put&heartbeat=on")
    answer = json.loads(body)
    assert status == 202 and answer["Response Status"] == "400 Bad Request"
    assert answer["Errors"] == [[f"/{container}/nope", "404 Not Found"]]


def test_info_advertises_slo_with_its_limits_and_dlo(server: str) -> None:
    info = json.loads(raw(server, "GET", "/info")[2])
    assert info["slo"] == {"max_manifest_segments": 1000, "max_manifest_size": 8 * MIB,
                           "min_segment_size": 1, "yield_frequency": 10}
    assert "dlo" in info


def test_symlinks_as_segments_are_followed(server: str, slo: tuple) -> None:
    """As Swift reads a segment: a symlink among them leads to its target."""
    container, _ = slo
    conn = swift(server)
    for letter in "ae":
        conn.put_object(container, f"link_{letter}", b"",
                        headers={"X-Symlink-Target": f"{container}/seg_{letter}"})
    status, _, body = put_manifest(server, container, "via-links",
                                   [{"path": f"/{container}/link_a"},
                                    {"path": f"/{container}/link_e"}])
    assert status == 201, body
    assert conn.get_object(container, "via-links")[1] == b"a" * MIB + b"e"


def test_segments_may_be_as_small_as_a_byte(server: str, slo: tuple) -> None:
    """Swift's min_segment_size is 1 (since 2.17): tiny segments are taken, and past
    the tenth such segment they are read at one a second (so 12 take a second or so
    more than 10)."""
    container, _ = slo
    conn = swift(server)
    letters = "abcdefghijkl"
    for letter in letters:
        conn.put_object(container, f"tiny/{letter}", letter.encode())
    entries = [{"path": f"/{container}/tiny/{x}"} for x in letters]
    status, _, body = put_manifest(server, container, "tiny-slo", entries)
    assert status == 201, body
    assert conn.get_object(container, "tiny-slo")[1] == letters.encode()
    assert conn.get_object(container, "tiny-slo",
                           headers={"Range": "bytes=2-4"})[1] == b"cde"
