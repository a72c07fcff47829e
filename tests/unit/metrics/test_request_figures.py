"""The proxy port's request figures: counted in plain ints, turned into Prometheus
families when collected."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from objectstore.metrics.requests import BOUNDS, MAX_OPERATIONS, RequestFigures
from objectstore.serving.request_layer import Finished


def done(seconds: float, status: int = 200, operation: str = "REST.GET.OBJECT",
         method: str = "GET", api: str = "s3") -> Finished:
    return Finished(method, api, operation, "AUTH_test", "b", status, 10, 4096, seconds)


def families(figures: RequestFigures) -> dict[str, list[tuple[str, dict[str, str], float]]]:
    registry = CollectorRegistry()
    registry.register(figures)
    out: dict[str, list[tuple[str, dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(generate_latest(registry).decode()):
        out[family.name] = [(s.name, s.labels, s.value) for s in family.samples]
    return out


def test_counts_buckets_and_bytes() -> None:
    figures = RequestFigures()
    for seconds in (0.0005, 0.003, 0.003, 0.2, 100.0):
        figures(done(seconds))
    figures(done(0.01, status=404))
    found = families(figures)
    counts = {s[1]["status"]: s[2] for s in found["objectstore_requests"]}
    assert counts == {"200": 5, "404": 1}
    buckets = {s[1]["le"]: s[2] for s in found["objectstore_request_duration_seconds"]
               if s[0].endswith("_bucket")}
    assert len(buckets) == len(BOUNDS) + 1
    assert buckets["0.001"] == 1 and buckets["0.005"] == 3 and buckets["0.01"] == 4
    assert buckets["0.25"] == 5 and buckets["60.0"] == 5 and buckets["+Inf"] == 6
    total = {s[0]: s[2] for s in found["objectstore_request_duration_seconds"]}
    assert total["objectstore_request_duration_seconds_count"] == 6
    assert abs(total["objectstore_request_duration_seconds_sum"] - 100.2165) < 1e-9
    assert found["objectstore_request_received_bytes"][0][2] == 60
    assert found["objectstore_request_sent_bytes"][0][2] == 6 * 4096


def test_no_api_and_made_up_methods() -> None:
    figures = RequestFigures()
    figures(done(0.001, status=404, operation="", method="GET", api=""))
    figures(done(0.001, status=405, operation="", method="BREW", api=""))
    found = families(figures)
    assert {(s[1]["api"], s[1]["operation"]) for s in found["objectstore_requests"]} == \
        {("none", "GET"), ("none", "OTHER")}


def test_made_up_operations_cannot_grow_the_metrics_without_end() -> None:
    figures = RequestFigures()
    for i in range(MAX_OPERATIONS + 100):
        figures(done(0.001, operation=f"GET thing{i}", api="admin"))
    found = families(figures)
    operations = {s[1]["operation"] for s in found["objectstore_requests"]}
    assert len(operations) == MAX_OPERATIONS + 1
    other = [s[2] for s in found["objectstore_requests"] if s[1]["operation"] == "OTHER"]
    assert other == [100]
