"""Placement of every partition on devices: builder (offline), ring data (lookups), files.

Pure code: no sockets, and only `files` touches the disk.
"""

from objectstore.ring.builder import RebalanceReport, RingBuilder
from objectstore.ring.devices import Device
from objectstore.ring.errors import RingError
from objectstore.ring.hashing import PathHasher
from objectstore.ring.ringdata import RingData

__all__ = ["Device", "PathHasher", "RebalanceReport", "RingBuilder", "RingData", "RingError"]
