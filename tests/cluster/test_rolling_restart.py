"""A rolling restart (an upgrade's shape): the storage nodes stop (SIGTERM) and start
again one at a time under a read/write load. No request the quorum could serve fails
and every acknowledged write is there afterwards, on all three replicas once the
replicator has run."""

from __future__ import annotations

import signal
import time

from tests.launch import ProcessCluster
from tests.load import Load, seed
from tests.replicas import primary_copies, run_pass

BUCKET = "rolling"


def test_rolling_restart_under_load(cluster: ProcessCluster) -> None:
    keys = [f"before/{i:03d}" for i in range(30)]
    s3 = seed(cluster.proxy_port, BUCKET, keys)
    restarts = []
    with Load(cluster.proxy_port, keys, BUCKET) as load:
        for i in range(3):
            time.sleep(1)                          # traffic with every node up
            name = f"node{i}"
            began = time.monotonic()
            cluster.procs[name].send_signal(signal.SIGTERM)
            cluster.procs[name].wait(timeout=30)
            time.sleep(0.5)                        # traffic with this node down
            cluster.start(name)                    # returns once it answers again
            restarts.append(time.monotonic() - began)
        time.sleep(1)
    load.assert_clean(at_least=50)
    for key in keys:
        assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == key.encode()
    run_pass(cluster.root, "replicate")
    short = [k for k in keys if None in primary_copies(cluster.root, "AUTH_test", BUCKET, k)]
    assert not short, f"{len(short)} objects lack a replica after replication: {short[:3]}"
    print(f"rolling restart: {load.ops} requests, 0 failed, {len(keys)} acknowledged writes "
          f"all read back; node restarts took {', '.join(f'{t:.1f} s' for t in restarts)}")
