"""Node request signatures (auth) and the memory of accepted ones (replay)."""

from __future__ import annotations

from objectstore.node import auth
from objectstore.node.replay import RecentSignatures

SECRET = b"s"
PATH = "/objects/d/1/a/c/o?x=1"
NOW = 1_700_000_000.0
HEADERS = {"x-timestamp": "1700000000.00000", "content-length": "5",
           "x-container-update": "h:1/d", "x-backend-commit-stamp": "96"}


def raw(pairs: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    """Header pairs as the node's ASGI server hands them over."""
    return [(k.encode(), v.encode()) for k, v in pairs]


def signed(headers: dict[str, str], now: float = NOW) -> list[tuple[bytes, bytes]]:
    value = auth.sign(SECRET, "PUT", PATH, headers.items(), now=now)
    return raw([*headers.items(), (auth.HEADER, value)])


def test_a_signature_covers_method_path_time_and_headers() -> None:
    sent = signed(HEADERS)
    proof = auth.verify(SECRET, "PUT", PATH, sent, now=NOW + 1)
    assert proof is not None and proof.stamp == NOW
    # received in another order and with transport headers: still the same request
    received = sent[::-1] + raw([("host", "x"), ("accept", "*/*"), ("x-trans-id", "tx")])
    assert auth.verify(SECRET, "PUT", PATH, received, now=NOW) == proof
    assert auth.verify(b"other", "PUT", PATH, sent, now=NOW) is None
    assert auth.verify(SECRET, "POST", PATH, sent, now=NOW) is None
    assert auth.verify(SECRET, "PUT", PATH + "2", sent, now=NOW) is None
    assert auth.verify(SECRET, "PUT", PATH, sent, now=NOW + auth.MAX_SKEW + 1) is None
    assert auth.verify(SECRET, "PUT", PATH, sent, now=NOW - auth.MAX_SKEW - 1) is None


def test_every_header_but_the_transport_ones_is_signed() -> None:
    sent = signed(HEADERS)
    for name in HEADERS:
        changed = [(k, v + b"0" if k == name.encode() else v) for k, v in sent]
        assert auth.verify(SECRET, "PUT", PATH, changed, now=NOW) is None, name
        removed = [(k, v) for k, v in sent if k != name.encode()]
        assert auth.verify(SECRET, "PUT", PATH, removed, now=NOW) is None, name
    for extra in ("x-object-meta-a", "etag", "x-backend-anything", "content-type",
                  "x-container-update"):     # the last one: a second value
        assert auth.verify(SECRET, "PUT", PATH, [*sent, *raw([(extra, "1")])], now=NOW) is None


def test_no_content_length_signs_as_zero() -> None:
    """A body-less request may reach the node with `Content-Length: 0` added by the
    HTTP client, or without it: the same request either way."""
    sent = signed({"x-timestamp": "1"})
    assert auth.verify(SECRET, "DELETE", PATH, sent, now=NOW) is None   # method differs
    value = auth.sign(SECRET, "DELETE", PATH, [("x-timestamp", "1")], now=NOW)
    for extra in ([], [("content-length", "0")]):
        headers = raw([("x-timestamp", "1"), (auth.HEADER, value), *extra])
        assert auth.verify(SECRET, "DELETE", PATH, headers, now=NOW) is not None
    headers = raw([("x-timestamp", "1"), (auth.HEADER, value), ("content-length", "9")])
    assert auth.verify(SECRET, "DELETE", PATH, headers, now=NOW) is None


def test_values_travel_as_utf8() -> None:
    """aiohttp sends a header value UTF-8 encoded; the node checks the bytes it got."""
    value = auth.sign(SECRET, "PUT", PATH, [("x-object-meta-a", "caf\u00e9")], now=NOW)
    sent = [(b"x-object-meta-a", "caf\u00e9".encode()), (b"x-node-auth", value.encode())]
    assert auth.verify(SECRET, "PUT", PATH, sent, now=NOW) is not None
    latin = [(b"x-object-meta-a", "caf\u00e9".encode("latin-1")), sent[1]]
    assert auth.verify(SECRET, "PUT", PATH, latin, now=NOW) is None
    # the embedded server's in-process client sends Latin-1: signed as such
    value = auth.sign(SECRET, "PUT", PATH, [("x-object-meta-a", "caf\u00e9")], now=NOW,
                      encoding="latin-1")
    assert auth.verify(SECRET, "PUT", PATH, [latin[0], (b"x-node-auth", value.encode())],
                       now=NOW) is not None


def test_a_long_secret_works() -> None:
    secret = b"k" * 200
    value = auth.sign(secret, "GET", PATH, now=NOW)
    assert auth.verify(secret, "GET", PATH, raw([(auth.HEADER, value)]), now=NOW)
    assert not auth.verify(b"k" * 199, "GET", PATH, raw([(auth.HEADER, value)]), now=NOW)


def test_garbage_is_refused() -> None:
    for value in ("", "123", "123 abc", "x y z", "nan n 00", "inf n 00",
                  f"{NOW} n zz", f"{NOW} n {'0' * 64}"):
        assert auth.verify(SECRET, "GET", PATH, raw([(auth.HEADER, value)]), now=NOW) is None
    assert auth.verify(SECRET, "GET", PATH, [], now=NOW) is None


def test_identical_requests_get_distinct_signatures() -> None:
    first = auth.sign(SECRET, "HEAD", PATH, now=NOW)
    second = auth.sign(SECRET, "HEAD", PATH, now=NOW)
    assert first != second
    proofs = [auth.verify(SECRET, "HEAD", PATH, raw([(auth.HEADER, v)]), now=NOW)
              for v in (first, second)]
    seen = RecentSignatures()
    assert [seen.first_time(p, now=NOW) for p in proofs if p] == [True, True]


def test_a_signature_is_accepted_once() -> None:
    proof = auth.verify(SECRET, "PUT", PATH, signed(HEADERS), now=NOW)
    assert proof is not None
    seen = RecentSignatures()
    assert seen.first_time(proof, now=NOW)
    assert not seen.first_time(proof, now=NOW + 30)


def test_the_memory_is_bounded_and_forgetting_lets_no_replay_through() -> None:
    seen = RecentSignatures(limit=100)
    proofs = [auth.Proof(NOW + i / 1000, i.to_bytes(8, "big") * 2) for i in range(1000)]
    assert all(seen.first_time(p, now=NOW + 1) for p in proofs)
    assert len(seen) <= 100
    # forgotten ones are below the floor: refused still, as are remembered ones
    assert not any(seen.first_time(p, now=NOW + 1) for p in proofs)
    assert seen.first_time(auth.Proof(NOW + 2, b"new" * 5 + b"1"), now=NOW + 2)


def test_expired_signatures_are_forgotten() -> None:
    seen = RecentSignatures(limit=1000, window=60)
    for i in range(500):
        assert seen.first_time(auth.Proof(NOW + i / 100, i.to_bytes(8, "big") * 2), now=NOW)
    assert len(seen) == 500
    later = NOW + 120
    assert seen.first_time(auth.Proof(later, b"z" * 16), now=later)
    assert len(seen) == 1 and seen.floor == 0.0


def test_only_http_whitespace_is_stripped() -> None:
    """A value's Latin-1 view (UTF-8 bytes read as Latin-1) may end in \\x85 or \\xa0,
    which str.strip() takes but no HTTP parser does: signed as sent."""
    value = "\u5605".encode().decode("latin-1")         # ends in \x85
    sig = auth.sign(SECRET, "PUT", PATH, [("x-object-meta-a", f" {value}\t")], now=NOW,
                    encoding="latin-1")
    sent = [(b"x-object-meta-a", value.encode("latin-1")), (b"x-node-auth", sig.encode())]
    assert auth.verify(SECRET, "PUT", PATH, sent, now=NOW) is not None
