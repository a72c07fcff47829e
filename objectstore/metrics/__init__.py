"""Prometheus metrics: `/metrics` on the proxy port and on every node's port (docs/metrics.md
lists every figure). Each proxy and node has a registry of its own (`serve` runs several
in one process); figures counted on the request path are plain ints, turned into metric
families only when scraped."""
