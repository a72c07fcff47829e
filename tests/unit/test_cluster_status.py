"""The status document the admin API and `objectstore status` show, from nodes' answers."""

from __future__ import annotations

from objectstore.admin.cluster_status import ring_nodes, summary
from objectstore.cli.status_command import render
from objectstore.ring.builder import RingBuilder
from objectstore.ring.ringdata import RingData


def ring() -> RingData:
    builder = RingBuilder(4, 3, 1)
    for i in range(3):
        builder.add_device(1, i + 1, "127.0.0.1", 6000 + i, f"d{i}", 100)
    builder.rebalance()
    return builder.ring_data()


def node(version: int, handoffs: int = 0, quarantined: int = 0,
         audited: float = 995.0, audit_errors: int = 0) -> dict[str, object]:
    return {"ring": {"version": version}, "replication": {"finished": 990.0,
                                                        "files_pushed": 2, "failures": 0},
            "passes": {"auditor": {"finished": audited, "seconds": 1.5, "items": 10,
                                   "errors": audit_errors, "bytes": 4096}},
            "devices": {"d0": {"partitions": 16, "handoffs": handoffs, "size": 100,
                               "used": 40, "free": 60, "quarantined": quarantined,
                               "async_pending": 0}}}


def test_a_node_down_data_moving_and_quarantines_are_summed() -> None:
    r = ring()
    nodes = ring_nodes(r)
    assert nodes == [("127.0.0.1", 6000), ("127.0.0.1", 6001), ("127.0.0.1", 6002)]
    docs = {"127.0.0.1:6000": node(r.version, handoffs=3, quarantined=1, audit_errors=1),
            "127.0.0.1:6001": node(r.version, handoffs=2, audited=900.0),
            "127.0.0.1:6002": None}
    doc = summary(r, docs, now=1000.0)
    assert doc["down"] == 1 and doc["moving"] == 5 and doc["quarantined"] == 1
    assert doc["ring"]["replicas"] == 3 and doc["ring"]["partitions"] == 16
    assert doc["ring"]["balance"] == 0.0 and doc["ring_versions_agree"]
    assert doc["nodes"][0]["replication"]["age"] == 10.0
    assert doc["nodes"][2] == {"address": "127.0.0.1:6002", "up": False,
                               "ring_version": None, "devices": [], "passes": {},
                               "replication": None}
    assert doc["nodes"][1]["passes"]["auditor"]["age"] == 100.0
    # the auditor ran on both nodes that are up; its oldest pass and its errors show
    assert doc["passes"] == {"auditor": {"nodes": 2, "oldest_age": 100.0, "errors": 1,
                                         "items": 20}}
    lines = render(doc)
    assert "auditor: last pass on 2 node(s), the oldest 100 s ago, 20 items, 1 errors" \
        in lines
    assert "UNREACHABLE" in lines[3] and lines[-1].endswith("5 handoff partitions still "
                                                            "to move")


def test_a_node_on_another_ring_version_shows() -> None:
    r = ring()
    docs = {"127.0.0.1:6000": node(r.version), "127.0.0.1:6001": node(r.version + 1),
            "127.0.0.1:6002": node(r.version)}
    doc = summary(r, docs)
    assert not doc["ring_versions_agree"]
    assert "ring versions differ" in render(doc)[-1]
    settled = summary(r, {k: node(r.version) for k in docs})
    assert render(settled)[-1].endswith("(placement settled)")
