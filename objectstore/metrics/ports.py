"""The metrics of a proxy and of a node, put together: a registry of their own each
(`serve` runs a proxy and several nodes in one process, so never the global one)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, ProcessCollector
from starlette.types import ASGIApp, Receive, Scope, Send

from objectstore.metrics.access import MetricsSettings
from objectstore.metrics.app import PATH, MetricsApp
from objectstore.metrics.node_figures import NodeFigures
from objectstore.metrics.proxy_figures import ProxyFigures
from objectstore.metrics.requests import RequestFigures
from objectstore.node.client import RequestTally
from objectstore.node.server import NodeApp
from objectstore.proxy.core import Proxy
from objectstore.serving.request_layer import NodeRequests


def proxy_metrics(proxy: Proxy, settings: MetricsSettings, own_process: bool = True
                  ) -> tuple[RequestFigures, MetricsApp]:
    """The observer of the proxy port's requests (for ClientRequests) and the /metrics
    app (for the Endpoint's unsigned routes). The proxy's node client is given a tally:
    it must be the proxy's own (in `serve`, not the one the nodes share)."""
    registry = CollectorRegistry()
    figures = RequestFigures()
    registry.register(figures)
    tally = proxy.client.tally = proxy.client.tally or RequestTally()
    registry.register(ProxyFigures(proxy, tally))
    if own_process:
        ProcessCollector(registry=registry)
    return figures, MetricsApp(registry, settings)


class NodePort:
    """A node's port: `/metrics` (a path no device can have) to the metrics, all else
    to the node."""

    def __init__(self, node: ASGIApp, metrics: ASGIApp) -> None:
        self.node = node
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH:
            await self.metrics(scope, receive, send)
        else:
            await self.node(scope, receive, send)


def node_port(node: NodeApp, role: str, settings: MetricsSettings,
              own_process: bool = False, max_age: float = 5.0
              ) -> tuple[NodeRequests, NodePort]:
    """The node app as the request layer serves it (what `serve` calls in-process) and
    the port's app with /metrics in front (what listens)."""
    served: dict[tuple[str, int], int] = {}
    inner = NodeRequests(node, role, served)
    registry = CollectorRegistry()
    figures = NodeFigures(node.config, served, node.rings.held, max_age)
    registry.register(figures)
    if own_process:
        ProcessCollector(registry=registry)
    return inner, NodePort(inner, MetricsApp(registry, settings, figures.refresh))
