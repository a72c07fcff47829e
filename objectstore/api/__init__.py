"""The OpenStack Swift REST API (translator onto objectstore.proxy)."""
