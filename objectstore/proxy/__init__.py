"""Placement, quorum writes and newest-wins reads over the storage nodes."""
