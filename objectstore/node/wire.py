"""Header names of the node API that the proxy and the nodes share (one place, so the
two sides cannot drift apart)."""

from __future__ import annotations

# The container replica an object write must update, as `host:port/device` (several
# may be given, comma-separated), and its partition.
UPDATE = "x-container-update"
PARTITION = "x-container-partition"
# Container replicas the proxy knows are unreachable (error-limited): the object node
# records the update for its updater at once instead of trying now.
UPDATE_LATER = "x-container-update-later"
