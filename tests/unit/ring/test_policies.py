"""Storage policies: what a ring keeps of them, and where a policy's objects go."""

from __future__ import annotations

import itertools
import json

import pytest

from objectstore.api import policies as swift_policies
from objectstore.errors import BadRequest
from objectstore.node import paths
from objectstore.node.request import parse_target
from objectstore.proxy.placement import Placement
from objectstore.ring import RingBuilder, RingError, policies
from objectstore.ring.files import (
    builder_from_json,
    builder_to_json,
    ring_from_bytes,
    ring_to_bytes,
)


def _builder(replicas: int = 3, devices: int = 5) -> RingBuilder:
    builder = RingBuilder(6, replicas, 0)
    for i in range(devices):
        builder.add_device(1, i + 1, "127.0.0.1", 6000 + i, f"d{i}", 100)
    builder.rebalance()
    return builder


def test_a_new_cluster_has_the_default_and_a_reduced_policy() -> None:
    assert policies.usual(3) == (policies.Policy(0, "default", 3),
                                 policies.Policy(1, "reduced", 2))
    assert policies.usual(1) == (policies.Policy(0, "default", 1),)


def test_policies_survive_the_ring_and_builder_files() -> None:
    builder = _builder()
    builder.policies = policies.added(policies.usual(3), "scratch", 1, 3)
    ring = ring_from_bytes(ring_to_bytes(builder.ring_data()))
    assert ring.policies == builder.policies
    assert ring.policy(2) == policies.Policy(2, "scratch", 1)
    assert builder_from_json(builder_to_json(builder)).policies == builder.policies


def test_a_ring_file_without_policies_has_the_default_alone() -> None:
    builder = _builder()
    doc = json.loads(builder_to_json(builder))
    del doc["policies"]
    loaded = builder_from_json(json.dumps(doc).encode())
    assert loaded.policies == (policies.Policy(0, "default", 3),)
    assert loaded.ring_data().policies == loaded.policies


@pytest.mark.parametrize("name, replicas, why", [
    ("reduced", 2, "already a policy"), ("REDUCED", 1, "already a policy"),
    ("bad name", 1, "policy name"), ("", 1, "policy name"), ("x" * 65, 1, "policy name"),
    ("four", 4, "1 to 3"), ("zero", 0, "1 to 3"), ("flag", True, "1 to 3")])
def test_adding_a_policy_refuses_what_cannot_work(name: str, replicas: int, why: str
                                                  ) -> None:
    with pytest.raises(RingError, match=why):
        policies.added(policies.usual(3), name, replicas, 3)


@pytest.mark.parametrize("raw, why", [
    ([], "non-empty"), ([{"index": 1, "name": "a", "replicas": 1}], "include 0"),
    ([{"index": 0, "name": "a", "replicas": 2}], "ring's replica count"),
    ([{"index": 0, "name": "a", "replicas": 3}, {"index": 0, "name": "b", "replicas": 1}],
     "distinct"),
    ([{"index": 0, "name": "a", "replicas": 3}, {"index": 1, "name": "A", "replicas": 1}],
     "distinct"),
    ([{"index": -1, "name": "a", "replicas": 3}], "index"), (["x"], "object")])
def test_a_damaged_policy_list_is_refused(raw: object, why: str) -> None:
    with pytest.raises(RingError, match=why):
        policies.from_documents(raw, 3)


def test_a_policy_of_k_replicas_uses_the_first_k_primaries() -> None:
    ring = _builder().ring_data()
    reduced = policies.Policy(1, "reduced", 2)
    for name in ("a", "b", "c", "d"):
        where = Placement.of_policy(ring, reduced, "AUTH_t", "c", name)
        _, primaries = ring.get_nodes("AUTH_t", "c", name)
        assert where.primaries == primaries[:2]
        assert where.replicas == 2 and where.kind == "objects-1"
        # the third primary is the first handoff, then the ring's own handoffs
        handoffs = list(itertools.islice(where.handoffs, 3))
        assert handoffs[0] == primaries[2]
        assert handoffs[1:] == list(itertools.islice(ring.handoffs(where.partition), 2))


def test_node_paths_name_the_policy() -> None:
    assert paths.objects_kind(0) == "objects" and paths.objects_kind(4) == "objects-4"
    for kind, policy in (("objects", 0), ("objects-1", 1), ("objects-12", 12),
                         ("objects-0", None), ("objects-01", None), ("objects-", None),
                         ("objects-x", None), ("containers", None), ("tmp", None)):
        assert paths.policy_of_kind(kind) == policy, kind
    target = parse_target(b"/objects-2/d1/7/AUTH_a/c/o")
    assert (target.kind, target.policy, target.obj) == ("objects", 2, "o")
    assert parse_target(b"/objects/d1/7/AUTH_a/c/o").policy == 0
    with pytest.raises(BadRequest):
        parse_target(b"/objects-0/d1/7/AUTH_a/c/o")
    with pytest.raises(BadRequest):
        parse_target(b"/objects-1/d1/7/AUTH_a/c")


def test_swift_names_a_policy_by_name_in_any_case() -> None:
    held = policies.usual(3)
    assert swift_policies.requested({}, held) is None
    assert swift_policies.requested({"x-storage-policy": " Reduced "}, held) == 1
    assert swift_policies.requested({"x-storage-policy": "default"}, held) == 0
    with pytest.raises(BadRequest, match="'default', 'reduced'"):
        swift_policies.requested({"x-storage-policy": "gold"}, held)
    assert swift_policies.name_of(held, "1") == "reduced"
    assert swift_policies.name_of(held, "") == "default"
    info = swift_policies.info(held)
    assert [p["name"] for p in info] == ["default", "reduced"]
    assert info[0]["default"] is True and "default" not in info[1]
