"""Storage nodes: objects on disk, container and account databases."""
