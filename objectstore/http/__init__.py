"""HTTP semantics both public APIs (and the proxy) need: byte ranges, conditional
requests, answering with a body. Depends on nothing of ours but `errors`."""
