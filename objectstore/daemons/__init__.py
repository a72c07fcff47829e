"""Background work beside each node: replicator, auditor, updater."""
